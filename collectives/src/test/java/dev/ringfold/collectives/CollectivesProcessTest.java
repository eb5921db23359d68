package dev.ringfold.collectives;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every collective against a scalar reference on real ranks, np = 1 … 8 (powers of two or not), both transports. */
class CollectivesProcessTest
{
    private static final String[] SECTIONS = {"ok allreduce rank", "ok deterministic rank", "ok bcast-reduce WORLD rank",
        "ok gathers rank", "ok scans rank", "ok allreduce-split rank", "ok concurrent rank", "ok errors rank"};

    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"1,shm", "2,shm", "3,shm", "4,shm", "5,shm", "8,shm", "3,tcp", "4,tcp"})
    @Timeout(400)
    void everyCollectiveMatchesTheReference(final int np, final String dev) throws Exception
    {
        final String text = Job.run(np, dev, 360, CollectivesRanks.class);
        for (final String section : SECTIONS)
        {
            assertEquals(np, Job.count(text, section), section + "\n" + text);
        }
        // the world is one node, unless every rank is alone (tcp)
        assertEquals(np, Job.count(text, dev.equals("shm") || np == 1 ? "placement allreduce one-node rank" :
            "placement allreduce nodes rank"), text);
    }

    /** A rank killed mid-job: the others' shared-memory collectives fail naming it; no region file is left. */
    @org.junit.jupiter.api.Test
    @Timeout(200)
    void sharedMemoryCollectivesSurviveAPeersDeath() throws Exception
    {
        final String text = Job.run(3, "shm", 150, PeerDeathRanks.class);
        assertEquals(3, Job.count(text, "ok region unlinked rank"), text);
        assertEquals(4, Job.count(text, "ok peer death rank"), text);
    }

    /**
     * Ranks of one machine made into two "nodes" (RINGFOLD_NODE): shared memory inside each, TCP between; the table
     * picks the hierarchical algorithms, and every collective still matches the reference, forced algorithms too.
     */
    @ParameterizedTest(name = "nodes={0}")
    @CsvSource({"a a b b", "a a a b b", "a b a b"})
    @Timeout(400)
    void ranksOnTwoNodes(final String placement) throws Exception
    {
        final String[] nodes = placement.split(" ");
        final String text = Job.runOnNodes(nodes, 360, CollectivesRanks.class);
        for (final String section : SECTIONS)
        {
            assertEquals(nodes.length, Job.count(text, section), section + "\n" + text);
        }
        assertEquals(nodes.length, Job.count(text, "placement allreduce nodes rank"), text);
        // the split halves (rank % 2) of "a b a b" each live on one node: shared memory again, no hierarchy
        assertEquals(placement.equals("a b a b") ? nodes.length : 0,
            Job.count(text, "placement allreduce-split one-node rank"), text);
    }
}
