package dev.ringfold.mpi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerLivenessTest
{
    @Test
    void theFirstReasonStandsAndAClosedPeerDidNotDie()
    {
        final PeerLiveness l = new PeerLiveness(0, 4);
        assertFalse(l.isFailed(2));
        assertNull(l.failure(2));
        assertTrue(l.lose(2, "it has closed its Ringfold runtime", false));
        assertFalse(l.lose(2, "heartbeat", true));
        assertEquals("it has closed its Ringfold runtime", l.failure(2));
        assertFalse(l.died(2));
        assertTrue(l.lose(3, "heartbeat", true));
        assertTrue(l.died(3));
    }

    @Test
    void deathsToldOfAreSettledOnceAndOnlyForTheIncarnationHere()
    {
        final PeerLiveness l = new PeerLiveness(1, 4);
        l.heardOfDeath(2, 1, 0);  // this rank: ignored
        l.heardOfDeath(2, 7, 0);  // out of range: ignored
        l.heardOfDeath(2, -1, 0); // out of range: ignored
        assertFalse(l.anyHeard());
        l.heardOfDeath(2, 3, 0);
        l.heardOfDeath(0, 3, 0); // told twice: settled once
        assertTrue(l.anyHeard());
        final int rank = l.nextHeard();
        assertEquals(3, rank);
        assertEquals("world rank 0 reports that it failed", l.heardReason(rank));
        assertTrue(l.lose(rank, l.heardReason(rank), true));
        assertEquals(-1, l.nextHeard());
        assertFalse(l.anyHeard());

        // a replacement takes slot 3: a late word of the old process's death is not the new one's
        l.revive(3, 1);
        assertFalse(l.isFailed(3));
        assertFalse(l.died(3));
        assertEquals(1, l.incarnation(3));
        l.heardOfDeath(2, 3, 0);
        assertFalse(l.anyHeard());
        l.heardOfDeath(2, 3, 1);
        assertEquals(3, l.nextHeard());
    }

    @Test
    void aPeerLostAnotherWayMeanwhileIsSkipped()
    {
        final PeerLiveness l = new PeerLiveness(0, 3);
        l.heardOfDeath(1, 2, 0);
        l.lose(2, "heartbeat", true);
        assertEquals(-1, l.nextHeard());
    }

    @Test
    void reviveNeedsASeenDeathAndMarkGoneIsADeath()
    {
        final PeerLiveness l = new PeerLiveness(0, 3);
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> l.revive(2, 1));
        assertTrue(e.getMessage().contains("world rank 2"), e.getMessage());
        l.markGone(2, "dead before this rank joined");
        assertTrue(l.died(2));
        l.revive(2, 2);
        assertEquals(2, l.incarnation(2));
        l.joinedAs(3);
        assertEquals(3, l.incarnation(0));
    }
}
