package dev.ringfold.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The examples as users run them: real ranks started by bin/mpjrun. Needs build/lib (run 'make'). */
class ExamplesProcessTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void dataParallelExampleLearnsInAllReduceAndParameterServerModes(@TempDir final Path dir) throws Exception
    {
        final Pattern result = Pattern.compile("\\[0] (\\d) workers: last loss [0-9.]+, accuracy (0\\.\\d+) on 2048 " +
            "samples, parameters identical on every worker\n");
        final Path checkpoint = dir.resolve("dp.arrow");
        final String allReduce = mpjrun(dir, "-np", "2", DataParallelExample.class.getName(), "--epochs", "3",
            "--micro-batches", "2", "--trace", "--checkpoint", checkpoint.toString());
        Matcher m = result.matcher(allReduce);
        assertTrue(m.find(), allReduce);
        assertEquals("2", m.group(1));
        assertTrue(Double.parseDouble(m.group(2)) > 0.9, allReduce);
        assertTrue(allReduce.contains("[0] bucket 0 ("), allReduce);
        assertTrue(Files.size(checkpoint) > 0);

        final String servers = mpjrun(dir, "-np", "3", DataParallelExample.class.getName(), "--epochs", "3",
            "--servers", "1");
        m = result.matcher(servers);
        assertTrue(m.find(), servers);
        assertEquals("2", m.group(1));
        assertTrue(Double.parseDouble(m.group(2)) > 0.9, servers);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ringDemoOverSharedMemory(@TempDir final Path dir) throws Exception
    {
        final String out = mpjrun(dir, "-np", "3", RingDemo.class.getName());
        assertTrue(out.contains("[0] ring ok: token=3, allreduce ok on 3 ranks (shm)\n"), out);
        assertTrue(out.contains("[2] token 3 -> rank 0\n"), out);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ringDemoOverTcp(@TempDir final Path dir) throws Exception
    {
        final String out = mpjrun(dir, "-np", "2", "-dev", "tcp", RingDemo.class.getName());
        assertTrue(out.contains("[0] ring ok: token=1, allreduce ok on 2 ranks (tcp)\n"), out);
        assertTrue(out.contains("[1] rank 1 of 2 on "), out);
        assertTrue(out.contains(": left 0 via tcp, right 0 via tcp\n"), out);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void helloPointToPointOnFourRanks(@TempDir final Path dir) throws Exception
    {
        final String out = mpjrun(dir, "-np", "4", HelloPointToPoint.class.getName());
        for (int r = 1; r < 4; r++)
        {
            assertTrue(out.contains("[0] rank 0 got \"hello; my left neighbour sent " + (r - 1) + ".0\" from rank " + r +
                "\n"), out);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void pointToPointTourOnFourRanks(@TempDir final Path dir) throws Exception
    {
        final String out = mpjrun(dir, "-np", "4", PointToPointTour.class.getName());
        assertTrue(out.contains("[1] arrays: 5 ints from rank 0, first 4, last 36\n"), out);
        assertTrue(out.contains("[0] exchange: 10000 rounds with rank 1 over shm\n"), out);
        assertTrue(out.contains("[0] synchronous: complete before the receive was posted: false; after: true\n"), out);
        assertTrue(out.contains("[0] truncation: rank 0 of WORLD: message from rank 1 (tag 50) has 100 bytes but " +
            "the receive buffer holds 16; the message was discarded\n"), out);
        assertTrue(out.contains("[0] tour ok on 4 ranks\n"), out);
    }

    /** Runs bin/mpjrun with the test class path (this module's current classes first); returns its output. */
    static String mpjrun(final Path dir, final String... args) throws IOException, InterruptedException
    {
        return mpjrun(dir, 0, args);
    }

    /** As above, expecting mpjrun to exit with {@code exitStatus}. */
    static String mpjrun(final Path dir, final int exitStatus, final String... args)
        throws IOException, InterruptedException
    {
        final Path out = dir.resolve("out.txt");
        final Process process = start(out, args);
        try
        {
            if (!process.waitFor(110, TimeUnit.SECONDS))
            {
                fail("mpjrun did not finish within 110 s:\n" + Files.readString(out));
            }
            final String output = Files.readString(out);
            assertEquals(exitStatus, process.exitValue(), "mpjrun " + String.join(" ", args) + " exit status:\n" +
                output);
            return output;
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /**
     * Starts bin/mpjrun without waiting (for tests that kill a rank), its output into {@code out}; the caller waits
     * and, finally, destroys the process and its descendants.
     */
    static Process start(final Path out, final String... args) throws IOException
    {
        final Path lib = ROOT.resolve("build/lib");
        boolean hasJars = false;
        if (Files.isDirectory(lib))
        {
            try (var files = Files.list(lib))
            {
                hasJars = files.anyMatch(f -> f.getFileName().toString().endsWith(".jar"));
            }
        }
        assumeTrue(hasJars, "skipped: " + lib + " has no jars, so bin/mpjrun cannot start; run 'make' at the " +
            "repository root first");
        final List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/mpjrun").toString(), "--timeout", "90",
            "-cp", testClassPath()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    }

    private static String testClassPath()
    {
        final List<String> entries = new ArrayList<>();
        for (final String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
            .split(File.pathSeparator))
        {
            if (!entry.isEmpty())
            {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
