package dev.ringfold.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a job the way a user does, {@code bin/mpjrun -np N ... Main args}, as a real child process: every module's
 * process tests start their jobs here. Ranks are named by class and run on build/lib plus
 * {@link Checkout#rankClassPath()} (or a class path the caller gives), so this module depends on none it serves.
 */
public final class Mpjrun
{
    private Mpjrun()
    {
    }

    /** Runs {@code main} on {@code np} ranks with {@code env} ({@code K=V}) in their environment and waits for it. */
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
        return start(np, dev, env, Map.of(), launcherOptions, timeoutSeconds, main, args);
    }

    /** As {@link #start}, with variables for mpjrun's own environment (RINGFOLD_KEEP_SURVIVORS=1, say). */
    public static Running start(final int np, final String dev, final List<String> env,
        final Map<String, String> launcherEnv, final List<String> launcherOptions, final long timeoutSeconds,
        final Class<?> main, final String... args) throws IOException
    {
        Checkout.assumeDevice(dev);
        final List<String> arguments = new ArrayList<>(List.of("-np", String.valueOf(np), "-dev", dev,
            "--timeout", String.valueOf(timeoutSeconds)));
        for (final String e : env)
        {
            arguments.add("--env");
            arguments.add(e);
        }
        arguments.addAll(launcherOptions);
        arguments.addAll(List.of("-cp", Checkout.rankClassPath(), main.getName()));
        arguments.addAll(List.of(args));
        return start(arguments, launcherEnv, timeoutSeconds, false);
    }

    /**
     * Starts {@code bin/mpjrun} with exactly these arguments (the caller names the class path and the main class);
     * {@code mergeOutput} puts mpjrun's stderr into its stdout, in the order written (for tests that read the last
     * line of a job, whichever stream it came on).
     *
     * @param timeoutSeconds how long {@link Running#await()} waits for mpjrun, less the 30 s it allows on top.
     */
    public static Running start(final List<String> arguments, final Map<String, String> launcherEnv,
        final long timeoutSeconds, final boolean mergeOutput) throws IOException
    {
        Checkout.assumeBuilt();
        final List<String> cmd = new ArrayList<>();
        cmd.add(Checkout.ROOT.resolve("bin/mpjrun").toString());
        cmd.addAll(arguments);
        return new Running(cmd, launcherEnv, timeoutSeconds, mergeOutput);
    }

    /** How many lines of {@code text} contain {@code fragment}. */
    public static long count(final String text, final String fragment)
    {
        return text.lines().filter(l -> l.contains(fragment)).count();
    }

    /** Fails the test, showing {@code output}, unless it contains every one of {@code fragments}. */
    public static void assertContains(final String output, final String... fragments)
    {
        for (final String fragment : fragments)
        {
            assertTrue(output.contains(fragment), () -> "no '" + fragment + "' in:\n" + output);
        }
    }

    /** A finished job: mpjrun's exit status and output. */
    public record Result(int exitCode, String stdout, String stderr, long millis)
    {
        public List<String> lines()
        {
            return stdout.lines().toList();
        }

        /** Lines of stdout that contain {@code fragment}. */
        public long count(final String fragment)
        {
            return Mpjrun.count(stdout, fragment);
        }

        /** Stdout, then stderr: every line the job wrote. */
        public String output()
        {
            return stdout.isEmpty() || stdout.endsWith("\n") ? stdout + stderr : stdout + "\n" + stderr;
        }

        /** Fails the test unless mpjrun exited 0 (every rank did); returns {@link #output()}. */
        public String assertSucceeded()
        {
            assertEquals(0, exitCode, this::toString);
            return output();
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + " after " + millis + " ms\n--- stdout\n" + tail(stdout) + "\n--- stderr\n" +
                tail(stderr);
        }

        private static String tail(final String s)
        {
            return s.length() > 6000 ? "…" + s.substring(s.length() - 6000) : s;
        }
    }

    /** A job started by {@link #start}: its launcher process and where its output goes. */
    public static final class Running implements AutoCloseable
    {
        private final List<String> cmd;
        private final long timeoutSeconds;
        private final Path out;
        private final Path err;
        private final long start = System.nanoTime();
        private final Process process;

        Running(final List<String> cmd, final Map<String, String> launcherEnv, final long timeoutSeconds,
            final boolean mergeOutput) throws IOException
        {
            this.cmd = cmd;
            this.timeoutSeconds = timeoutSeconds;
            this.out = Files.createTempFile("mpjrun", ".out");
            this.err = mergeOutput ? null : Files.createTempFile("mpjrun", ".err");
            final ProcessBuilder builder = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (mergeOutput)
            {
                builder.redirectErrorStream(true);
            }
            else
            {
                builder.redirectError(err.toFile());
            }
            builder.environment().putAll(launcherEnv);
            this.process = builder.start();
        }

        /** The pid of a rank's JVM; waits for it to start. */
        public long rankPid(final int rank, final long waitSeconds) throws InterruptedException
        {
            return Processes.rankPid(process.toHandle(), rank, waitSeconds);
        }

        /** The launcher's process (the JVM that bin/mpjrun execs). */
        public ProcessHandle launcher()
        {
            return process.toHandle();
        }

        /** Whether mpjrun still runs. */
        public boolean isAlive()
        {
            return process.isAlive();
        }

        /** So far written to stderr (nothing when the output is merged into stdout). */
        public String stderrSoFar() throws IOException
        {
            return err == null ? "" : Files.readString(err, StandardCharsets.UTF_8);
        }

        /** So far written to stdout (and stderr, when merged). */
        public String stdoutSoFar() throws IOException
        {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        /** Waits for mpjrun to end (failing the test after the timeout plus 30 s); removes the output files. */
        public Result await() throws IOException, InterruptedException
        {
            if (!process.waitFor(timeoutSeconds + 30, TimeUnit.SECONDS))
            {
                final String soFar = stdoutSoFar() + stderrSoFar();
                close();
                throw new AssertionError("mpjrun did not stop within " + (timeoutSeconds + 30) + " s: " + cmd +
                    "\n--- output so far\n" + soFar);
            }
            final Result r = new Result(process.exitValue(), stdoutSoFar(), stderrSoFar(),
                (System.nanoTime() - start) / 1_000_000);
            deleteOutput();
            return r;
        }

        /** Never leaves a launcher, its ranks or its output files behind, whatever the test did. */
        @Override
        public void close() throws IOException, InterruptedException
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            deleteOutput();
        }

        private void deleteOutput() throws IOException
        {
            Files.deleteIfExists(out);
            if (err != null)
            {
                Files.deleteIfExists(err);
            }
        }
    }
}
