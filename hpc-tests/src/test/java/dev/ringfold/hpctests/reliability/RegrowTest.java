package dev.ringfold.hpctests.reliability;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Growing back (issue 16 item 3), the runtime's part, across real processes: mpjrun --elastic with
 * --max-replacements starts a replacement for a SIGKILLed rank, which joins the survivors through the launcher's
 * rendezvous and takes the dead rank's place in WORLD: the survivors receive from it and send to it, large messages
 * included ({@link RegrowRanks}); over shared memory, over TCP ({@code -dev tcp}, the replacement connecting to each
 * survivor with the job's secret and its incarnation) and across two simulated nodes ({@code -dev auto},
 * RINGFOLD_SIMULATED_NODES: shared memory with the survivor of its node, TCP with the other). The survivors, who
 * shrank their communicator when the rank died, grow it by the replacement ({@link dev.ringfold.mpi.Communicator#grow},
 * the replacement's side {@link dev.ringfold.mpi.Communicator#joinGrow}) and all-reduce over it. Then the cleanup: no
 * rank JVM, nothing of the job in /dev/shm.
 */
class RegrowTest
{
    private static final int NP = 3;
    private static final int VICTIM = 1;
    /** The victim shares node a with rank 0; rank 2 is alone on node b. */
    private static final String TWO_NODES = "a,a,b";
    private static final Pattern PIDS = Pattern.compile("regrow: rank (\\d+) incarnation (\\d+) pid (\\d+) job (\\S+)");

    @Test
    @Timeout(180)
    void aReplacementTakesTheDeadRanksPlaceInTheWorld() throws Exception
    {
        final Mpjrun.Result r = run(1, 0, 60);
        assertReplaced(r, 1);
        assertReachedVia(r, 1, "shm", "shm");
    }

    @Test
    @Timeout(180)
    void aReplacementJoinsOverTcp() throws Exception
    {
        final Mpjrun.Result r = run("tcp", Map.of(), 1, 0, 60);
        assertReplaced(r, 1);
        assertReachedVia(r, 1, "tcp", "tcp");
    }

    @Test
    @Timeout(180)
    void aReplacementJoinsAcrossTwoNodes() throws Exception
    {
        final Mpjrun.Result r = run("auto", Map.of("RINGFOLD_SIMULATED_NODES", TWO_NODES), 1, 0, 60);
        assertReplaced(r, 1);
        assertReachedVia(r, 1, "shm", "tcp");
    }

    @Test
    @Timeout(180)
    void aReplacementKilledDuringItsJoinOverTcpIsReplacedInTurn() throws Exception
    {
        final Mpjrun.Result r = run("auto", Map.of("RINGFOLD_SIMULATED_NODES", TWO_NODES), 2, 1, 60, "150");
        assertReplaced(r, 2);
        assertReachedVia(r, 2, "shm", "tcp");
    }

    @Test
    @Timeout(180)
    void aReplacementThatDiesBeforeItJoinsIsReplacedInTurn() throws Exception
    {
        final Mpjrun.Result r = run(2, 1, 60);
        assertTrue(r.stdout().contains("regrow: replacement incarnation 1 dies before it joins"), r::toString);
        assertReplaced(r, 2);
    }

    @Test
    @Timeout(180)
    void aReplacementKilledDuringItsJoinIsReplacedInTurn() throws Exception
    {
        // 150 ms after its main: mostly inside its join (0.2 to 0.4 s on a loaded machine), else just before or after
        final Mpjrun.Result r = run(2, 1, 60, "150");
        assertTrue(r.stdout().contains("regrow: replacement incarnation 1 dies 150 ms into its join"), r::toString);
        assertReplaced(r, 2);
    }

    @Test
    @Timeout(180)
    void pastTheLimitTheSurvivorsGoOnWithoutOne() throws Exception
    {
        final Mpjrun.Result r = run(1, 1, 8);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("no replacement left (--max-replacements)"), r::toString);
        assertEquals(1, r.stderr().lines().filter(l -> l.contains("starting a replacement")).count(), r::toString);
        for (final int survivor : new int[] {0, 2})
        {
            assertTrue(r.stdout().contains("regrow: rank " + survivor + " no replacement (survivors 2)"), r::toString);
        }
        assertCleanedUp(r);
    }

    @Test
    @Timeout(180)
    void aSurvivorThatDiesAfterAnsweringAJoinIsFailedForTheReplacement() throws Exception
    {
        // rank 2 answers the replacement's cards, then dies before the replacement maps its file through their link
        final Mpjrun.Result r = Mpjrun.start(NP, "shm", List.of(), List.of("--elastic", "2:" + NP,
            "--max-replacements", "1"), 120, JoinDeathRanks.class).await();
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("regrow: rank 2 answered the replacement's cards and dies"), r::toString);
        assertTrue(r.stdout().contains("regrow: rank 0 greeted by rank 1 incarnation 1"), r::toString);
        assertTrue(r.stdout().contains("regrow: rank 1 incarnation 1 answered by rank 0"), r::toString);
        // the join's own account of the death, not a survivor's word nor the liveness check (the replacement has none
        // for a rank failed in its transport)
        assertTrue(r.stdout().contains("regrow: rank 1 incarnation 1 sees rank 2 failed: ") &&
            r.stdout().contains("it died while this rank joined as incarnation 1"), r::toString);
        assertTrue(r.stdout().contains("regrow: rank 0 saw rank 2 fail: "), r::toString);
        assertCleanedUp(r);
    }

    private static Mpjrun.Result run(final int replacements, final int dying, final int waitSeconds,
        final String... more) throws Exception
    {
        return run("shm", Map.of(), replacements, dying, waitSeconds, more);
    }

    private static Mpjrun.Result run(final String dev, final Map<String, String> launcherEnv, final int replacements,
        final int dying, final int waitSeconds, final String... more) throws Exception
    {
        final List<String> args = new java.util.ArrayList<>(List.of(Integer.toString(VICTIM), Integer.toString(dying),
            Integer.toString(waitSeconds)));
        args.addAll(List.of(more));
        return Mpjrun.start(NP, dev, List.of(), launcherEnv, List.of("--elastic", "2:" + NP, "--max-replacements",
            Integer.toString(replacements)), 120, RegrowRanks.class, args.toArray(String[]::new)).await();
    }

    /**
     * The job ended well with rank 1's last replacement allowed, incarnation {@code incarnation} (mpjrun saying it
     * started it), joined in its place, and left nothing behind.
     */
    private static void assertReplaced(final Mpjrun.Result r, final int incarnation) throws Exception
    {
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("starting a replacement for rank 1 (incarnation " + incarnation + ", " +
            incarnation + " of " + incarnation + " replacements)"), r::toString);
        assertJoined(r, incarnation);
        assertCleanedUp(r);
    }

    /** How the survivors (rank 0, then rank 2) and the replacement reach each other, both sides saying so. */
    private static void assertReachedVia(final Mpjrun.Result r, final int incarnation, final String rank0,
        final String rank2)
    {
        final String[] via = {rank0, "", rank2};
        for (final int survivor : new int[] {0, 2})
        {
            assertTrue(r.stdout().contains("regrow: rank " + survivor + " greeted by rank 1 incarnation " +
                incarnation + " via " + via[survivor] + " at "), r::toString);
            assertTrue(r.stdout().contains("regrow: rank 1 incarnation " + incarnation + " answered by rank " +
                survivor + " via " + via[survivor]), r::toString);
        }
    }

    private static void assertJoined(final Mpjrun.Result r, final int incarnation)
    {
        assertTrue(r.stdout().contains("regrow: rank 1 incarnation " + incarnation + " joined at "), r::toString);
        for (final int survivor : new int[] {0, 2})
        {
            assertTrue(r.stdout().contains("regrow: rank " + survivor + " saw rank 1 fail"), r::toString);
            assertTrue(r.stdout().contains("regrow: rank " + survivor + " greeted by rank 1 incarnation " +
                incarnation), r::toString);
        }
        for (int rank = 0; rank < NP; rank++)
        {
            final int previous = (rank + NP - 1) % NP;
            assertTrue(r.stdout().contains("regrow: rank " + rank + " ring ok from rank " + previous +
                " incarnation " + (previous == VICTIM ? incarnation : 0)), r::toString);
            assertTrue(r.stdout().contains("regrow: rank " + rank + " grown to " + NP + " ranks (" +
                (rank == VICTIM ? "WORLD.grow" : "WORLD.shrink1.grow1") + "), all-reduce ok"), r::toString);
        }
    }

    private static void assertCleanedUp(final Mpjrun.Result r) throws Exception
    {
        final Matcher pids = PIDS.matcher(r.stdout());
        String job = null;
        int seen = 0;
        while (pids.find())
        {
            final long pid = Long.parseLong(pids.group(3));
            job = pids.group(4);
            seen++;
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " runs\n" + r);
        }
        assertTrue(seen >= NP, r::toString);
        assertEquals(List.of(), FaultInjectionTest.shmFilesOf(job), r::toString);
    }
}
