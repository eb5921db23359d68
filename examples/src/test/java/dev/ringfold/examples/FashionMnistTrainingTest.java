package dev.ringfold.examples;

import dev.ringfold.examples.fashion.FashionMnistTraining;
import dev.ringfold.examples.fashion.SyntheticFashion;
import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ringfold.testsupport.Mpjrun.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Fashion-MNIST trainer on two real ranks, on a small synthetic data set in the same IDX files (so the test does
 * not need the Debian package): it learns, prints its progress and ends with the line {@code make demo} promises.
 */
class FashionMnistTrainingTest
{
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoRanksLearnAndEndWithTheTestAccuracy(@TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.writeDataFolder(dir, 1280, 320, 7);
        final String out = ExamplesProcessTest.mpjrun(dir, "-np", "2", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "3", "--batch-size", "64",
            "--timing");
        FashionRun.assertLearnedInThreeEpochs(out);
        assertContains(out, "2 ranks data-parallel (allreduce)", "timing: step ");
        // the step loop's own pass and step(), recorded step by step: each median a real time, not 0
        final Matcher loop = Pattern.compile(
            "rank 0's forward and backward in the step loop p50 ([0-9.]+) ms, its step\\(\\) p50 ([0-9.]+) ms")
            .matcher(out);
        assertTrue(loop.find(), out);
        assertTrue(Double.parseDouble(loop.group(1)) > 0 &&
            Double.parseDouble(loop.group(2)) > 0, loop.group() + "\n" + out);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMissingDataSetStopsWithWhatToInstall(@TempDir final Path dir) throws Exception
    {
        final String out = ExamplesProcessTest.mpjrun(dir, 1, "-np", "2", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", dir.resolve("nothing-here").toString());
        assertContains(out, "apt-get install dataset-fashion-mnist", "--data DIR");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aGlobalBatchThatDoesNotDivideIsRefused(@TempDir final Path dir) throws Exception
    {
        FashionRun.assertRefused(dir, 2, FashionMnistTraining.class,
            "--batch-size 33 (the global batch) does not divide over 2 ranks", "--batch-size", "33");
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aReplicatedParameterServerIsKilledAndTheTrainingFinishes(@TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.writeDataFolder(dir, 1280, 320, 7);
        // 2 workers, one shard on 2 server replicas (ranks 2 and 3); replica 0 is SIGKILLed during epoch 2
        try (Mpjrun.Running job = ExamplesProcessTest.start("-np", "4", "--elastic", "3:4", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "3", "--batch-size", "64",
            "--mode", "ps", "--servers", "1", "--server-replicas", "2", "--throttle-ms", "40"))
        {
            final long server = job.rankPid(2, 60);
            final long deadline = System.nanoTime() + 100_000_000_000L;
            while (!job.stdoutSoFar().contains("epoch 2/3") && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertTrue(ProcessHandle.of(server).map(ProcessHandle::destroyForcibly).orElse(false),
                "SIGKILL of server replica 0:\n" + job.stdoutSoFar());
            final Mpjrun.Result ended = job.await();
            final String out = ended.output();
            assertEquals(0, ended.exitCode(), out);
            assertContains(out, "go on (--elastic", "2 workers + 2 parameter servers");
            FashionRun.assertLearnedInThreeEpochs(out);
        }
    }

    /**
     * 3 workers and a parameter server under {@code mpjrun --elastic 3:4}; a worker SIGKILLs itself in epoch 2 (the
     * first one, whose rank also reports, or another): the servers drop it, the other two finish every epoch, and the
     * epoch's sums go over the two (SurvivorsSum), so the run ends with its accuracy line and status 0.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "worker {0} killed")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aParameterServerWorkerIsKilledAndTheOthersFinish(final int victim, @TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.writeDataFolder(dir, 1536, 384, 11);
        // 1536 samples, global batch 96: 16 steps an epoch; the worker dies in global step 24, epoch 2
        try (Mpjrun.Running job = ExamplesProcessTest.start("-np", "4", "--elastic", "3:4", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "3", "--batch-size", "96",
            "--mode", "ps", "--servers", "1", "--kill-rank", Integer.toString(victim), "--kill-at-step", "24"))
        {
            final Mpjrun.Result ended = job.await();
            final String out = ended.output();
            assertEquals(0, ended.exitCode(), out);
            assertContains(out, "rank " + victim + " kills itself", "go on (--elastic", "3 workers + 1 parameter server");
            FashionRun.assertLearnedInThreeEpochs(out);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void parameterServersThatLeaveNoWorkerAreRefused(@TempDir final Path dir) throws Exception
    {
        FashionRun.assertRefused(dir, 2, FashionMnistTraining.class, "--servers 2 leaves no worker among 2 ranks",
            "--mode", "ps", "--servers", "2");
    }
}
