package dev.ringfold.collectives;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** All-reduce of tensors on two real ranks allocates nothing once warm (small and ring-sized). */
class AllReduceAllocationTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @Timeout(300)
    void allReduceOfTensorsAllocatesNothing() throws Exception
    {
        try (var jars = Files.list(ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "run 'make' first: bin/mpjrun needs build/lib");
        }
        final Path out = Files.createTempFile("allreduce-alloc", ".out");
        final Process p = new ProcessBuilder(List.of(ROOT.resolve("bin/mpjrun").toString(), "-np", "2", "--timeout",
            "240", "-cp", Path.of("target/test-classes").toAbsolutePath() + ":" + Path.of("target/classes").toAbsolutePath(),
            AllReduceAllocationRanks.class.getName())).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try
        {
            assertTrue(p.waitFor(280, TimeUnit.SECONDS), "mpjrun finished");
            final String text = Files.readString(out);
            assertEquals(0, p.exitValue(), text);
            assertEquals(2, text.lines().filter(l -> l.contains("ok allocation rank")).count(), text);
            System.out.println(text);
        }
        finally
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
