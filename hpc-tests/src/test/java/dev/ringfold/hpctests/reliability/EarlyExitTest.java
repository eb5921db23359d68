package dev.ringfold.hpctests.reliability;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rank that ends before it joins (returns from main before Ringfold.init, or is killed there) fails the job at
 * once: mpjrun names the rank and how it ended, and the ranks waiting in the rendezvous are told the same instead
 * of waiting for the rendezvous's deadline (120 s) or for mpjrun to stop them. The bound asserted is generous (the
 * machine is shared); the times are printed.
 */
class EarlyExitTest
{
    private static final int NP = 3;
    private static final Pattern LEFT = Pattern.compile("early: rank 1 leaving at (\\d+)");
    private static final Pattern TOLD = Pattern.compile("early: rank (\\d) told at (\\d+): (.*)");

    @ParameterizedTest
    @ValueSource(strings = {"return", "sigkill"})
    @Timeout(180)
    void aRankThatEndsBeforeJoiningFailsTheJobAtOnce(final String how) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(NP, "auto", List.of(), 150, EarlyExitRanks.class, how);
        final long endedAt = System.currentTimeMillis();
        assertNotEquals(0, r.exitCode(), r::toString);
        final Matcher left = LEFT.matcher(r.stdout());
        assertTrue(left.find(), r::toString);
        final long leftAt = Long.parseLong(left.group(1));
        final String ended = how.equals("return") ? "exited with code 0" : "was killed by signal 9 \\(SIGKILL\\)";
        final Pattern named = Pattern.compile("rank 1 \\(pid \\d+\\) " + ended + " before it joined the job");
        // a rank killed before the others joined fails the job as a killed rank does, without the "before"
        assertTrue(Pattern.compile("mpjrun: rank 1 \\(pid \\d+\\) " + ended +
            (how.equals("return") ? " before it joined the job" : "")).matcher(r.stderr()).find(), r::toString);
        // the summary does not say it a second time
        assertEquals(1, r.stderr().lines().filter(l -> l.startsWith("mpjrun: rank 1 (pid")).count(), r::toString);
        final Matcher told = TOLD.matcher(r.stdout());
        int toldRanks = 0;
        long slowest = 0;
        while (told.find())
        {
            assertTrue(named.matcher(told.group(3)).find(), told.group());
            slowest = Math.max(slowest, Long.parseLong(told.group(2)) - leftAt);
            toldRanks++;
        }
        System.out.println("early-exit " + how + ": ranks told " + slowest + " ms, mpjrun ended " + (endedAt - leftAt) +
            " ms after rank 1 left");
        // a rank still starting its JVM when the job fails is stopped instead of told
        assertTrue(toldRanks >= 1, r::toString);
        // generous for a shared machine: before, the job ended only at the rendezvous's deadline, 120 s
        assertTrue(endedAt - leftAt < 20_000, (endedAt - leftAt) + " ms\n" + r);
    }
}
