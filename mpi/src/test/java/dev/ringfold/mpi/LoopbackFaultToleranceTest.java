package dev.ringfold.mpi;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault-tolerant operations over {@link LoopbackFabric}, one progress round at a time: the agreement with
 * deaths at every step of it (the coordinator, a member, two in turn), revocation reaching every member and only
 * its communicator, and the gossip of deaths.
 */
@Timeout(120)
class LoopbackFaultToleranceTest
{
    private static final Map<String, String> ENV = Map.of("RINGFOLD_EAGER_LIMIT", "1024",
        "RINGFOLD_FRAGMENT_BYTES", "1024", "RINGFOLD_IDLE", "yield", "RINGFOLD_STALL_MS", "0", "RINGFOLD_CMA", "0");
    private static final int RING = 16 * 1024;
    private static final int SIZE = 5;

    private static LoopbackFabric fabric(final int size)
    {
        return new LoopbackFabric(size, RING, false, ENV);
    }

    /** Rank r's flags: every bit but bit r, so the AND says whose flags were counted. */
    private static int flags(final int r)
    {
        return ~(1 << r);
    }

    private record Death(int rank, int atRound)
    {
    }

    /**
     * Starts an agreement on every rank, then runs rounds (every live engine progresses once; after the first
     * death, every live one also checks liveness), killing ranks at the rounds given; returns each rank's
     * agreement once every live one has decided.
     */
    private static Agreement[] run(final LoopbackFabric f, final int size, final List<Death> deaths)
    {
        final Agreement[] a = new Agreement[size];
        final boolean[] dead = new boolean[size];
        for (final Death d : deaths)
        {
            if (d.atRound() < 0)
            {
                f.kill(d.rank());
                dead[d.rank()] = true;
            }
        }
        for (int r = 0; r < size; r++)
        {
            if (!dead[r])
            {
                a[r] = f.worlds[r].startAgreement(flags(r), 100 + r);
            }
        }
        for (int round = 0; round < 10_000; round++)
        {
            for (final Death d : deaths)
            {
                if (d.atRound() == round)
                {
                    f.kill(d.rank());
                    dead[d.rank()] = true;
                }
            }
            boolean all = true;
            for (int r = 0; r < size; r++)
            {
                if (!dead[r])
                {
                    f.engines[r].progress();
                    f.engines[r].checkLiveness();
                    all &= a[r].isComplete();
                }
            }
            if (all)
            {
                return a;
            }
        }
        throw new AssertionError("the survivors did not decide in 10,000 rounds; deaths " + deaths);
    }

    /** Every survivor decided the same; the value is the AND of exactly the members outside the failed set. */
    private static void assertAgreed(final Agreement[] a, final List<Death> deaths)
    {
        Agreement first = null;
        for (int r = 0; r < a.length && first == null; r++)
        {
            final int rank = r;
            if (deaths.stream().noneMatch(d -> d.rank() == rank))
            {
                first = a[r];
            }
        }
        int expected = -1;
        int max = Integer.MIN_VALUE;
        for (int r = 0; r < a.length; r++)
        {
            final int rank = r;
            final boolean victim = deaths.stream().anyMatch(d -> d.rank() == rank);
            if (!Agreement.has(first.failedSet(), r))
            {
                expected &= flags(r);
                max = Math.max(max, 100 + r);
            }
            else
            {
                assertTrue(victim, "rank " + r + " is in the failed set but never died; deaths " + deaths);
            }
        }
        for (int r = 0; r < a.length; r++)
        {
            final int rank = r;
            if (deaths.stream().anyMatch(d -> d.rank() == rank))
            {
                continue;
            }
            assertEquals(expected, a[r].value(), "rank " + r + "'s value; deaths " + deaths);
            assertEquals(max, a[r].maxValue(), "rank " + r + "'s max; deaths " + deaths);
            assertArrayEquals(first.failedSet(), a[r].failedSet(), "rank " + r + "'s failed set; deaths " + deaths);
        }
    }

    @Test
    void withoutFailuresEveryRankGetsTheAndOfAllFlags()
    {
        final LoopbackFabric f = fabric(SIZE);
        final Agreement[] a = run(f, SIZE, List.of());
        assertAgreed(a, List.of());
        int and = -1;
        for (int r = 0; r < SIZE; r++)
        {
            and &= flags(r);
        }
        assertEquals(and, a[3].value());
        assertEquals(0, a[3].failedSet()[0]);
        // and the next one, on the same communicator
        assertAgreed(run(f, SIZE, List.of()), List.of());
    }

    @Test
    void aRankDeadBeforeItStartsIsLeftOutEverywhere()
    {
        for (int victim = 0; victim < SIZE; victim++)
        {
            final List<Death> deaths = List.of(new Death(victim, -1));
            final Agreement[] a = run(fabric(SIZE), SIZE, deaths);
            assertAgreed(a, deaths);
            final int survivor = victim == 0 ? 1 : 0;
            assertTrue(Agreement.has(a[survivor].failedSet(), victim), "victim " + victim);
            assertEquals(1 << victim, a[survivor].value() & (1 << victim), "victim " + victim + "'s flags left out");
        }
    }

