package dev.ringfold.examples;

import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.examples.fashion.FashionMnistTraining;
import dev.ringfold.examples.fashion.SyntheticFashion;
import dev.ringfold.tensors.Checkpoint;
import dev.ringfold.tensors.Tensor;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Fashion-MNIST trainer's data parallelism on real ranks, with the example's own model, optimizer and loop, on
 * the synthetic IDX files (1280 training samples, global batch 64: 20 steps an epoch): the same global batch on 1, 2
 * and 4 ranks and through a synchronous parameter server gives the same parameters; the same run twice the same
 * bits; buckets start before backward ends; and a run killed with {@code kill -9} mid-epoch and resumed from its
 * checkpoint ends with the uninterrupted run's parameters, bit for bit.
 */
class FashionMnistDataParallelTest
{
    /** The bound on the relative difference between runs that differ only in how the batch is split. */
    private static final double BOUND = 1e-5;
    private static final Pattern DIGEST = Pattern.compile("parameter digest: ([0-9a-f]{64})");
    private static final Pattern STARTED = Pattern.compile("all-reduce started ([0-9.]+) us");
    private static final Pattern BACKWARD_ENDED = Pattern.compile("backward ended ([0-9.]+) us");

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void oneTwoFourRanksAndAParameterServerAgreeAndBucketsOverlapBackward(@TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.writeDataFolder(dir, 1280, 320, 7);
        final String two = train(dir, data, "np2", "-np", "2", "--trace");
        final String twoAgain = train(dir, data, "np2-again", "-np", "2");
        assertEquals(digest(two), digest(twoAgain), "the same np twice: bit-identical parameters\n" + two + twoAgain);
        train(dir, data, "np1", "-np", "1");
        train(dir, data, "np4", "-np", "4");
        final String ps = train(dir, data, "ps", "-np", "3", "--mode", "ps", "--servers", "1");
        assertTrue(ps.contains("3 ranks data-parallel (2 workers + 1 parameter server)"), ps);

        try (BufferAllocator allocator = new RootAllocator())
        {
            final List<float[]> reference = parameters(dir.resolve("np2.arrow"), allocator);
            for (final String other : new String[] {"np1", "np4", "ps"})
            {
                final double difference = relativeDifference(reference, parameters(dir.resolve(other + ".arrow"),
                    allocator));
                System.out.printf("after an epoch, %s vs 2 ranks all-reduce: relative difference %.3e (bound %.0e)%n",
                    other, difference, BOUND);
                assertTrue(difference <= BOUND, other + ": relative difference " + difference);
            }
        }

        // the overlap trace of the 2-rank run: buckets were all-reduced while backward was still running
        final Matcher ended = BACKWARD_ENDED.matcher(two);
        assertTrue(ended.find(), two);
        final double backwardEnd = Double.parseDouble(ended.group(1));
        final Matcher started = STARTED.matcher(two);
        int before = 0;
        int buckets = 0;
        while (started.find())
        {
            buckets++;
            before += Double.parseDouble(started.group(1)) < backwardEnd ? 1 : 0;
        }
        assertEquals(4, buckets, "128 KiB buckets: four for this model\n" + two);
        assertTrue(before >= 2, "the first buckets start before backward ends\n" + two);
        final Matcher summary = Pattern.compile("overlap summary: .*\\(([0-9.]+)%\\)").matcher(two);
        assertTrue(summary.find(), two);
        assertTrue(Double.parseDouble(summary.group(1)) > 0, "some communication hidden behind backward\n" + two);
        System.out.println(summary.group());
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void killMinus9MidEpochThenResumeEndsWithTheUninterruptedParameters(@TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.writeDataFolder(dir, 1280, 320, 7);
        final Path straight = dir.resolve("straight");
        final Path killed = dir.resolve("killed");
        final String uninterrupted = ExamplesProcessTest.mpjrun(dir, "-np", "2", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "2", "--batch-size", "64",
            "--checkpoint", straight.toString(), "--checkpoint-every", "5", "--print-digest");

        // the same run, slowed to 100 ms a step so the kill lands mid-run; rank 0 is killed after a checkpoint in
        // epoch 2 (steps 21..40), which leaves the others waiting on it: the job fails
        final Matcher pid;
        try (Mpjrun.Running job = ExamplesProcessTest.start("-np", "2", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "2", "--batch-size", "64",
            "--checkpoint", killed.toString(), "--checkpoint-every", "5", "--print-digest", "--throttle-ms", "100"))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
            String text = "";
            while (!text.contains("checkpoint: step 25 ") && job.isAlive() && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
                text = job.stdoutSoFar();
            }
            pid = Pattern.compile("checkpoint: step 25 .* by rank 0, pid (\\d+)").matcher(text);
            assertTrue(pid.find(), text);
            final Process kill = new ProcessBuilder("kill", "-9", pid.group(1)).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -9 " + pid.group(1));
            final Mpjrun.Result ended = job.await();
            assertNotEquals(0, ended.exitCode(), ended.output());
            assertTrue(!ended.output().contains("parameter digest"), "killed before the end\n" + ended.output());
        }

        final String resumed = ExamplesProcessTest.mpjrun(dir, "-np", "2", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "2", "--batch-size", "64",
            "--checkpoint", killed.toString(), "--checkpoint-every", "5", "--print-digest", "--resume");
        final Matcher at = Pattern.compile("resumed from .* at step (\\d+) \\(epoch 2, step (\\d+) of 20\\)")
            .matcher(resumed);
        assertTrue(at.find(), resumed);
        final int step = Integer.parseInt(at.group(1));
        assertTrue(step >= 25 && step < 40, "resumed mid-epoch from the checkpoint at or after the kill's: " + step);
        System.out.println("killed rank 0 (pid " + pid.group(1) + ") with kill -9 after checkpoint 25; " + at.group());
        assertEquals(digest(uninterrupted), digest(resumed),
            "the resumed run ends with the uninterrupted run's parameters, bit for bit\n" + uninterrupted + resumed);
    }

