package dev.ringfold.examples;

import dev.ringfold.examples.fashion.FashionMnistPipeline;
import dev.ringfold.examples.fashion.SyntheticFashion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipelined Fashion-MNIST trainer on real ranks, on a small synthetic data set in the same IDX files: 2 stages
 * (np=2) and 2 stages × 2 replicas (np=4) learn, print their progress and stage timelines, and end with the line
 * {@code make demo-pipeline} promises.
 */
class FashionMnistPipelineTest
{
    private static final Pattern LAST_LINE = Pattern.compile("\ntest accuracy: ([01]\\.\\d{4})\n$");

    @ParameterizedTest(name = "np={0}, {1}")
    @CsvSource({"2, gpipe", "4, 1f1b"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void pipelinesLearnAndEndWithTheTestAccuracy(final int np, final String schedule, @TempDir final Path dir)
        throws Exception
    {
        final Path data = Files.createDirectory(dir.resolve("data"));
        SyntheticFashion.write(data, 1280, 320, 7);
        final String out = ExamplesProcessTest.mpjrun(dir, "-np", String.valueOf(np), "--no-tag-output",
            FashionMnistPipeline.class.getName(), "--data", data.toString(), "--epochs", "3", "--batch-size", "64",
            "--stages", "2", "--micro-batches", "4", "--pipeline", schedule, "--width", "64");
        final Matcher last = LAST_LINE.matcher(out);
        assertTrue(last.find(), "last line is 'test accuracy: 0.XXXX':\n" + out);
        assertTrue(Double.parseDouble(last.group(1)) >= 0.9, "the bands are easy to learn:\n" + out);
        assertTrue(out.contains("2 stages × " + np / 2 + " replica"), out);
        assertTrue(out.contains("epoch 3/3 [==============================] 100% loss "), out);
        assertTrue(out.contains("rank " + (np - 1) + " (stage 1, replica " + (np / 2 - 1) + "): idle "), out);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ranksThatDoNotDivideIntoStagesAreRefused(@TempDir final Path dir) throws Exception
    {
        final Path data = Files.createDirectory(dir.resolve("data"));
        SyntheticFashion.write(data, 64, 16, 3);
        final String out = ExamplesProcessTest.mpjrun(dir, 1, "-np", "3", "--no-tag-output",
            FashionMnistPipeline.class.getName(), "--data", data.toString(), "--stages", "2");
        assertTrue(out.contains("3 ranks cannot be divided into pipelines of p=2 stages"), out);
    }
}
