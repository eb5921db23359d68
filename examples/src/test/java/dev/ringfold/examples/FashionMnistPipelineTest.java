package dev.ringfold.examples;

import dev.ringfold.examples.fashion.FashionMnistPipeline;
import dev.ringfold.examples.fashion.SyntheticFashion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.ringfold.testsupport.Mpjrun.assertContains;

/**
 * The pipelined Fashion-MNIST trainer on real ranks, on a small synthetic data set in the same IDX files: 2 stages
 * (np=2) and 2 stages × 2 replicas (np=4) learn, print their progress and stage timelines, and end with the line
 * {@code make demo-pipeline} promises.
 */
class FashionMnistPipelineTest
{
    @ParameterizedTest(name = "np={0}, {1}")
    @CsvSource({"2, gpipe", "4, 1f1b"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void pipelinesLearnAndEndWithTheTestAccuracy(final int np, final String schedule, @TempDir final Path dir)
        throws Exception
    {
        final Path data = SyntheticFashion.writeDataFolder(dir, 1280, 320, 7);
        final String out = ExamplesProcessTest.mpjrun(dir, "-np", String.valueOf(np), "--no-tag-output",
            FashionMnistPipeline.class.getName(), "--data", data.toString(), "--epochs", "3", "--batch-size", "64",
            "--stages", "2", "--micro-batches", "4", "--pipeline", schedule, "--width", "64");
        FashionRun.assertLearnedInThreeEpochs(out);
        assertContains(out, "2 stages × " + np / 2 + " replica",
            "rank " + (np - 1) + " (stage 1, replica " + (np / 2 - 1) + "): idle ");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ranksThatDoNotDivideIntoStagesAreRefused(@TempDir final Path dir) throws Exception
    {
        FashionRun.assertRefused(dir, 3, FashionMnistPipeline.class,
            "3 ranks cannot be divided into pipelines of p=2 stages", "--stages", "2");
    }
}
