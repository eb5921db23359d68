package dev.ringfold.collectives;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every collective against a scalar reference on real ranks, np = 1 … 8 (powers of two or not), both transports. */
class CollectivesProcessTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String[] SECTIONS = {"ok allreduce rank", "ok deterministic rank", "ok bcast-reduce WORLD rank",
        "ok gathers rank", "ok scans rank", "ok allreduce-split rank", "ok concurrent rank", "ok errors rank"};

    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"1,shm", "2,shm", "3,shm", "4,shm", "5,shm", "8,shm", "3,tcp", "4,tcp"})
    @Timeout(400)
    void everyCollectiveMatchesTheReference(final int np, final String dev) throws Exception
    {
        try (var jars = Files.list(ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "run 'make' first: bin/mpjrun needs build/lib");
        }
        final List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np",
            String.valueOf(np), "-dev", dev, "--timeout", "360", "-cp",
            Path.of("target/test-classes").toAbsolutePath() + ":" + Path.of("target/classes").toAbsolutePath(),
            CollectivesRanks.class.getName()));
        final Path out = Files.createTempFile("collectives", ".out");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try
        {
            assertTrue(p.waitFor(390, TimeUnit.SECONDS), "mpjrun finished");
            final String text = Files.readString(out);
            final String tail = text.length() > 8000 ? text.substring(text.length() - 8000) : text;
            assertEquals(0, p.exitValue(), tail);
            for (final String section : SECTIONS)
            {
                assertEquals(np, text.lines().filter(l -> l.contains(section)).count(), section + "\n" + tail);
            }
        }
        finally
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
