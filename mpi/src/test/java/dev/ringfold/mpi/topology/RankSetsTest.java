package dev.ringfold.mpi.topology;

import dev.ringfold.mpi.Communicator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MPI's local group operations on world ranks, orders included. */
class RankSetsTest
{
    private static final int[] A = {4, 1, 3};
    private static final int[] B = {3, 0, 4};

    @Test
    void setOperationsKeepTheFirstGroupsOrder()
    {
        assertArrayEquals(new int[]{4, 1, 3, 0}, RankSets.union(A, B));
        assertArrayEquals(new int[]{4, 3}, RankSets.intersection(A, B));
        assertArrayEquals(new int[]{1}, RankSets.difference(A, B));
    }

    @Test
    void ranksTranslateThroughWorldRanks()
    {
        assertEquals(2, RankSets.rankOf(A, 3));
        assertEquals(Communicator.UNDEFINED, RankSets.rankOf(A, 0));
        assertArrayEquals(new int[]{2, Communicator.UNDEFINED, -7}, RankSets.translate(A, new int[]{0, 1, -7}, B, -7));
    }

    @Test
    void includeExcludeAndRanges()
    {
        assertArrayEquals(new int[]{3, 4}, RankSets.include(A, new int[]{2, 0}));
        assertArrayEquals(new int[]{1}, RankSets.exclude(A, new int[]{2, 0}));
        assertArrayEquals(new int[]{0, 2, 4, 5, 3}, RankSets.expand(new int[][]{{0, 4, 2}, {5, 3, -2}}));
    }

    @Test
    void sameMembersIgnoresOrder()
    {
        assertTrue(RankSets.sameMembers(A, new int[]{1, 3, 4}));
        assertFalse(RankSets.sameMembers(A, B));
    }
}