    @Test
    void theCoordinatorDyingAtAnyRoundLeavesTheSurvivorsAgreed()
    {
        for (int round = 0; round < 40; round++)
        {
            final List<Death> deaths = List.of(new Death(0, round));
            assertAgreed(run(fabric(SIZE), SIZE, deaths), deaths);
        }
    }

    @Test
    void aMemberDyingAtAnyRoundLeavesTheSurvivorsAgreed()
    {
        for (int victim = 1; victim < SIZE; victim++)
        {
            for (int round = 0; round < 40; round++)
            {
                final List<Death> deaths = List.of(new Death(victim, round));
                assertAgreed(run(fabric(SIZE), SIZE, deaths), deaths);
            }
        }
    }

    @Test
    void twoCoordinatorsDyingInTurnLeaveTheSurvivorsAgreed()
    {
        for (int first = 0; first < 25; first++)
        {
            for (int gap = 0; gap < 25; gap += 2)
            {
                final List<Death> deaths = List.of(new Death(0, first), new Death(1, first + gap));
                assertAgreed(run(fabric(SIZE), SIZE, deaths), deaths);
                final List<Death> other = List.of(new Death(0, first), new Death(3, first + gap));
                assertAgreed(run(fabric(SIZE), SIZE, other), other);
            }
        }
    }

    @Test
    void afterAnAgreementEverySurvivorHasAcknowledgedTheSameFailures()
    {
        final LoopbackFabric f = fabric(SIZE);
        final List<Death> deaths = List.of(new Death(2, -1));
        final Agreement[] a = run(f, SIZE, deaths);
        assertAgreed(a, deaths);
        // what Communicator.agree does once its agreement has decided
        final List<int[]> known = new ArrayList<>();
        for (int r = 0; r < SIZE; r++)
        {
            if (r != 2)
            {
                assertArrayEquals(new int[] {2}, f.worlds[r].knownFailures(), "rank " + r);
                assertArrayEquals(new int[] {}, f.worlds[r].acknowledgedFailures(), "not yet acknowledged");
                f.worlds[r].failureAck();
                known.add(f.worlds[r].acknowledgedFailures());
            }
        }
        for (final int[] k : known)
        {
            assertArrayEquals(new int[] {2}, k);
        }
    }

    // ------------------------------------------------------------------------------------------------ revoke

