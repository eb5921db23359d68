package dev.ringfold.tensors.ranks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs a job the way a user does, {@code bin/mpjrun -np N ... Main args}, as a real child process (the approach of
 * hpc-tests' Mpjrun). The ranks' class path puts this module's fresh classes before build/lib, so a stale
 * tensors jar there does not matter; build/lib supplies the rest of Ringfold ('make' fills it).
 */
public final class Mpjrun
{
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Mpjrun()
    {
    }

    public record Result(int exitCode, String stdout, String stderr)
    {
        public long count(final String fragment)
        {
            return stdout.lines().filter(l -> l.contains(fragment)).count();
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + tail(stdout) + "\n--- stderr\n" + tail(stderr);
        }

        private static String tail(final String s)
        {
            return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
        }
    }

    /** The test classes; build/lib's SLF4J binding carries Arrow's logging at RINGFOLD_LOG_LEVEL (quiet by default). */
    private static String rankClassPath()
    {
        return Path.of("target/test-classes").toAbsolutePath() + File.pathSeparator +
            Path.of("target/classes").toAbsolutePath();
    }

    public static Result run(final int np, final long timeoutSeconds, final Class<?> main, final String... args)
        throws IOException, InterruptedException
    {
        try (var jars = Files.list(ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")),
                "build/lib has no jars: run 'make' so bin/mpjrun can start ranks");
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            assumeTrue(false, "no build/lib: run 'make' so bin/mpjrun can start ranks");
        }
        final List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np",
            String.valueOf(np), "--timeout", String.valueOf(timeoutSeconds), "-cp", rankClassPath(), main.getName()));
        cmd.addAll(List.of(args));
        final Path out = Files.createTempFile("mpjrun", ".out");
        final Path err = Files.createTempFile("mpjrun", ".err");
        try
        {
            final Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds + 30, TimeUnit.SECONDS))
            {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("mpjrun did not stop within " + (timeoutSeconds + 30) + " s: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
