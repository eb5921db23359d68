package dev.ringfold.hpctests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs a job the way a user does: {@code bin/mpjrun -np N ... Main args}, as a real child process. */
public final class Mpjrun
{
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    public static final Path TEST_CLASSES = Path.of("target/test-classes").toAbsolutePath();

    private Mpjrun()
    {
    }

    /**
     * Running: alive and not a zombie. A rank whose launcher died is reparented to PID 1 and stays a zombie until that
     * reaps it, which some process managers do only every second or so; it has exited all the same.
     */
    public static boolean running(final ProcessHandle process)
    {
        if (!process.isAlive())
        {
            return false;
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        }
        catch (final IOException ex)
        {
            return false; // gone meanwhile
        }
    }

    /** The test classes; build/lib's SLF4J binding carries Arrow's logging at RINGFOLD_LOG_LEVEL (quiet by default). */
    private static String rankClassPath()
    {
        return TEST_CLASSES.toString();
    }

    public record Result(int exitCode, String stdout, String stderr, long millis)
    {
        public List<String> lines()
        {
            return stdout.lines().toList();
        }

        public long count(final String fragment)
        {
            return stdout.lines().filter(l -> l.contains(fragment)).count();
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + " after " + millis + " ms\n--- stdout\n" + tail(stdout) + "\n--- stderr\n" + tail(stderr);
        }

        private static String tail(final String s)
        {
            return s.length() > 6000 ? "…" + s.substring(s.length() - 6000) : s;
        }
    }

    public static Result run(final int np, final String dev, final List<String> env, final long timeoutSeconds,
        final Class<?> main, final String... args) throws IOException, InterruptedException
    {
        return start(np, dev, env, List.of(), timeoutSeconds, main, args).await();
    }

    /**
     * Starts {@code bin/mpjrun} without waiting for it: for tests that act on a running job (kill a rank) or pass
     * more launcher options ({@code --trace FILE}, {@code --max-restarts K}).
     */
    public static Running start(final int np, final String dev, final List<String> env,
        final List<String> launcherOptions, final long timeoutSeconds, final Class<?> main, final String... args)
        throws IOException
    {
        return start(np, dev, env, java.util.Map.of(), launcherOptions, timeoutSeconds, main, args);
    }

    /** As {@link #start}, with variables for mpjrun's own environment (RINGFOLD_KEEP_SURVIVORS=1, say). */
    public static Running start(final int np, final String dev, final List<String> env,
        final java.util.Map<String, String> launcherEnv, final List<String> launcherOptions, final long timeoutSeconds,
        final Class<?> main, final String... args) throws IOException
    {
        final Path launcher = ROOT.resolve("bin/mpjrun");
        try (var jars = Files.list(ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")),
                "build/lib has no jars: run 'make' (or 'mvn verify') so bin/mpjrun can start ranks");
        }
        assumeTrue(!dev.equals("native") || java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "mpirun"))), "-dev native needs Open MPI's mpirun on the PATH");
        final List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "-np", String.valueOf(np), "-dev", dev,
            "--timeout", String.valueOf(timeoutSeconds)));
        for (final String e : env)
        {
            cmd.add("--env");
            cmd.add(e);
        }
        cmd.addAll(launcherOptions);
        cmd.addAll(List.of("-cp", rankClassPath(), main.getName()));
        cmd.addAll(List.of(args));
        return new Running(cmd, launcherEnv, timeoutSeconds);
    }

    /**
     * The pid of a rank's JVM under a launcher (mpjrun, or a tool that runs it), found by the rank number mpjrun
     * puts in its environment; waits for it to start.
     */
    public static long rankPid(final ProcessHandle launcherProcess, final int rank, final long waitSeconds)
        throws InterruptedException
    {
        final String wanted = "RINGFOLD_RANK=" + rank;
        final long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            for (final ProcessHandle h : launcherProcess.descendants().toList())
            {
                try
                {
                    final String environ = Files.readString(Path.of("/proc/" + h.pid() + "/environ"),
                        StandardCharsets.ISO_8859_1);
                    if (List.of(environ.split("\0")).contains(wanted) &&
                        h.info().command().orElse("").endsWith("java"))
                    {
                        return h.pid();
                    }
                }
                catch (final IOException ex)
                {
                    // gone, or not ours to read: not the rank
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("rank " + rank + " did not start within " + waitSeconds + " s under pid " +
            launcherProcess.pid());
    }

    /** A variable of a running process's environment (a rank's job id, rendezvous, secret file). */
    public static String environment(final long pid, final String name) throws IOException
    {
        for (final String entry : Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.ISO_8859_1)
            .split("\0"))
        {
            if (entry.startsWith(name + "="))
            {
                return entry.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " is not in the environment of pid " + pid);
    }

    /** A job started by {@link #start}: its launcher process and where its output goes. */
    public static final class Running
    {
        private final List<String> cmd;
        private final long timeoutSeconds;
        private final Path out;
        private final Path err;
        private final long start = System.nanoTime();
        private final Process process;

        Running(final List<String> cmd, final java.util.Map<String, String> launcherEnv, final long timeoutSeconds)
            throws IOException
        {
            this.cmd = cmd;
            this.timeoutSeconds = timeoutSeconds;
            this.out = Files.createTempFile("mpjrun", ".out");
            this.err = Files.createTempFile("mpjrun", ".err");
            final ProcessBuilder builder = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(launcherEnv);
            this.process = builder.start();
        }

        /** The pid of a rank's JVM; waits for it to start. */
        public long rankPid(final int rank, final long waitSeconds) throws InterruptedException
        {
            return Mpjrun.rankPid(process.toHandle(), rank, waitSeconds);
        }

        /** The launcher's process (the JVM that bin/mpjrun execs). */
        public ProcessHandle launcher()
        {
            return process.toHandle();
        }

        /** So far written to stderr. */
        public String stderrSoFar() throws IOException
        {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        /** So far written to stdout. */
        public String stdoutSoFar() throws IOException
        {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        public Result await() throws IOException, InterruptedException
        {
            if (!process.waitFor(timeoutSeconds + 30, TimeUnit.SECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("mpjrun did not stop within " + (timeoutSeconds + 30) + " s: " + cmd);
            }
            final Result r = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), (System.nanoTime() - start) / 1_000_000);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        }
    }
}