    private static UnsafeBuffer offHeap(final int bytes)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
    }

    @Test
    void revokeFailsPendingAndLaterCallsOnEveryMemberAndOnlyOnThatCommunicator()
    {
        final LoopbackFabric f = fabric(3);
        final Communicator[] other = new Communicator[3];
        for (int r = 0; r < 3; r++)
        {
            other[r] = new Communicator(f.engines[r], "OTHER", 2, new int[] {0, 1, 2});
        }
        final Request posted = f.worlds[2].irecv(offHeap(8), 0, 8, 0, 1);
        final Request large = f.worlds[1].irecv(offHeap(64 * 1024), 0, 64 * 1024, 0, 2);
        final Request sending = f.worlds[0].isend(offHeap(64 * 1024), 0, 64 * 1024, 1, 2);
        final Request elsewhere = other[2].irecv(offHeap(8), 0, 8, 0, 1);
        f.pump(); // the large transfer is matched and streaming, or done
        f.worlds[1].revoke();
        assertTrue(f.worlds[1].isRevoked());
        f.pump();
        for (int r = 0; r < 3; r++)
        {
            assertTrue(f.worlds[r].isRevoked(), "rank " + r + " heard of it");
            assertFalse(other[r].isRevoked());
        }
        final CommunicatorRevokedException ex = assertThrows(CommunicatorRevokedException.class, posted::test);
        assertEquals(1, ex.worldRank());
        assertTrue(ex.getMessage().contains("WORLD was revoked by its rank 1"), ex.getMessage());
        if (!large.isComplete())
        {
            assertThrows(CommunicatorRevokedException.class, () -> large.await(Duration.ofSeconds(5)));
        }
        if (!sending.isComplete())
        {
            assertThrows(CommunicatorRevokedException.class, () -> sending.await(Duration.ofSeconds(5)));
        }
        assertThrows(CommunicatorRevokedException.class, () -> f.worlds[0].isend(offHeap(8), 0, 8, 1, 3));
        assertThrows(CommunicatorRevokedException.class, () -> f.worlds[2].iprobe(0, 3));
        assertFalse(elsewhere.isComplete());
        other[0].isend(offHeap(8), 0, 8, 2, 1);
        f.pump();
        assertTrue(elsewhere.test(), "the other communicator still carries messages");
        // agreement still works on the revoked one
        final Agreement[] a = run(f, 3, List.of());
        assertEquals(flags(0) & flags(1) & flags(2), a[0].value());
        f.pump();
        assertEquals(0, f.engines[0].slotsInUse());
        assertEquals(0, f.engines[1].slotsInUse());
    }

    @Test
    void revocationReachesEveryoneEvenIfTheRevokerDiesAtOnce()
    {
        final LoopbackFabric f = fabric(4);
        final Request[] posted = new Request[4];
        for (int r = 1; r < 4; r++)
        {
            posted[r] = f.worlds[r].irecv(offHeap(8), 0, 8, 0, 1);
        }
        f.worlds[0].revoke();
        f.kill(0);
        f.engines[1].progress(); // rank 1 reads it first and passes it on
        for (int r = 1; r < 4; r++)
        {
            f.engines[r].progress();
            f.engines[r].progress();
            assertTrue(f.worlds[r].isRevoked(), "rank " + r);
            final Request p = posted[r];
            assertThrows(RingfoldException.class, p::test, "rank " + r);
        }
    }

    // ------------------------------------------------------------------------------------------------- gossip

    @Test
    void aDeathOneRankSeesReachesEveryOtherWithoutTheirOwnCheck()
    {
        final LoopbackFabric f = fabric(4);
        final Request fromAny = f.worlds[3].irecv(offHeap(8), 0, 8, Communicator.ANY_SOURCE, 1);
        f.kill(2);
        f.engines[0].checkLiveness(); // only rank 0 looks
        for (int round = 0; round < 5; round++)
        {
            for (final int r : new int[] {0, 1, 3})
            {
                f.engines[r].progress();
            }
        }
        assertArrayEquals(new int[] {2}, f.worlds[1].knownFailures());
        assertArrayEquals(new int[] {2}, f.worlds[3].knownFailures());
        assertTrue(f.worlds[3].failureOf(2).matches("world rank [01] reports that it failed"), f.worlds[3].failureOf(2));
        assertThrows(PeerFailedException.class, fromAny::test);
        assertEquals(2, f.worlds[1].deadMember());
        assertTrue(Arrays.equals(new int[] {}, f.worlds[1].acknowledgedFailures()));
    }

    // ------------------------------------------------------------------------------------------- incarnations

    /** A FAIL frame from {@code from}: world rank {@code rank}, incarnation {@code incarnation}, has died. */
    private static void toldOfDeath(final Engine to, final int from, final int rank, final int incarnation)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[FailedFrame.FRAME_LENGTH]);
        new FailedFrame().wrap(b, 0).type(Frames.FAILED).put(FailedFrame.RANK, rank)
            .put(FailedFrame.INCARNATION, incarnation);
        to.onFrame(from, b, 0, FailedFrame.FRAME_LENGTH);
    }

    @Test
    void aDeathOrAnAgreementStepOfTheOldProcessArrivingLateIsNotTakenForTheReplacements()
    {
        final LoopbackFabric f = fabric(3);
        f.kill(2);
        f.engines[0].checkLiveness();
        for (int round = 0; round < 5; round++)
        {
            f.engines[0].progress();
            f.engines[1].progress();
        }
        assertArrayEquals(new int[] {2}, f.worlds[1].knownFailures(), "rank 1 heard of the death");
        // a replacement (incarnation 1) takes world rank 2's slot on rank 1
        f.engines[1].revive(2, f.link(1, 2), ProcessHandle.current().pid(), 1);
        assertArrayEquals(new int[] {}, f.worlds[1].knownFailures());
        assertEquals(1, f.engines[1].incarnation(2));

        // rank 0's gossip of the old death, queued while its ring was full, arrives now: the old process's death
        toldOfDeath(f.engines[1], 0, 2, 0);
        f.engines[1].progress();
        assertArrayEquals(new int[] {}, f.worlds[1].knownFailures(), "incarnation 0's death is not incarnation 1's");

        // a late COMMIT of the old process for rank 1's next agreement: dropped, the agreement stays open
        final Agreement open = f.worlds[1].startAgreement(-1, 7);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[AgreeFrame.frameLength(1)]);
        final AgreeFrame step = new AgreeFrame().wrap(b, 0).type(Frames.AGREE).put(AgreeFrame.CTX, 0)
            .put(AgreeFrame.SEQ, 0).put(AgreeFrame.KIND, Agreement.COMMIT).put(AgreeFrame.VALUE, 42)
            .put(AgreeFrame.MAX, 42).put(AgreeFrame.WORDS, 1).put(AgreeFrame.INCARNATION, 0);
        f.engines[1].onFrame(2, b, 0, b.capacity());
        assertFalse(open.isComplete(), "a step of incarnation 0 decides nothing for incarnation 1's peers");
        // the same step from the process that holds the slot now is heard (a COMMIT from a member decides)
        step.put(AgreeFrame.INCARNATION, 1);
        f.engines[1].onFrame(2, b, 0, b.capacity());
        assertTrue(open.isComplete(), "incarnation 1's step is taken");
        assertEquals(42, open.value());

        // the replacement's own death is told with its incarnation: heard
        toldOfDeath(f.engines[1], 0, 2, 1);
        f.engines[1].progress();
        assertArrayEquals(new int[] {2}, f.worlds[1].knownFailures(), "incarnation 1's death");
        assertTrue(f.worlds[1].failureOf(2).contains("world rank 0 reports that it failed"),
            f.worlds[1].failureOf(2));
    }
}
