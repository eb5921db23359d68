package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.RingChannel;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The send queues over real Agrona rings of 256 bytes, as small as a ring gets, so that a few frames fill one: what
 * finds no room waits, and leaves in order once the reader makes room (control frames first, then fault-tolerance
 * frames, then sends in start order, a send that stopped halfway keeping its place). The sender here writes a
 * request as {@code length} DATA frames naming its tag, one per call until the ring is full, as streaming does.
 */
class SendQueuesTest
{
    private static final int PEER = 1;

    private final OneToOneRingBuffer[] rings = new OneToOneRingBuffer[2];
    private final Channel[] channels = new Channel[2];
    private final DataFrame data = new DataFrame();
    private int trySends;
    private final SendQueues queues;

    SendQueuesTest()
    {
        for (int p = 0; p < 2; p++)
        {
            rings[p] = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(256 + RingBufferDescriptor.TRAILER_LENGTH)));
            channels[p] = new RingChannel(rings[p])
            {
                @Override
                public String kind()
                {
                    return "test";
                }
            };
        }
        queues = new SendQueues(channels, this::writeFrames);
    }

    private boolean writeFrames(final Request r)
    {
        trySends++;
        final Channel ch = channels[r.peer];
        while (r.transferred < r.length)
        {
            final int at = ch.tryClaim(DataFrame.HEADER_LENGTH);
            if (at == Channel.NO_ROOM)
            {
                return false;
            }
            data.wrap(ch.buffer(), at).type(Frames.DATA).put(DataFrame.RECV_ID, r.tag)
                .put(DataFrame.POSITION, r.transferred++);
            ch.commit(at);
        }
        return true;
    }

    private static Request send(final int tag, final int frames)
    {
        final Request r = new Request();
        r.isSend = true;
        r.peer = PEER;
        r.tag = tag;
        r.length = frames;
        return r;
    }

    /** Fills the ring to the peer with BYE frames, which {@link #drain} leaves out. */
    private void fill()
    {
        final Channel ch = channels[PEER];
        int at;
        while ((at = ch.tryClaim(IdFrame.FRAME_LENGTH)) != Channel.NO_ROOM)
        {
            new IdFrame().wrap(ch.buffer(), at).type(Frames.BYE).put(IdFrame.ID, 0);
            ch.commit(at);
        }
    }

    /** Reads everything in the ring to the peer: "CTS 3/4", "FIN 7", "FAILED 2", "DATA 5#0", fillers left out. */
    private List<String> drain()
    {
        final List<String> seen = new ArrayList<>();
        // a read stops at the end of the ring's buffer: read until the consumer has caught up with the producer
        while (rings[PEER].consumerPosition() != rings[PEER].producerPosition())
        {
            readOnce(seen);
        }
        return seen;
    }

    private void readOnce(final List<String> seen)
    {
        rings[PEER].read((type, buffer, index, length) ->
        {
            switch (Frames.type(buffer, index))
            {
                case Frames.BYE -> { }
                case Frames.CTS -> seen.add("CTS " + new IdPairFrame().wrap(buffer, index).get(IdPairFrame.SEND_ID) +
                    "/" + new IdPairFrame().wrap(buffer, index).get(IdPairFrame.RECV_ID));
                case Frames.FIN -> seen.add("FIN " + new IdFrame().wrap(buffer, index).get(IdFrame.ID));
                case Frames.FAILED -> seen.add("FAILED " + new FailedFrame().wrap(buffer, index).get(FailedFrame.RANK));
                case Frames.DATA -> seen.add("DATA " + new DataFrame().wrap(buffer, index).get(DataFrame.RECV_ID) +
                    "#" + new DataFrame().wrap(buffer, index).get(DataFrame.POSITION));
                default -> seen.add("type " + Frames.type(buffer, index));
            }
        }, Integer.MAX_VALUE);
    }

    /** Drains and flushes until nothing waits; everything the peer read, in order. */
    private List<String> drainAll()
    {
        final List<String> seen = new ArrayList<>(drain());
        for (int round = 0; queues.anyQueued() && round < 1000; round++)
        {
            queues.flush();
            seen.addAll(drain());
        }
        seen.addAll(drain());
        assertFalse(queues.anyQueued(), "still queued after 1000 rounds");
        return seen;
    }

    @Test
    void withRoomEverythingGoesAtOnceAndNothingWaits()
    {
        queues.send(send(5, 2));
        queues.control(PEER, Frames.CTS, 3, 4);
        queues.control(PEER, Frames.FIN, 7, 0);
        assertFalse(queues.anyQueued());
        assertEquals(List.of("DATA 5#0", "DATA 5#1", "CTS 3/4", "FIN 7"), drain());
    }

    @Test
    void whatFindsNoRoomLeavesInOrderControlFirstThenFaultToleranceFramesThenSends()
    {
        fill();
        queues.send(send(5, 1));
        queues.send(send(6, 1));
        queues.control(PEER, Frames.CTS, 3, 4);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[16]);
        new FailedFrame().wrap(scratch, 0).type(Frames.FAILED).put(FailedFrame.RANK, 2);
        queues.frame(PEER, scratch, FailedFrame.FRAME_LENGTH);
        // the queue holds a copy: the caller reuses its buffer at once
        new FailedFrame().wrap(scratch, 0).put(FailedFrame.RANK, 9);
        queues.control(PEER, Frames.FIN, 7, 0);
        assertTrue(queues.anyQueued());
        assertEquals(6, queues.firstWaiting(PEER).next.tag);
        assertEquals(List.of("CTS 3/4", "FIN 7", "FAILED 2", "DATA 5#0", "DATA 6#0"), drainAll());
    }

    @Test
    void aSendThatStopsHalfwayKeepsItsPlaceAndALaterOneWaitsBehindIt()
    {
        final Request big = send(5, 20); // 20 DATA frames of 24-byte records: more than a 256-byte ring holds
        queues.send(big);
        assertTrue(queues.anyQueued());
        final int callsBefore = trySends;
        queues.send(send(6, 1)); // behind a waiting send: queued without a try, though one frame would fit
        assertEquals(callsBefore, trySends);
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            expected.add("DATA 5#" + i);
        }
        expected.add("DATA 6#0");
        assertEquals(expected, drainAll());
    }

    @Test
    void aRemovedSendNeverLeavesAndTheQueueStaysWhole()
    {
        fill();
        final Request first = send(1, 1);
        final Request middle = send(2, 1);
        final Request last = send(3, 1);
        queues.send(first);
        queues.send(middle);
        queues.send(last);
        queues.remove(PEER, middle);
        queues.remove(PEER, last); // the tail: a send queued next must still follow the first
        queues.remove(PEER, send(9, 1)); // not queued: nothing happens
        queues.send(send(4, 1));
        assertNull(middle.next);
        assertEquals(List.of("DATA 1#0", "DATA 4#0"), drainAll());
    }

    @Test
    void droppingAPeerHandsBackItsWaitingSendsAndForgetsItsFrames()
    {
        fill();
        final Request a = send(1, 1);
        final Request b = send(2, 1);
        queues.send(a);
        queues.send(b);
        queues.control(PEER, Frames.FIN, 7, 0);
        final Request dropped = queues.dropAll(PEER);
        assertSame(a, dropped);
        assertSame(b, dropped.next);
        assertNull(queues.firstWaiting(PEER));
        assertEquals(List.of(), drainAll());
        final Request again = send(3, 1);
        queues.send(again); // the peer's queues work again (a replacement rank)
        assertEquals(List.of("DATA 3#0"), drain());
    }
}