    /** One epoch, global batch 64, parameters saved to {@code <name>.arrow}; returns the output. */
    private static String train(final Path dir, final Path data, final String name, final String... launch)
        throws Exception
    {
        final List<String> args = new ArrayList<>();
        final List<String> trainer = new ArrayList<>(List.of(launch));
        args.addAll(trainer.subList(0, 2));
        args.addAll(List.of("--no-tag-output", FashionMnistTraining.class.getName(), "--data", data.toString(),
            "--epochs", "1", "--batch-size", "64", "--print-digest", "--save-parameters",
            dir.resolve(name + ".arrow").toString()));
        args.addAll(trainer.subList(2, trainer.size()));
        return ExamplesProcessTest.mpjrun(dir, args.toArray(new String[0]));
    }

    private static String digest(final String output)
    {
        final Matcher m = DIGEST.matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    private static List<float[]> parameters(final Path file, final BufferAllocator allocator)
    {
        final List<float[]> all = new ArrayList<>();
        try (Checkpoint checkpoint = Checkpoint.read(file, allocator, Checkpoint.Mode.COPIED))
        {
            for (int i = 0; i < checkpoint.names().size(); i++)
            {
                final Tensor t = checkpoint.get("parameter." + i);
                final MemorySegment s = t.segment();
                final float[] values = new float[(int)t.elementCount()];
                for (int e = 0; e < values.length; e++)
                {
                    values[e] = s.getAtIndex(JAVA_FLOAT_UNALIGNED, e);
                }
                all.add(values);
            }
        }
        return all;
    }

    /** ||a - b|| / ||a|| over all parameters together. */
    private static double relativeDifference(final List<float[]> a, final List<float[]> b)
    {
        assertEquals(a.size(), b.size(), "parameter tensors");
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < a.size(); i++)
        {
            assertEquals(a.get(i).length, b.get(i).length, "parameter " + i);
            for (int e = 0; e < a.get(i).length; e++)
            {
                final double d = (double)a.get(i)[e] - b.get(i)[e];
                difference += d * d;
                norm += (double)a.get(i)[e] * a.get(i)[e];
            }
        }
        return Math.sqrt(difference / norm);
    }
}
