package dev.ringfold.examples;

import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.testsupport.Processes;
import dev.ringfold.examples.fashion.FashionMnistTraining;
import dev.ringfold.examples.fashion.SyntheticFashion;
import dev.ringfold.training.data.DistributedSampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Elastic data parallelism on real ranks (the trainer's --elastic, mpjrun's --elastic), on the synthetic IDX files
 * (1280 training samples, global batch 64: 20 steps an epoch, 3 epochs): a rank that SIGKILLs itself in epoch 2,
 * at several steps, in backward (buckets in flight) or between steps, leaves three replicas that finish the run
 * and learn; every epoch, the interrupted one included, trained on exactly its samples, each once (counted from
 * every rank's --sample-log); no rank JVM and no /dev/shm file of the job is left. Without a failure, an elastic
 * run is bit-identical to the plain run at the same np. Below MIN replicas the survivors stop with a clear error.
 */
class FashionMnistElasticTest
{
    private static final int TRAIN = 1280;
    private static final int BATCH = 64;
    private static final int EPOCHS = 3;
    /** With a replacement: long enough (with --throttle-ms) for its JVM to start and join before the end. */
    private static final int REGROW_EPOCHS = 4;
    private static final Pattern DIGEST = Pattern.compile("parameter digest: ([0-9a-f]{64})");
    private static final Pattern LAST_LINE = Pattern.compile("\ntest accuracy: ([01]\\.\\d{4})\n$");

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void withoutAFailureAnElasticRunIsBitIdenticalToThePlainOne(@TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.write(Files.createDirectory(dir.resolve("data")), TRAIN, 320, 7);
        final String plain = ExamplesProcessTest.mpjrun(dir, "-np", "2", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "2", "--batch-size",
            Integer.toString(BATCH), "--print-digest");
        final String elastic = ExamplesProcessTest.mpjrun(dir, "-np", "2", "--elastic", "1:2", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "2", "--batch-size",
            Integer.toString(BATCH), "--print-digest", "--elastic", "1:2");
        assertTrue(elastic.contains("elastic=1:2"), elastic);
        assertTrue(elastic.contains(", 2 replicas"), "the progress bar shows the width\n" + elastic);
        assertEquals(digest(plain), digest(elastic), "bit-identical parameters\n" + plain + elastic);
    }

    @ParameterizedTest(name = "rank {0} killed in step {1} ({2}), seed {3}")
    @CsvSource({
        "2, 25, backward, 7",
        "0, 31, forward, 11",
        "3, 40, backward, 3",
        "1, 22, backward, 5"})
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void survivorsOfAKilledReplicaTrainOnEverySampleOnceAndLeaveNothing(final int victim, final int step,
        final String phase, final long seed, @TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.write(Files.createDirectory(dir.resolve("data")), TRAIN, 320, seed);
        final Path log = dir.resolve("samples");
        final Run run = run(dir, 0, "-np", "4", "--elastic", "2:4", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", Integer.toString(EPOCHS),
            "--batch-size", Integer.toString(BATCH), "--seed", Long.toString(seed), "--elastic", "2:4",
            "--kill-rank", Integer.toString(victim), "--kill-at-step", Integer.toString(step), "--kill-phase", phase,
            "--sample-log", log.toString(), "--print-digest");
        final String out = run.output;
        // the optimizer reads the remade buckets after the width change: the survivors still agree, bit for bit
        final List<String> digests = new ArrayList<>();
        for (final Matcher m = DIGEST.matcher(out); m.find(); )
        {
            digests.add(m.group(1));
        }
        assertEquals(3, digests.size(), "one digest per survivor\n" + out);
        assertEquals(1, Set.copyOf(digests).size(), "the survivors' parameters are bit-identical\n" + out);
        assertTrue(out.contains("rank " + victim + " kills itself (SIGKILL"), out);
        assertTrue(Pattern.compile("mpjrun: rank " + victim + " \\(pid \\d+\\) was killed by signal 9 \\(SIGKILL\\); " +
            "3 ranks go on").matcher(out).find(), out);
        assertTrue(out.contains("width 4 -> 3 (world rank " + victim + " failed"), out);
        assertTrue(out.contains(", 3 replicas"), "the progress bar shows the new width\n" + out);
        // the other survivors' digest lines may come after replica 0's last line (each rank writes its own)
        final Matcher last = LAST_LINE.matcher(out.replaceAll("(?m)^replica \\d+ parameter digest: \\w+\n", ""));
        assertTrue(last.find(), "last line is 'test accuracy: 0.XXXX':\n" + out);
        assertTrue(Double.parseDouble(last.group(1)) >= 0.9, "the survivors learn the bands:\n" + out);

        for (int epoch = 1; epoch <= EPOCHS; epoch++)
        {
            checkEpochSamples(log, Set.of(victim), epoch, seed, out);
        }
        assertNothingLeft(run);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void twoDeathsAtDifferentTimesLeaveTwoReplicasThatStillTrainOnEverySampleOnce(@TempDir final Path dir)
        throws Exception
    {
        final Path data = SyntheticFashion.write(Files.createDirectory(dir.resolve("data")), TRAIN, 320, 13);
        final Path log = dir.resolve("samples");
        final Run run = run(dir, 0, "-np", "4", "--elastic", "2:4", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", Integer.toString(EPOCHS),
            "--batch-size", Integer.toString(BATCH), "--seed", "13", "--elastic", "2:4", "--kill-rank", "3,1",
            "--kill-at-step", "23,33", "--sample-log", log.toString());
        final String out = run.output;
        assertTrue(out.contains("width 4 -> 3 (world rank 3 failed"), out);
        assertTrue(out.contains("width 3 -> 2 (world rank 1 failed"), out);
        assertTrue(out.contains(", 2 replicas"), out);
        assertTrue(LAST_LINE.matcher(out).find(), out);
        for (int epoch = 1; epoch <= EPOCHS; epoch++)
        {
            checkEpochSamples(log, Set.of(3, 1), epoch, 13, out);
        }
        assertNothingLeft(run);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void belowTheMinimumTheSurvivorsStopWithAClearError(@TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.write(Files.createDirectory(dir.resolve("data")), TRAIN, 320, 7);
        final Run run = run(dir, 1, "-np", "2", "--elastic", "1:2", "--no-tag-output",
            FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs", "2", "--batch-size",
            Integer.toString(BATCH), "--elastic", "2:2", "--kill-rank", "1", "--kill-at-step", "5");
        assertTrue(run.output.contains("1 replica left of 2 (world ranks 1 failed), below the elastic minimum 2; " +
            "stopping at step 4"), run.output);
        assertNothingLeft(run);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aReplacementJoinsTheSurvivorsAndTheRunEndsAtFullWidthOnEverySampleOnce(@TempDir final Path dir)
        throws Exception
    {
        final Path data = SyntheticFashion.write(Files.createDirectory(dir.resolve("data")), TRAIN, 320, 17);
        final Path log = dir.resolve("samples");
        final Run run = run(dir, 0, "-np", "4", "--elastic", "2:4", "--max-replacements", "1",
            "--no-tag-output", FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs",
            Integer.toString(REGROW_EPOCHS), "--batch-size", Integer.toString(BATCH), "--seed", "17", "--elastic",
            "2:4", "--kill-rank", "2", "--kill-at-step", "25", "--throttle-ms", "150", "--sample-log",
            log.toString(), "--print-digest");
        final String out = run.output;
        assertTrue(out.contains("mpjrun: starting a replacement for rank 2 (incarnation 1, 1 of 1"), out);
        assertTrue(out.contains("width 4 -> 3 (world rank 2 failed"), out);
        assertTrue(out.contains("width 3 -> 4 (world rank 2 joined)"), out);
        final int joined = out.indexOf("replacement (incarnation 1) of world rank 2 joined as replica 2 of 4");
        assertTrue(joined >= 0, out);
        assertTrue(out.indexOf(", 4 replicas", joined) > joined, "the progress bar shows full width again\n" + out);
        // the newcomer received the parameters and the optimizer state: all four end with the same bits
        assertEquals(4, digests(out).size(), "one digest per replica\n" + out);
        assertEquals(1, Set.copyOf(digests(out)).size(), "bit-identical parameters\n" + out);
        assertTrue(lastLine(out) >= 0.9, "they learn the bands:\n" + out);
        for (int epoch = 1; epoch <= REGROW_EPOCHS; epoch++)
        {
            checkEpochSamples(log, Set.of(2), epoch, 17, out);
        }
        assertNothingLeft(run);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aSurvivorKilledInAReplacementsJoinIsReplacedTooAndTheRunEndsAtFullWidthOnEverySampleOnce(
        @TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.write(Files.createDirectory(dir.resolve("data")), TRAIN, 320, 23);
        final Path log = dir.resolve("samples");
        // rank 2 dies in step 25; rank 1 as the survivors copy rank 2's replacement the state (--kill-phase join):
        // the copy fails on the others and the newcomer, who shrink and grow again, then rank 1's replacement joins
        final Run run = run(dir, 0, "-np", "4", "--elastic", "2:4", "--max-replacements", "2",
            "--no-tag-output", FashionMnistTraining.class.getName(), "--data", data.toString(), "--epochs",
            Integer.toString(REGROW_EPOCHS), "--batch-size", Integer.toString(BATCH), "--seed", "23", "--elastic",
            "2:4", "--kill-rank", "2,1", "--kill-at-step", "25,26", "--kill-phase", "backward,join",
            "--throttle-ms", "150", "--sample-log", log.toString(), "--print-digest");
        final String out = run.output;
        assertTrue(out.contains("rank 1 kills itself (SIGKILL"), out);
        assertTrue(out.contains("in a replacement's join, as the state copy starts"), out);
        assertTrue(out.contains("world rank 1 failed"), out);
        assertTrue(out.contains("replacement (incarnation 1) of world rank 2 joined as replica"), out);
        assertTrue(out.contains("replacement (incarnation 1) of world rank 1 joined as replica"), out);
        assertEquals(4, digests(out).size(), "full width again: one digest per replica\n" + out);
        assertEquals(1, Set.copyOf(digests(out)).size(), "bit-identical parameters\n" + out);
        assertTrue(lastLine(out) >= 0.9, out);
        for (int epoch = 1; epoch <= REGROW_EPOCHS; epoch++)
        {
            checkEpochSamples(log, Set.of(2, 1), epoch, 23, out);
        }
        assertNothingLeft(run);
    }

    @ParameterizedTest(name = "--max-replacements {0}")
    @ValueSource(ints = {1, 2})
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aReplacementKilledWhileJoiningIsReplacedWhileTheLimitAllowsElseTheSurvivorsGoOn(final int replacements,
        @TempDir final Path dir) throws Exception
    {
        final Path data = SyntheticFashion.write(Files.createDirectory(dir.resolve("data")), TRAIN, 320, 19);
        final Path log = dir.resolve("samples");
        // the test SIGKILLs the first replacement as it asks to join (its knock in flight, or the survivors
        // already growing, or copying it the state: wherever it is, the others must come out of it)
        final Run run = runKilling(dir, "incarnation 1", "-np", "4", "--elastic", "2:4", "--max-replacements",
            Integer.toString(replacements), "--no-tag-output", FashionMnistTraining.class.getName(), "--data",
            data.toString(), "--epochs", Integer.toString(REGROW_EPOCHS), "--batch-size", Integer.toString(BATCH),
            "--seed", "19", "--elastic", "2:4", "--kill-rank", "2", "--kill-at-step", "25", "--throttle-ms", "150",
            "--sample-log", log.toString(), "--print-digest");
        final String out = run.output;
        assertTrue(out.contains("mpjrun: starting a replacement for rank 2 (incarnation 1, 1 of " + replacements),
            out);
        final List<String> digests = digests(out);
        if (replacements == 1)
        {
            assertTrue(out.contains("; no replacement left (--max-replacements)"), out);
            assertFalse(out.contains("incarnation 2"), out);
            assertEquals(3, digests.size(), "the survivors go on at width 3\n" + out);
        }
        else
        {
            assertTrue(out.contains("replacement (incarnation 2) of world rank 2 joined as replica 2 of 4"), out);
            assertEquals(4, digests.size(), "full width again with the second replacement\n" + out);
        }
        assertEquals(1, Set.copyOf(digests).size(), "bit-identical parameters\n" + out);
        assertTrue(lastLine(out) >= 0.9, out);
        for (int epoch = 1; epoch <= REGROW_EPOCHS; epoch++)
        {
            checkEpochSamples(log, Set.of(2), epoch, 19, out);
        }
        assertNothingLeft(run);
    }

    private static List<String> digests(final String out)
    {
        final List<String> digests = new ArrayList<>();
        for (final Matcher m = DIGEST.matcher(out); m.find(); )
        {
            digests.add(m.group(1));
        }
        return digests;
    }

    private static double lastLine(final String out)
    {
        // the other replicas' digest lines may come after replica 0's last line (each rank writes its own)
        final Matcher last = LAST_LINE.matcher(out.replaceAll("(?m)^replica \\d+ parameter digest: \\w+\n", ""));
        assertTrue(last.find(), "last line is 'test accuracy: 0.XXXX':\n" + out);
        return Double.parseDouble(last.group(1));
    }

    /**
     * Every rank's applied steps of {@code epoch}: for each step, the lines at the width the survivors applied it
     * at (the killed rank's lines count for the steps before its death) hold one share per replica, the global
     * batch together; all steps together hold the epoch's samples (positions [0, steps x batch) of its
     * permutation), each once.
     */
    private static void checkEpochSamples(final Path log, final Set<Integer> victims, final int epoch, final long seed,
        final String out) throws IOException
    {
        final Map<Integer, Integer> widthOf = new TreeMap<>();
        final Map<Integer, Map<Integer, List<int[]>>> byWidth = new HashMap<>();
        for (int rank = 0; rank < 4; rank++)
        {
            for (final String line : Files.readAllLines(log.resolve("samples-" + rank + ".txt")))
            {
                final String[] f = line.split(" ");
                if (Integer.parseInt(f[0]) != epoch)
                {
                    continue;
                }
                final int step = Integer.parseInt(f[1]);
                final int width = Integer.parseInt(f[2]);
                final int[] share = new int[f.length - 3];
                for (int i = 0; i < share.length; i++)
                {
                    share[i] = Integer.parseInt(f[3 + i]);
                }
                if (!victims.contains(rank))
                {
                    final Integer before = widthOf.put(step, width);
                    assertTrue(before == null || before == width, "survivors applied epoch " + epoch + " step " +
                        step + " at widths " + before + " and " + width + "\n" + out);
                }
                byWidth.computeIfAbsent(step, s -> new HashMap<>()).computeIfAbsent(width, w -> new ArrayList<>())
                    .add(share);
            }
        }
        final int steps = TRAIN / BATCH;
        assertEquals(steps, widthOf.size(), "epoch " + epoch + ": steps the survivors applied\n" + out);
        final Set<Integer> seen = new HashSet<>();
        for (final Map.Entry<Integer, Integer> e : widthOf.entrySet())
        {
            final List<int[]> shares = byWidth.get(e.getKey()).get(e.getValue());
            assertEquals(e.getValue(), shares.size(), "epoch " + epoch + " step " + e.getKey() + ": one share per " +
                "replica\n" + out);
            int total = 0;
            for (final int[] share : shares)
            {
                total += share.length;
                for (final int index : share)
                {
                    assertTrue(seen.add(index), "epoch " + epoch + ": sample " + index + " seen twice\n" + out);
                }
            }
            assertEquals(BATCH, total, "epoch " + epoch + " step " + e.getKey() + ": the global batch\n" + out);
        }
        final DistributedSampler whole = new DistributedSampler(TRAIN, 1, 0, seed, true, true);
        whole.setEpoch(epoch - 1);
        final Set<Integer> expected = new HashSet<>();
        for (int i = 0; i < steps * BATCH; i++)
        {
            expected.add(whole.index(i));
        }
        assertEquals(expected, seen, "epoch " + epoch + ": exactly the epoch's samples\n" + out);
    }

    private static String digest(final String output)
    {
        final Matcher m = DIGEST.matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    /**
     * mpjrun's output, the processes it started (handles: isAlive checks the start time too, so a pid another
     * process took meanwhile on this busy machine does not count) and the job's id (from a rank's environment).
     */
    private record Run(String output, Map<Long, ProcessHandle> processes, String jobId)
    {
    }

    /** As ExamplesProcessTest.mpjrun, watching the rank JVMs meanwhile. */
    private static Run run(final Path dir, final int exitStatus, final String... args) throws Exception
    {
        return runKilling(dir, exitStatus, null, args);
    }

    /**
     * As {@link #run(Path, int, String...)}; with {@code killAsking} ("incarnation 1"), SIGKILLs the replacement of
     * that incarnation as soon as it prints that it asks to join.
     */
    private static Run runKilling(final Path dir, final String killAsking, final String... args) throws Exception
    {
        return runKilling(dir, 0, killAsking, args);
    }

    private static Run runKilling(final Path dir, final int exitStatus, final String killAsking,
        final String... args) throws Exception
    {
        final Pattern asking = killAsking == null ? null :
            Pattern.compile("replacement \\(" + killAsking + ", pid (\\d+)\\) of world rank \\d+ asks to join");
        boolean killed = false;
        final Map<Long, ProcessHandle> processes = new HashMap<>();
        String jobId = null;
        try (Mpjrun.Running job = ExamplesProcessTest.start(args))
        {
            final ProcessHandle process = job.launcher();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(110);
            while (process.isAlive() && System.nanoTime() < deadline)
            {
                for (final ProcessHandle h : process.descendants().toList())
                {
                    if (processes.putIfAbsent(h.pid(), h) == null || jobId == null)
                    {
                        final String id = jobIdOf(h.pid());
                        jobId = jobId == null ? id : jobId;
                    }
                }
                final Matcher ask = asking == null || killed ? null : asking.matcher(job.stdoutSoFar());
                if (ask != null && ask.find())
                {
                    killed = ProcessHandle.of(Long.parseLong(ask.group(1))).map(ProcessHandle::destroyForcibly)
                        .orElse(false);
                }
                Thread.sleep(20);
            }
            if (process.isAlive())
            {
                fail("mpjrun did not finish within 110 s:\n" + job.stdoutSoFar());
            }
            final Mpjrun.Result result = job.await();
            assertTrue(asking == null || killed, "the replacement to kill never asked to join\n" + result.output());
            assertEquals(exitStatus, result.exitCode(), "mpjrun " + String.join(" ", args) + " exit status:\n" +
                result.output());
            return new Run(result.output(), processes, jobId);
        }
    }

    private static String jobIdOf(final long pid)
    {
        try
        {
            final String environ = Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.ISO_8859_1);
            for (final String variable : environ.split("\0"))
            {
                if (variable.startsWith("RINGFOLD_JOB_ID="))
                {
                    return variable.substring("RINGFOLD_JOB_ID=".length());
                }
            }
        }
        catch (final IOException ex)
        {
            // gone already, or not ours to read
        }
        return null;
    }

    private static void assertNothingLeft(final Run run) throws IOException, InterruptedException
    {
        // an orphan (the killed rank's `kill`) is reaped by PID 1 a moment after mpjrun ended: give it 10 s
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<ProcessHandle> running = run.processes.values().stream().filter(Processes::running).toList();
        while (!running.isEmpty() && System.nanoTime() < deadline)
        {
            Thread.sleep(100);
            running = running.stream().filter(Processes::running).toList();
        }
        for (final ProcessHandle process : running)
        {
            fail("pid " + process.pid() + " (" + process.info().commandLine().orElse("?") + ") still runs\n" +
                run.output);
        }
        assertTrue(run.jobId != null, "no rank's RINGFOLD_JOB_ID seen\n" + run.output);
        try (Stream<Path> s = Files.list(Path.of("/dev/shm")))
        {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.contains(run.jobId))
                .toList(), run.output);
        }
    }
}
