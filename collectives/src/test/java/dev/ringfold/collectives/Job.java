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
        command.addAll(List.of("-cp",
            Path.of("target/test-classes").toAbsolutePath() + ":" + Path.of("target/classes").toAbsolutePath(),
            main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    public static long count(final String text, final String fragment)
    {
        return text.lines().filter(l -> l.contains(fragment)).count();
    }
}
