package dev.ringfold.examples;

import dev.ringfold.examples.fashion.SyntheticFashion;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ringfold.testsupport.Mpjrun.assertContains;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Fashion-MNIST trainers' process tests check alike: a run that learned, a run refused at its start. */
final class FashionRun
{
    private static final Pattern LAST_LINE = Pattern.compile("\ntest accuracy: ([01]\\.\\d{4})\n$");

    private FashionRun()
    {
    }

    /** The run went through its 3 epochs and its last line is the test accuracy, at least 0.9 (the bands are easy). */
    static void assertLearnedInThreeEpochs(final String out)
    {
        assertContains(out, "epoch 3/3 [==============================] 100% loss ");
        final Matcher last = LAST_LINE.matcher(out);
        assertTrue(last.find(), "last line is 'test accuracy: 0.XXXX':\n" + out);
        assertTrue(Double.parseDouble(last.group(1)) >= 0.9, "the bands are easy to learn:\n" + out);
    }

    /**
     * {@code main} on {@code np} ranks, over a small synthetic data set, refuses {@code options} before it trains:
     * mpjrun exits 1 and the output says {@code why}.
     */
    static void assertRefused(final Path dir, final int np, final Class<?> main, final String why,
        final String... options) throws Exception
    {
        final Path data = SyntheticFashion.writeDataFolder(dir, 64, 16, 3);
        final List<String> args = new ArrayList<>(List.of("-np", Integer.toString(np), "--no-tag-output",
            main.getName(), "--data", data.toString()));
        args.addAll(List.of(options));
        assertContains(ExamplesProcessTest.mpjrun(dir, 1, args.toArray(String[]::new)), why);
    }
}
