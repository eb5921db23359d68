package dev.ringfold.collectives;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs this module's rank programs as a real job through {@code bin/mpjrun}; returns the tagged output. */
public final class Job
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Job()
    {
    }

    /** Starts {@code main} on {@code np} ranks, fails the test unless every rank exits 0, returns stdout+stderr. */
    public static String run(final int np, final String dev, final int timeoutSeconds, final Class<?> main,
        final String... args) throws Exception
    {
        return run(np, dev, timeoutSeconds, List.of(), main, args);
    }

    /** As {@link #run(int, String, int, Class, String...)} with {@code K=V} environment entries for the ranks. */
    public static String run(final int np, final String dev, final int timeoutSeconds, final List<String> env,
        final Class<?> main, final String... args) throws Exception
    {
        try (var jars = Files.list(ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "run 'make' first: bin/mpjrun needs build/lib");
        }
        assumeTrue(!dev.equals("native") || java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "mpirun"))), "-dev native needs Open MPI's mpirun on the PATH");
        final Path out = Files.createTempFile("collectives-job", ".out");
        final Process p = start(np, dev, timeoutSeconds, env, main, out, args);
        try
        {
            assertTrue(p.waitFor(timeoutSeconds + 30, TimeUnit.SECONDS), "mpjrun finished");
            final String text = Files.readString(out);
            final String tail = text.length() > 8000 ? text.substring(text.length() - 8000) : text;
            assertEquals(0, p.exitValue(), tail);
            return text;
        }
        finally
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    /** Starts the job without waiting (for tests that kill a rank); stdout and stderr go to {@code out}. */
    public static Process start(final int np, final String dev, final int timeoutSeconds, final Class<?> main,
        final Path out, final String... args) throws Exception
    {
        return start(np, dev, timeoutSeconds, List.of(), main, out, args);
    }

    /** As {@link #start(int, String, int, Class, Path, String...)} with {@code K=V} environment entries. */
    public static Process start(final int np, final String dev, final int timeoutSeconds, final List<String> env,
        final Class<?> main, final Path out, final String... args) throws Exception
    {
        try (var jars = Files.list(ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "run 'make' first: bin/mpjrun needs build/lib");
        }
        final List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np",
            String.valueOf(np), "-dev", dev, "--timeout", String.valueOf(timeoutSeconds)));
        for (final String e : env)
        {
            command.add("--env");
            command.add(e);
        }
        command.addAll(List.of("-cp", rankClassPath(), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /**
     * Starts {@code main} on {@code nodes.length} ranks of one machine that count as the given nodes: each rank gets
     * its own RINGFOLD_NODE (ranks with the same one share memory, the others talk TCP), through the torchrun-style
     * environment (MASTER_ADDR/MASTER_PORT/RANK/WORLD_SIZE; rank 0 hosts the rendezvous), since bin/mpjrun gives every
     * rank the same environment. Fails the test unless every rank exits 0; returns every rank's output.
     */
    public static String runOnNodes(final String[] nodes, final int timeoutSeconds, final Class<?> main,
        final String... args) throws Exception
    {
        final int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        final List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(Files.readString(ROOT.resolve("bin/jvm-flags")).trim().split("\\s+")));
        cmd.add("-cp");
        cmd.add(ROOT.resolve("build/lib") + "/*:" + rankClassPath());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        final List<Process> ranks = new java.util.ArrayList<>();
        final List<Path> outputs = new java.util.ArrayList<>();
        try
        {
            for (int r = 0; r < nodes.length; r++)
            {
                final Path out = Files.createTempFile("collectives-node-job", ".out");
                outputs.add(out);
                final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
                pb.environment().keySet().removeIf(k -> k.startsWith("RINGFOLD_") || k.startsWith("SLURM_") ||
                    k.startsWith("OMPI_"));
                pb.environment().putAll(java.util.Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", String.valueOf(port),
                    "RANK", String.valueOf(r), "WORLD_SIZE", String.valueOf(nodes.length), "RINGFOLD_NODE", nodes[r],
                    "RINGFOLD_TIMEOUT_MS", String.valueOf(timeoutSeconds * 1000L)));
                ranks.add(pb.start());
            }
            final StringBuilder all = new StringBuilder();
            final StringBuilder failures = new StringBuilder();
            for (int r = 0; r < nodes.length; r++)
            {
                final boolean exited = ranks.get(r).waitFor(timeoutSeconds + 30L, TimeUnit.SECONDS);
                final String text = Files.readString(outputs.get(r));
                all.append(text);
                if (!exited || ranks.get(r).exitValue() != 0)
                {
                    // every failed rank's tail: the first to fail is often not rank 0, which only sees it leave
                    failures.append("rank ").append(r).append(exited ? " exited " + ranks.get(r).exitValue() :
                        " did not finish").append(":\n").append(text.length() > 4000 ?
                        text.substring(text.length() - 4000) : text).append('\n');
                }
            }
            assertEquals("", failures.toString());
            return all.toString();
        }
        finally
        {
            ranks.forEach(Process::destroyForcibly);
            for (final Path p : outputs)
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The calling module's classes and test classes, and where this helper itself comes from (collectives' test
     * classes, or their test jar when training's tests use it), since rank programs use its siblings
     * ({@link SteadyStateAllocation}, {@link Values}).
     */
    private static String rankClassPath() throws java.net.URISyntaxException
    {
        final String self = Path.of(Job.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        final String here = Path.of("target/test-classes").toAbsolutePath() + ":" + Path.of("target/classes").toAbsolutePath();
        return self.equals(Path.of("target/test-classes").toAbsolutePath().toString()) ? here : here + ":" + self;
    }

    public static long count(final String text, final String fragment)
    {
        return text.lines().filter(l -> l.contains(fragment)).count();
    }
}
