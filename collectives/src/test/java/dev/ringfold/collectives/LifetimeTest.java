package dev.ringfold.collectives;

import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.testsupport.SimulatedNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A communicator's collectives state lives as long as the communicator: 10,000 times dup, use every algorithm that
 * keeps state, close, and heap, mappings, descriptors and region files end where they began ({@link LifetimeRanks}).
 */
class LifetimeTest
{
    @Test
    @Timeout(1800) // about 15 minutes on 2 cores at load 40, far less on a quiet machine
    void tenThousandDupUseCloseLeaveNothingBehind() throws Exception
    {
        final String text = Mpjrun.run(2, "shm", List.of(), 1740, LifetimeRanks.class, "10000").assertSucceeded();
        System.out.println(text);
        assertEquals(2, Mpjrun.count(text, "ok lifetime rank"), text);
    }

    /**
     * Two "nodes" of one machine: the hierarchy's leader communicator spans them, over TCP. Fewer iterations: each
     * hierarchical one splits twice and crosses TCP (about a second each on 2 cores at load 40).
     */
    @Test
    @Timeout(1200)
    void onTwoNodesTooLeaveNothingBehind() throws Exception
    {
        final String text = SimulatedNodes.run(new String[] {"a", "a", "b"}, 1140, LifetimeRanks.class, "300");
        System.out.println(text);
        assertEquals(3, Mpjrun.count(text, "ok lifetime rank"), text);
    }
}
