package dev.ringfold.mpi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rank started by plain {@code java} without the flags of {@link JvmFlags#REQUIRED} stops at once with the
 * list of flags to add, not with an IllegalAccessError from Agrona, and leaves no file in /dev/shm.
 */
@Timeout(120)
final class PlainJavaStartTest
{
    private record Ended(int exitCode, String output, long pid)
    {
    }

    @Test
    void withoutAnyFlagItNamesEveryFlagAndLeavesNothing() throws Exception
    {
        final Ended ended = start(List.of());
        assertEquals(1, ended.exitCode(), ended.output());
        assertTrue(ended.output().contains("Ringfold needs JVM flags this JVM was started without: " +
            String.join(" ", JvmFlags.REQUIRED)), ended.output());
        assertTrue(ended.output().contains("bin/mpjrun"), ended.output());
        assertFalse(ended.output().contains("IllegalAccessError"), ended.output());
        assertNoShmFiles(ended.pid());
    }

    @Test
    void oneMissingFlagIsNamedAlone() throws Exception
    {
        final List<String> allButExports = new ArrayList<>(JvmFlags.REQUIRED);
        final String exports = allButExports.removeFirst();
        final Ended ended = start(allButExports);
        assertEquals(1, ended.exitCode(), ended.output());
        assertTrue(ended.output().contains("started without: " + exports + ". "), ended.output());
        assertNoShmFiles(ended.pid());
    }

    @Test
    void withEveryFlagPlainJavaIsAWorldOfOne() throws Exception
    {
        final Ended ended = start(JvmFlags.REQUIRED);
        assertEquals(0, ended.exitCode(), ended.output());
        assertTrue(ended.output().contains("rank 0 of 1"), ended.output());
        assertNoShmFiles(ended.pid());
    }

    private static Ended start(final List<String> flags) throws IOException, InterruptedException
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PlainJavaRank.class.getName()));
        final ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        // a plain start: none of a launcher's variables, so Ringfold.init() makes a world of one
        builder.environment().keySet().removeIf(name -> name.startsWith("RINGFOLD_") || name.startsWith("SLURM_") ||
            name.startsWith("OMPI_") || name.equals("RANK") || name.equals("WORLD_SIZE"));
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the rank did not end: " + output);
        return new Ended(process.exitValue(), output, process.pid());
    }

    private static void assertNoShmFiles(final long pid) throws IOException
    {
        final File shm = new File("/dev/shm");
        if (!shm.isDirectory())
        {
            return;
        }
        try (Stream<Path> files = Files.list(shm.toPath()))
        {
            final List<Path> left = files.filter(p -> p.getFileName().toString().startsWith("ringfold-single" + pid))
                .toList();
            assertTrue(left.isEmpty(), "left behind: " + left);
        }
    }
}
