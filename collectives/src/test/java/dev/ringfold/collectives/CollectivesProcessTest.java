package dev.ringfold.collectives;

import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.testsupport.SimulatedNodes;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every collective against a scalar reference on real ranks, np = 1 … 8 (powers of two or not), both of Ringfold's
 * transports, and np = 4 on the native device (ours over Open MPI's point-to-point). Each case costs a job of np
 * JVMs on a 2-core machine, so the list keeps one case per path (one rank, powers of two, not, oversubscribed, TCP,
 * native; nodes uneven and interleaved) rather than every combination.
 */
class CollectivesProcessTest
{
    private static final String[] SECTIONS = {"ok allreduce rank", "ok deterministic rank", "ok bcast-reduce WORLD rank",
        "ok gathers rank", "ok scans rank", "ok allreduce-split rank", "ok concurrent rank", "ok errors rank"};

    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"1,shm", "2,shm", "3,shm", "4,shm", "8,shm", "3,tcp", "4,native"})
    @Timeout(400)
    void everyCollectiveMatchesTheReference(final int np, final String dev) throws Exception
    {
        // calls checked on half the runs: cheap enough to leave on, and the results must not change; at np 3 without
        // cross-memory attach, so that the shared-memory broadcast stages what it otherwise lets the readers pull
        final String text = Mpjrun.run(np, dev, List.of("RINGFOLD_CHECK_COLLECTIVES=" + (np % 2),
            "RINGFOLD_CMA=" + (np == 3 ? "0" : "auto")), 360, CollectivesRanks.class).assertSucceeded();
        for (final String section : SECTIONS)
        {
            assertEquals(np, Mpjrun.count(text, section), section + "\n" + text);
        }
        // the world is one node, unless every rank is alone (tcp)
        assertEquals(np, Mpjrun.count(text, dev.equals("shm") || np == 1 ? "placement allreduce one-node rank" :
            "placement allreduce nodes rank"), text);
    }

    /**
     * Java arrays: read and written in place by the shared-memory algorithms (shm), staged by the others (tcp, where
     * every rank is its own node), with the collector moving them during the calls.
     */
    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"2,shm", "3,shm", "3,tcp"})
    @Timeout(300)
    void javaArraysMatchTheReference(final int np, final String dev) throws Exception
    {
        final String text = Mpjrun.run(np, dev, List.of(), 240, ArrayRanks.class).assertSucceeded();
        for (final String section : new String[] {"ok array allreduce rank", "ok array broadcast rank",
            "ok array gc rank", "ok array errors rank"})
        {
            assertEquals(np, Mpjrun.count(text, section), section + "\n" + text);
        }
    }

    /**
     * The array form of every collective, for every primitive array type, at offsets ({@link ArrayFormsRanks}):
     * staged through the communicator's off-heap area (shm, tcp).
     */
    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"2,shm", "3,tcp"})
    @Timeout(300)
    void everyArrayFormMatchesTheReference(final int np, final String dev) throws Exception
    {
        final String text = Mpjrun.run(np, dev, List.of(), 240, ArrayFormsRanks.class).assertSucceeded();
        assertEquals(np, Mpjrun.count(text, "ok array-forms rank"), text);
    }

    /**
     * A large broadcast from private memory is copied together by each reader and the root (cross-memory attach
     * both ways), at np 2 and oversubscribed at np 3: every piece lands where it belongs, whoever copied it.
     */
    @ParameterizedTest(name = "np={0}")
    @ValueSource(ints = {2, 3})
    @Timeout(300)
    void broadcastsCopiedTogetherMatchTheRoot(final int np) throws Exception
    {
        final String text = Mpjrun.run(np, "shm", List.of("RINGFOLD_CMA=1", "RINGFOLD_CMA_SPLIT_MIN=65536",
            "RINGFOLD_COUNTERS=1"), 240, BroadcastTogetherRanks.class).assertSucceeded();
        assertEquals(np, Mpjrun.count(text, "ok together rank"), text);
    }

    /** A rank killed mid-job: the others' shared-memory collectives fail naming it; no region file is left. */
    @org.junit.jupiter.api.Test
    @Timeout(200)
    void sharedMemoryCollectivesSurviveAPeersDeath() throws Exception
    {
        final String text = Mpjrun.run(3, "shm", List.of(), 150, PeerDeathRanks.class).assertSucceeded();
        assertEquals(3, Mpjrun.count(text, "ok region unlinked rank"), text);
        assertEquals(4, Mpjrun.count(text, "ok peer death rank"), text);
    }

    /**
     * Ranks of one machine made into two "nodes" (RINGFOLD_NODE): shared memory inside each, TCP between; the table
     * picks the hierarchical algorithms, and every collective still matches the reference, forced algorithms too.
     */
    @ParameterizedTest(name = "nodes={0}")
    @CsvSource({"a a a b b", "a b a b"})
    @Timeout(400)
    void ranksOnTwoNodes(final String placement) throws Exception
    {
        final String[] nodes = placement.split(" ");
        final String text = SimulatedNodes.run(nodes, 360, CollectivesRanks.class);
        for (final String section : SECTIONS)
        {
            assertEquals(nodes.length, Mpjrun.count(text, section), section + "\n" + text);
        }
        assertEquals(nodes.length, Mpjrun.count(text, "placement allreduce nodes rank"), text);
        // the split halves (rank % 2) of "a b a b" each live on one node: shared memory again, no hierarchy
        assertEquals(placement.equals("a b a b") ? nodes.length : 0,
            Mpjrun.count(text, "placement allreduce-split one-node rank"), text);
    }

    @ParameterizedTest(name = "dev={0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(120)
    void mismatchedCallsRaiseOnEveryRankAndLateRanksAreNamed(final String dev) throws Exception
    {
        final String text = Mpjrun.run(3, dev, List.of("RINGFOLD_CHECK_COLLECTIVES=1", "RINGFOLD_STALL_MS=400"), 90,
            CallCheckRanks.class).assertSucceeded();
        assertEquals(3, Mpjrun.count(text, "ok call-check rank"), text);
        assertEquals(12, Mpjrun.count(text, "collective calls do not match"), text);
        assertEquals(1, Mpjrun.count(text, "[0] mismatch rank 0: rank 0 of WORLD: collective calls do not match: " +
            "this rank called #1 allReduce(count=8, F32, SUM; RecursiveDoublingAllReduce) but rank 1 called " +
            "#1 allReduce(count=16, F32, SUM; RecursiveDoublingAllReduce)"), text);
        // ranks 0 and 1 wait for rank 2, which sleeps before its call: each says so (on a loaded machine other
        // waits pass the 400 ms too and report as well, so the count is a lower bound)
        for (final String rank : new String[] {"[0] ", "[1] "})
        {
            assertTrue(text.lines().anyMatch(l -> l.startsWith(rank) && l.contains("ringfold: stall: rank") &&
                l.contains("ranks that have entered it: [0,1], not yet: [2]")), rank + "\n" + text);
        }
    }
}
