package dev.ringfold.mpi;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's protocol, in one process over {@link LoopbackFabric}, step by step: eager and rendezvous, matching
 * order with wildcards, cancellation, deadlines and a peer's failure at each step. Rings of 16 KiB (frames up to
 * 2 KiB) and an eager limit of 1 KiB, so a few KiB already take the rendezvous path and fill the ring.
 */
@Timeout(60)
class LoopbackProtocolTest
{
    private static final Map<String, String> ENV = Map.of("RINGFOLD_EAGER_LIMIT", "1024",
        "RINGFOLD_FRAGMENT_BYTES", "1024", "RINGFOLD_IDLE", "yield", "RINGFOLD_STALL_MS", "0", "RINGFOLD_CMA", "0");
    private static final int RING = 16 * 1024;
    private static final int BIG = 64 * 1024;

    private static LoopbackFabric fabric(final int size, final boolean byAddress)
    {
        return new LoopbackFabric(size, RING, byAddress, ENV);
    }

    private static UnsafeBuffer offHeap(final int bytes, final int fill)
    {
        final UnsafeBuffer b = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
        b.setMemory(0, bytes, (byte)fill);
        return b;
    }

    private static void assertAll(final UnsafeBuffer b, final int length, final int value)
    {
        for (int i = 0; i < length; i++)
        {
            if (b.getByte(i) != (byte)value)
            {
                throw new AssertionError("byte " + i + " is " + b.getByte(i) + ", expected " + value);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ eager, rendezvous

    @Test
    void eagerMessageReachesAReceivePostedBeforeOrAfterIt()
    {
        final LoopbackFabric f = fabric(2, false);
        final UnsafeBuffer out = offHeap(64, 5);
        final UnsafeBuffer in = offHeap(64, 0);
        final Request early = f.worlds[1].irecv(in, 0, 64, 0, 1);
        assertTrue(f.worlds[0].isend(out, 0, 64, 1, 1).test(), "an eager send completes at once");
        f.pump();
        assertTrue(early.test());
        assertAll(in, 64, 5);

        out.setMemory(0, 64, (byte)6);
        f.worlds[0].isend(out, 0, 64, 1, 2);
        f.pump(); // arrives unexpected
        final Request late = f.worlds[1].irecv(in, 0, 64, 0, 2);
        assertTrue(late.test());
        assertEquals(64, late.status().count());
        assertAll(in, 64, 6);
    }

    @Test
    void rendezvousPulledFromTheSendersMemoryAloneOrTogether()
    {
        // a split minimum of 0: after the first pull to a peer (alone), every later one is copied together; the
        // sender, driven only after the receiver copied every chunk, finds its HELP too late and claims nothing
        final Map<String, String> env = new java.util.HashMap<>(ENV);
        env.put("RINGFOLD_CMA", "1");
        env.put("RINGFOLD_CMA_SPLIT_MIN", "0");
        final LoopbackFabric f = new LoopbackFabric(2, RING, false, env);
        for (int round = 0; round < 3; round++)
        {
            final UnsafeBuffer out = offHeap(BIG, 0);
            for (int i = 0; i < BIG; i++)
            {
                out.putByte(i, (byte)(i * 31 + round));
            }
            final UnsafeBuffer in = offHeap(BIG, 0);
            final Request send = f.worlds[0].isend(out, 0, BIG, 1, 3);
            assertTrue(send.exposed, "the RTS offers the sender's buffer to a pull");
            final Request recv = f.worlds[1].irecv(in, 0, BIG, 0, 3);
            f.pump();
            assertTrue(send.test() && recv.test(), "round " + round);
            assertTrue(send.exposed, "pulled, not streamed: no CTS came (it would have withdrawn the offer)");
            for (int i = 0; i < BIG; i++)
            {
                assertEquals((byte)(i * 31 + round), in.getByte(i), "round " + round + ", byte " + i);
            }
            assertEquals(0, f.engines[0].slotsInUse() + f.engines[1].slotsInUse(), "slots returned");
        }
    }

    @Test
    void rendezvousStreamsAMessageManyTimesTheRingThroughIt()
    {
        for (final boolean byAddress : new boolean[] {false, true})
        {
            final LoopbackFabric f = fabric(2, byAddress);
            final UnsafeBuffer out = offHeap(BIG, 0);
            for (int i = 0; i < BIG; i++)
            {
                out.putByte(i, (byte)(i * 31));
            }
            final UnsafeBuffer in = offHeap(BIG, 0);
            final Request send = f.worlds[0].isend(out, 0, BIG, 1, 3);
            final Request recv = f.worlds[1].irecv(in, 0, BIG, 0, 3);
            assertFalse(send.test(), "a rendezvous send waits for its receiver");
            f.pump();
            assertTrue(send.test() && recv.test(), "byAddress=" + byAddress);
            for (int i = 0; i < BIG; i++)
            {
                assertEquals((byte)(i * 31), in.getByte(i), "byte " + i);
            }
            assertEquals(0, f.engines[0].slotsInUse() + f.engines[1].slotsInUse(), "slots returned");
        }
    }

    @Test
    void aMessageLongerThanTheReceiveFailsOnlyThatReceive()
    {
        final LoopbackFabric f = fabric(2, false);
        final Request send = f.worlds[0].isend(offHeap(BIG, 1), 0, BIG, 1, 4);
        final Request recv = f.worlds[1].irecv(offHeap(BIG / 2, 0), 0, BIG / 2, 0, 4);
        f.pump();
        assertInstanceOf(TruncationException.class, assertThrows(RingfoldException.class, recv::test));
        assertTrue(send.test(), "the sender is done");
    }

    // ----------------------------------------------------------------------------------------------- matching

    @Test
    void matchingFollowsArrivalOrderPerPeerWithWildcards()
    {
        final LoopbackFabric f = fabric(3, false);
        final UnsafeBuffer b = offHeap(8, 0);
        // rank 1 sends tags 7, 8, 7; rank 2 sends tag 9 (eager, so they wait unexpected at rank 0)
        for (final int tag : new int[] {7, 8, 7})
        {
            b.putInt(0, 100 + tag);
            f.worlds[1].isend(b, 0, 8, 0, tag);
        }
        b.putInt(0, 109);
        f.worlds[2].isend(b, 0, 8, 0, 9);
        f.pump();
        final Communicator w = f.worlds[0];
        final UnsafeBuffer in = offHeap(8, 0);
        // specific source, specific tag: the first tag-7 message
        w.irecv(in, 0, 8, 1, 7).await();
        assertEquals(107, in.getInt(0));
        // any tag from rank 1: the oldest left is the tag-8 one
        final Status any = w.irecv(in, 0, 8, 1, Communicator.ANY_TAG).await();
        assertEquals(8, any.tag());
        // any source, tag 9: rank 2's
        assertEquals(2, w.irecv(in, 0, 8, Communicator.ANY_SOURCE, 9).await().source());
        // the second tag-7 message from rank 1 is still there, in order
        final Status last = w.irecv(in, 0, 8, Communicator.ANY_SOURCE, Communicator.ANY_TAG).await();
        assertEquals(1, last.source());
        assertEquals(7, last.tag());
        assertNull(w.iprobe(Communicator.ANY_SOURCE, Communicator.ANY_TAG));
    }

    @Test
    void postedReceivesMatchInPostingOrder()
    {
        final LoopbackFabric f = fabric(2, false);
        final UnsafeBuffer first = offHeap(8, 0);
        final UnsafeBuffer second = offHeap(8, 0);
        final Request a = f.worlds[1].irecv(first, 0, 8, Communicator.ANY_SOURCE, Communicator.ANY_TAG);
        final Request b = f.worlds[1].irecv(second, 0, 8, 0, 3);
        final UnsafeBuffer out = offHeap(8, 0);
        out.putLong(0, 1);
        f.worlds[0].isend(out, 0, 8, 1, 3);
        out.putLong(0, 2);
        f.worlds[0].isend(out, 0, 8, 1, 3);
        f.pump();
        assertTrue(a.test() && b.test());
        assertEquals(1, first.getLong(0), "the earlier posted receive takes the earlier message");
        assertEquals(2, second.getLong(0));
    }

    // ------------------------------------------------------------------------------------------- cancellation

    @Test
    void cancelledUnmatchedReceiveLeavesTheMessageForTheNextOne()
    {
        final LoopbackFabric f = fabric(2, false);
        final UnsafeBuffer abandoned = offHeap(8, 0);
        final Request r = f.worlds[1].irecv(abandoned, 0, 8, 0, 5);
        assertTrue(r.cancel());
        assertFalse(r.isActive());
        final UnsafeBuffer out = offHeap(8, 3);
        f.worlds[0].isend(out, 0, 8, 1, 5);
        f.pump();
        final UnsafeBuffer in = offHeap(8, 0);
        f.worlds[1].irecv(in, 0, 8, 0, 5).await();
        assertAll(in, 8, 3);
        assertAll(abandoned, 8, 0);
    }

    @Test
    void cancelledRendezvousSendBeforeItsMatchIsNeverReceived()
    {
        final LoopbackFabric f = fabric(2, false);
        final Request send = f.worlds[0].isend(offHeap(BIG, 1), 0, BIG, 1, 6);
        f.pump(); // the RTS waits unexpected at rank 1
        assertTrue(send.cancel(), "withdrawn at once: nobody can read a streamed buffer but its sender");
        f.pump(); // the cancel removes it; the answer frees the slot
        assertNull(f.worlds[1].iprobe(0, 6));
        assertEquals(0, f.engines[0].slotsInUse());
        final UnsafeBuffer out = offHeap(16, 2);
        f.worlds[0].isend(out, 0, 16, 1, 6);
        final UnsafeBuffer in = offHeap(16, 0);
        f.worlds[1].irecv(in, 0, 16, 0, 6).await();
        assertAll(in, 16, 2);
    }

    @Test
    void matchedReceiveWithdrawnMidStreamIsNeverWrittenAgainAndItsSenderFails()
    {
        for (final boolean byAddress : new boolean[] {false, true})
        {
            final LoopbackFabric f = fabric(2, byAddress);
            final UnsafeBuffer in = offHeap(BIG, 0);
            final Request recv = f.worlds[1].irecv(in, 0, BIG, 0, 7);
            final Request send = f.worlds[0].isend(offHeap(BIG, 9), 0, BIG, 1, 7);
            f.engines[1].progress(); // matches the RTS: CTS (or CTSA) goes out
            f.engines[0].progress(); // the first DATA frames fill the ring (or the move is queued)
            assertTrue(recv.cancel(), "byAddress=" + byAddress);
            in.setMemory(0, BIG, (byte)0x55); // the caller's again: a late write would show
            f.pump();
            assertAll(in, BIG, 0x55);
            final RingfoldException ex = assertThrows(RingfoldException.class, send::test);
            assertInstanceOf(TransferWithdrawnException.class, ex);
            assertEquals(1, ((TransferWithdrawnException)ex).worldRank());
            assertEquals(0, f.engines[0].slotsInUse() + f.engines[1].slotsInUse(), "tombstones freed");
            // and the pair carries the next message
            final UnsafeBuffer next = offHeap(BIG, 0);
            final Request r2 = f.worlds[1].irecv(next, 0, BIG, 0, 7);
            f.worlds[0].isend(offHeap(BIG, 4), 0, BIG, 1, 7);
            f.pump();
            assertTrue(r2.test());
            assertAll(next, BIG, 4);
        }
    }

    @Test
    void sendWithdrawnMidStreamFailsItsReceiveAndStopsReadingTheBuffer()
    {
        final LoopbackFabric f = fabric(2, false);
        final UnsafeBuffer out = offHeap(BIG, 8);
        final UnsafeBuffer in = offHeap(BIG, 0);
        final Request recv = f.worlds[1].irecv(in, 0, BIG, 0, 8);
        final Request send = f.worlds[0].isend(out, 0, BIG, 1, 8);
        f.engines[1].progress();
        f.engines[0].progress(); // part of it streamed
        assertTrue(send.cancel());
        out.setMemory(0, BIG, (byte)0x66);
        f.pump();
        assertInstanceOf(TransferWithdrawnException.class, assertThrows(RingfoldException.class, recv::test));
        for (int i = 0; i < BIG; i++)
        {
            assertTrue(in.getByte(i) != 0x66, "byte " + i + " was read after the withdrawal");
        }
        assertEquals(0, f.engines[0].slotsInUse() + f.engines[1].slotsInUse());
    }

    @Test
    void bothSidesWithdrawingAtOnceFreeEverything()
    {
        final LoopbackFabric f = fabric(2, true);
        final Request recv = f.worlds[1].irecv(offHeap(BIG, 0), 0, BIG, 0, 9);
        final Request send = f.worlds[0].isend(offHeap(BIG, 1), 0, BIG, 1, 9);
        f.engines[1].progress();
        assertTrue(send.cancel());
        assertTrue(recv.cancel());
        f.pump();
        assertEquals(0, f.engines[0].slotsInUse() + f.engines[1].slotsInUse());
        assertNull(f.worlds[1].iprobe(0, 9));
    }

    // ---------------------------------------------------------------------------------------------- deadlines

    @Test
    void receiveDeadlineAfterTheMatchWithdrawsIt()
    {
        final LoopbackFabric f = fabric(2, false);
        final Request send = f.worlds[0].isend(offHeap(BIG, 3), 0, BIG, 1, 10);
        final UnsafeBuffer in = offHeap(BIG, 0);
        final Request recv = f.worlds[1].irecv(in, 0, BIG, 0, 10);
        // rank 0 never drives progress here: rank 1 matches the RTS and waits for DATA in vain
        final DeadlineExceededException ex = assertThrows(DeadlineExceededException.class,
            () -> recv.await(Duration.ofMillis(50)));
        assertTrue(ex.getMessage().contains("receive of up to " + BIG + " bytes from world rank 0 (tag 10)"),
            ex.getMessage());
        assertFalse(recv.isActive(), "withdrawn before the call returned");
        in.setMemory(0, BIG, (byte)0x77);
        f.pump();
        assertAll(in, BIG, 0x77);
        assertInstanceOf(TransferWithdrawnException.class, assertThrows(RingfoldException.class, send::test));
    }

    @Test
    void blockingSendDeadlineWithdrawsAndTheCommunicatorGoesOn()
    {
        final LoopbackFabric f = fabric(2, false);
        final Communicator quick = f.worlds[0];
        quick.timeout(Duration.ofMillis(50));
        final UnsafeBuffer out = offHeap(BIG, 1);
        assertThrows(DeadlineExceededException.class, () -> quick.send(out, 0, BIG, 1, 11));
        f.pump();
        assertNull(f.worlds[1].iprobe(0, 11), "the withdrawn send is gone");
        // the blocking calls' own request is reused at once
        final Request recv = f.worlds[1].irecv(offHeap(8, 0), 0, 8, 0, 11);
        quick.send(offHeap(8, 2), 0, 8, 1, 11);
        f.pump();
        assertTrue(recv.test());
    }

    // --------------------------------------------------------------------------------------- a peer's failure

    @Test
    void peerDyingBeforeTheMatchFailsAPostedReceiveAndAnySourceOne()
    {
        final LoopbackFabric f = fabric(3, false);
        final Request fromOne = f.worlds[0].irecv(offHeap(8, 0), 0, 8, 1, 1);
        final Request fromAny = f.worlds[0].irecv(offHeap(8, 0), 0, 8, Communicator.ANY_SOURCE, 2);
        f.kill(1);
        assertThrows(PeerFailedException.class, () -> fromOne.await(Duration.ofSeconds(5)));
        assertThrows(PeerFailedException.class, fromAny::test, "it may have been the one meant to send");
        assertThrows(PeerFailedException.class, () -> f.worlds[0].send(offHeap(8, 0), 0, 8, 1, 3));
    }

    @Test
    void messagesSentBeforeDyingAreStillReceived()
    {
        final LoopbackFabric f = fabric(2, false);
        f.worlds[1].isend(offHeap(8, 4), 0, 8, 0, 1);
        f.kill(1);
        final UnsafeBuffer in = offHeap(8, 0);
        f.worlds[0].irecv(in, 0, 8, 1, 1).await(Duration.ofSeconds(5));
        assertAll(in, 8, 4);
    }

    @Test
    void senderDyingAfterItsRtsFailsTheReceiveThatMatchesIt()
    {
        final LoopbackFabric f = fabric(2, false);
        f.worlds[1].isend(offHeap(BIG, 4), 0, BIG, 0, 1);
        f.pump(); // the RTS waits unexpected at rank 0
        f.kill(1);
        final Request probe = f.worlds[0].irecv(offHeap(8, 0), 0, 8, 1, 99);
        assertThrows(PeerFailedException.class, () -> probe.await(Duration.ofSeconds(5)));
        final Request recv = f.worlds[0].irecv(offHeap(BIG, 0), 0, BIG, 1, 1);
        assertThrows(PeerFailedException.class, recv::test);
    }

    @Test
    void peerDyingMidStreamFailsBothDirections()
    {
        final LoopbackFabric f = fabric(2, false);
        final Request recv = f.worlds[0].irecv(offHeap(BIG, 0), 0, BIG, 1, 1);
        final Request send = f.worlds[0].isend(offHeap(BIG, 0), 0, BIG, 1, 2);
        f.worlds[1].isend(offHeap(BIG, 5), 0, BIG, 0, 1);
        f.worlds[1].irecv(offHeap(BIG, 0), 0, BIG, 0, 2);
        f.engines[0].progress();
        f.engines[1].progress();
        f.engines[0].progress(); // both transfers are moving
        f.kill(1);
        assertThrows(PeerFailedException.class, () -> recv.await(Duration.ofSeconds(5)));
        assertThrows(PeerFailedException.class, send::test);
        assertEquals(0, f.engines[0].slotsInUse());
    }

    @Test
    void receiverDyingWhileASendAwaitsItsAnswerFailsTheSend()
    {
        final LoopbackFabric f = fabric(2, false);
        final Request send = f.worlds[0].issend(offHeap(8, 1), 0, 8, 1, 1); // synchronous: waits for the match
        f.kill(1);
        assertThrows(PeerFailedException.class, () -> send.await(Duration.ofSeconds(5)));
    }
}
