package dev.ringfold.examples;

import dev.ringfold.testsupport.Checkout;
import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ringfold.testsupport.Mpjrun.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertContains(out, "[0] ring ok: token=3, allreduce ok on 3 ranks (shm)\n", "[2] token 3 -> rank 0\n");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ringDemoOverTcp(@TempDir final Path dir) throws Exception
    {
        final String out = mpjrun(dir, "-np", "2", "-dev", "tcp", RingDemo.class.getName());
        assertContains(out, "[0] ring ok: token=1, allreduce ok on 2 ranks (tcp)\n", "[1] rank 1 of 2 on ",
            ": left 0 via tcp, right 0 via tcp\n");
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
        assertContains(out, "[1] arrays: 5 ints from rank 0, first 4, last 36\n",
            "[0] exchange: 10000 rounds with rank 1 over shm\n",
            "[0] synchronous: complete before the receive was posted: false; after: true\n",
            "[0] truncation: rank 0 of WORLD: message from rank 1 (tag 50) has 100 bytes but the receive buffer holds " +
                "16; the message was discarded\n",
            "[0] tour ok on 4 ranks\n");
    }

    /** Runs bin/mpjrun with the test class path (this module's current classes first); returns its output. */
    static String mpjrun(final Path dir, final String... args) throws IOException, InterruptedException
    {
        return mpjrun(dir, 0, args);
    }

    /** As above, expecting mpjrun to exit with {@code exitStatus}; stdout and stderr merged, in the order written. */
    static String mpjrun(final Path dir, final int exitStatus, final String... args)
        throws IOException, InterruptedException
    {
        try (Mpjrun.Running job = start(args))
        {
            final Mpjrun.Result result = job.await();
            assertEquals(exitStatus, result.exitCode(), "mpjrun " + String.join(" ", args) + " exit status:\n" +
                result.output());
            return result.output();
        }
    }

    /** Starts bin/mpjrun without waiting (for tests that kill a rank), with the test class path, output merged. */
    static Mpjrun.Running start(final String... args) throws IOException
    {
        final List<String> arguments = new ArrayList<>(List.of("--timeout", "90", "-cp",
            Checkout.absoluteTestClassPath()));
        arguments.addAll(List.of(args));
        return Mpjrun.start(arguments, Map.of(), 90, true);
    }
}
