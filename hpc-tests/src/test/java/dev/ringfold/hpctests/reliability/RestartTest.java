package dev.ringfold.hpctests.reliability;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mpjrun --max-restarts K}: a job whose rank is SIGKILLed half-way is started again, says so in the log,
 * tells the ranks RINGFOLD_RESTART=1, resumes from the program's checkpoint, and ends with the same result as a
 * run that was never interrupted.
 */
class RestartTest
{
    private static final Pattern RESULT = Pattern.compile("result value=(-?\\d+) restart=(\\d+) resumed-from=(\\d+)");

    @Test
    @Timeout(180)
    void killedJobRestartsFromItsCheckpointWithTheSameResult() throws Exception
    {
        final Path dir = Files.createTempDirectory("restart-test");
        final Mpjrun.Result whole = Mpjrun.start(2, "shm", List.of(), List.of("--max-restarts", "2"), 60,
            RestartRanks.class, dir.resolve("whole.ckpt").toString(), "10", "-1").await();
        assertEquals(0, whole.exitCode(), whole::toString);
        final Matcher w = RESULT.matcher(whole.stdout());
        assertTrue(w.find(), whole::toString);
        assertEquals("0", w.group(2), whole::toString);
        assertTrue(!whole.stderr().contains("restart 1"), whole::toString);

        final Mpjrun.Result killed = Mpjrun.start(2, "shm", List.of(), List.of("--max-restarts", "2"), 60,
            RestartRanks.class, dir.resolve("killed.ckpt").toString(), "10", "5").await();
        assertEquals(0, killed.exitCode(), killed::toString);
        assertTrue(killed.stderr().contains(
            "mpjrun: job failed (rank 1 was killed by signal 9 (SIGKILL)); restart 1 of 2"), killed::toString);
        assertTrue(killed.stdout().contains("rank 1 run with RINGFOLD_RESTART=1 resumes at step 5"), killed::toString);
        final Matcher k = RESULT.matcher(killed.stdout());
        assertTrue(k.find(), killed::toString);
        assertEquals("1", k.group(2), killed::toString);
        assertEquals("5", k.group(3), killed::toString);
        assertEquals(w.group(1), k.group(1), "the restarted job's result differs from the uninterrupted one's\n" + killed);
        for (final String f : List.of("whole.ckpt", "killed.ckpt"))
        {
            Files.deleteIfExists(dir.resolve(f));
        }
        Files.deleteIfExists(dir);
    }
}
