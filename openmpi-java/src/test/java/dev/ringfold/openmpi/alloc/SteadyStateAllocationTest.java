package dev.ringfold.openmpi.alloc;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link SteadyStateRanks} on two real ranks (bin/mpjrun, this module's freshly compiled classes as the API):
 * point-to-point and all-reduce of direct buffers and arrays allocate only what the API returns, on both
 * transports, and on shared memory with large off-heap messages pulled from the sender's memory (cross-memory attach,
 * which by default only a loaded node uses) as well as streamed.
 */
class SteadyStateAllocationTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @ParameterizedTest(name = "-dev {0}")
    @ValueSource(strings = {"shm", "shm-pull", "tcp"})
    @Timeout(330)
    void hotPathsAllocateOnlyWhatTheyReturn(final String dev) throws Exception
    {
        assumeTrue(Files.isDirectory(ROOT.resolve("build/lib")), "run 'make' first: bin/mpjrun starts the ranks");
        final String classes = Path.of("target/classes").toAbsolutePath() + ":" +
            Path.of("target/test-classes").toAbsolutePath();
        final Path log = Files.createTempFile("steady-state", ".log");
        try
        {
            final ProcessBuilder ranks = new ProcessBuilder(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", "2",
                "-dev", dev.startsWith("shm") ? "shm" : dev, "--api", "none", "--no-tag-output", "--timeout", "300",
                "-cp", classes, SteadyStateRanks.class.getName()));
            ranks.environment().put("RINGFOLD_CMA", dev.equals("shm-pull") ? "1" : "auto");
            final Process p = ranks.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(p.waitFor(320, TimeUnit.SECONDS), "the ranks finished");
            final String out = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(out);
            assertEquals(0, p.exitValue(), out);
            assertEquals(2, out.lines().filter(l -> l.startsWith("ok allocation rank")).count(), out);
        }
        finally
        {
            Files.deleteIfExists(log);
        }
    }
}
