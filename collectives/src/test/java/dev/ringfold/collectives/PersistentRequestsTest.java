package dev.ringfold.collectives;

import java.util.List;
import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.testsupport.SimulatedNodes;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Persistent requests go through the selection table and the call checks like blocking calls: every algorithm, on
 * one node (np 2..4) and on two "nodes" of one machine (the hierarchical rows), see {@link PersistentRanks}.
 */
class PersistentRequestsTest
{
    @ParameterizedTest(name = "np={0}")
    @ValueSource(ints = {2, 3, 4})
    @Timeout(400)
    void everyAlgorithmPersistentAndChecked(final int np) throws Exception
    {
        final String text = Mpjrun.run(np, "shm", List.of(), 360, PersistentRanks.class).assertSucceeded();
        assertEquals(np, Mpjrun.count(text, "ok persistent rank"), text);
        assertEquals(np, Mpjrun.count(text, "ok persistent-mismatch rank"), text);
        // forced, MPI's falling back to the table off the native device, and the table's own pick (one node)
        assertEquals(3 * np, Mpjrun.count(text, "allReduce (shared memory) of 100000"), text);
    }

    @ParameterizedTest(name = "nodes={0}")
    @CsvSource({"a a b b", "a b b"})
    @Timeout(400)
    void onTwoNodes(final String placement) throws Exception
    {
        final String[] nodes = placement.split(" ");
        final String text = SimulatedNodes.run(nodes, 360, PersistentRanks.class);
        assertEquals(nodes.length, Mpjrun.count(text, "ok persistent rank"), text);
        assertEquals(nodes.length, Mpjrun.count(text, "ok persistent-mismatch rank"), text);
        // forced, MPI's falling back to the table off the native device, and the table's own pick (several nodes)
        assertEquals(3 * nodes.length, Mpjrun.count(text, "allReduce (hierarchical) of 100000"), text);
    }
}
