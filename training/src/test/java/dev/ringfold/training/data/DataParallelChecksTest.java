package dev.ringfold.training.data;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Overlap, noSync, BF16 accumulation, zero allocation, bad input, and resume after a rank is killed. */
class DataParallelChecksTest
{
    private static final String[] SECTIONS = {"ok overlap rank", "ok overlap-progress rank", "ok nosync rank",
        "ok bf16-f32 rank", "ok bf16-bf16 rank", "ok allocation-ALL_REDUCE rank",
        "ok allocation-ALL_REDUCE-node-shared rank", "ok allocation-sharded rank",
        "ok allocation-PARAMETER_SERVER rank", "ok persistent rank",
        "ok errors rank", "ok checkpoint-errors rank"};

    @Test
    @Timeout(600)
    void bucketsOverlapAccumulationAllocationAndErrors() throws Exception
    {
        final String text = Mpjrun.run(2, "shm", List.of(), 400, ChecksRanks.class).assertSucceeded();
        for (final String section : SECTIONS)
        {
            assertEquals(2, Mpjrun.count(text, section), section + "\n" + text);
        }
        text.lines().filter(l -> l.contains("trace") || l.contains("bucket ") || l.contains("backward ended") ||
            l.contains("overlap summary") || l.contains("phases") || l.contains("allocated") || l.contains("relative difference"))
            .forEach(System.out::println);
    }

    @Test
    @Timeout(900)
    void resumeAfterKillMinus9EqualsAnUninterruptedRun() throws Exception
    {
        final Path straight = Files.createTempDirectory("dp-resume-straight");
        final Path killed = Files.createTempDirectory("dp-resume-killed");
        try
        {
            final String uninterrupted = Mpjrun.run(2, "shm", List.of(), 240, ResumeRanks.class, straight.toString(),
                "fresh").assertSucceeded();
            assertEquals(2, Mpjrun.count(uninterrupted, "ok resume rank"), uninterrupted);

            try (Mpjrun.Running job = Mpjrun.start(2, "shm", List.of(), List.of(), 240, ResumeRanks.class,
                killed.toString(), "fresh", "100"))
            {
                // a checkpoint in the middle of epoch 1 (step 35 = epoch 1, step 5 of it), then kill rank 1
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
                String text = "";
                while (!text.contains("checkpoint 35 rank 0") && System.nanoTime() < deadline && job.isAlive())
                {
                    Thread.sleep(50);
                    text = job.stdoutSoFar();
                }
                assertTrue(text.contains("checkpoint 35 rank 0"), text);
                final Matcher m = Pattern.compile("pid (\\d+) rank 1").matcher(text);
                assertTrue(m.find(), text);
                final Process kill = new ProcessBuilder("kill", "-9", m.group(1)).inheritIO().start();
                assertEquals(0, kill.waitFor(), "kill -9 " + m.group(1));
                final Mpjrun.Result ended = job.await();
                assertNotEquals(0, ended.exitCode(), ended.toString());
                assertEquals(0, Mpjrun.count(ended.output(), "ok resume rank"), "killed before the end\n" + ended);
            }

            final String resumed = Mpjrun.run(2, "shm", List.of(), 240, ResumeRanks.class, killed.toString(),
                "resume").assertSucceeded();
            assertEquals(2, Mpjrun.count(resumed, "ok resume rank"), resumed);
            final Matcher at = Pattern.compile("resumed at step (\\d+) epoch (\\d+) rank 0").matcher(resumed);
            assertTrue(at.find(), resumed);
            final int step = Integer.parseInt(at.group(1));
            assertTrue(step >= 35 && step < ResumeRanks.EPOCHS * ResumeRanks.STEPS_PER_EPOCH && step % 30 != 0,
                "resumed mid-epoch from a checkpoint at or after the kill's: step " + step);
            System.out.println("killed rank 1 with kill -9 after checkpoint 35; " + at.group());
            assertEquals(DataParallelProcessTest.bits(uninterrupted), DataParallelProcessTest.bits(resumed),
                "resumed run ends with the uninterrupted run's parameters, bit for bit");
        }
        finally
        {
            for (final Path dir : new Path[] {straight, killed})
            {
                try (var files = Files.list(dir))
                {
                    for (final Path f : files.toList())
                    {
                        Files.delete(f);
                    }
                }
                Files.delete(dir);
            }
        }
    }
}
