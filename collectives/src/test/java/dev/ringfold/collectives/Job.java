package dev.ringfold.collectives;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs this module's rank programs as a real job through {@code bin/mpjrun}; returns the tagged output. */
final class Job
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Job()
    {
    }

    /** Starts {@code main} on {@code np} ranks, fails the test unless every rank exits 0, returns stdout+stderr. */
    static String run(final int np, final String dev, final int timeoutSeconds, final Class<?> main) throws Exception
    {
        try (var jars = Files.list(ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "run 'make' first: bin/mpjrun needs build/lib");
        }
        assumeTrue(!dev.equals("native") || java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "mpirun"))), "-dev native needs Open MPI's mpirun on the PATH");
        final Path out = Files.createTempFile("collectives-job", ".out");
        final Process p = new ProcessBuilder(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", String.valueOf(np),
            "-dev", dev, "--timeout", String.valueOf(timeoutSeconds), "-cp",
            Path.of("target/test-classes").toAbsolutePath() + ":" + Path.of("target/classes").toAbsolutePath(),
            main.getName())).redirectErrorStream(true).redirectOutput(out.toFile()).start();
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

    static long count(final String text, final String fragment)
    {
        return text.lines().filter(l -> l.contains(fragment)).count();
    }
}
