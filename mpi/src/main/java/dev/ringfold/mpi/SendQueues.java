package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.Channel;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongArrayQueue;

import java.util.ArrayDeque;

/**
 * What waits for room on the path to each peer, in the order it must leave: control frames (CTS, FIN and the
 * cancels, which answer the peer and so never wait behind this rank's own sends), then fault-tolerance frames
 * (REVOKE, FAILED, AGREE), then sends in the order they were started. A frame or send goes at once when nothing of
 * its kind waits before it and the channel has room; else it joins its queue, which {@link #flush()} empties, in
 * that order, as room appears. Back-pressure ends here: nothing waits for room anywhere else.
 */
final class SendQueues
{
    /** Puts a send's next frames on its channel; true when it no longer needs the queue. */
    interface Sender
    {
        boolean trySend(Request r);
    }

    private final Channel[] channels;
    private final Sender sender;
    private final Request[] head;
    private final Request[] tail;
    private final LongArrayQueue[] control;
    private final ArrayDeque<byte[]>[] frames;
    private final boolean[] queued;
    private int peersWithQueues;
    private final IdPairFrame idPair = new IdPairFrame();
    private final IdFrame id = new IdFrame();

    /** Over {@code channels}, which it reads at each use (a replacement rank gets a new channel there). */
    @SuppressWarnings("unchecked")
    SendQueues(final Channel[] channels, final Sender sender)
    {
        final int peers = channels.length;
        this.channels = channels;
        this.sender = sender;
        this.head = new Request[peers];
        this.tail = new Request[peers];
        this.queued = new boolean[peers];
        this.control = new LongArrayQueue[peers];
        this.frames = new ArrayDeque[peers];
        for (int p = 0; p < peers; p++)
        {
            control[p] = new LongArrayQueue(16, Long.MIN_VALUE);
            frames[p] = new ArrayDeque<>();
        }
    }

    /** Sends the request's frames now if nothing waits before it and there is room; else queues it. */
    void send(final Request r)
    {
        final int peer = r.peer;
        if (head[peer] != null || !sender.trySend(r))
        {
            enqueue(peer, r);
        }
    }

    /**
     * Sends a control frame: {@code type} CTS, CTSA or CANR with both slots, or FIN, CANS or GONE with {@code a} only
     * ({@code b} ignored). Slot ids stay below 2^28 (slot tables never grow that far), so a queued one is one long.
     */
    void control(final int peer, final int type, final int a, final int b)
    {
        if (!control[peer].isEmpty() || !tryControl(peer, type, a, b))
        {
            control[peer].addLong(((long)type << 56) | ((long)a << 28) | b);
            markQueued(peer);
        }
    }

    /** Sends a whole frame (a fault-tolerance one), copied, so that {@code frame} may be reused at once. */
    void frame(final int peer, final DirectBuffer frame, final int length)
    {
        final byte[] copy = new byte[length];
        frame.getBytes(0, copy);
        if (!frames[peer].isEmpty() || !tryFrame(peer, copy))
        {
            frames[peer].addLast(copy);
            markQueued(peer);
        }
    }

    /** Whether anything waits for room, to any peer. */
    boolean anyQueued()
    {
        return peersWithQueues > 0;
    }

    /** The first send waiting for room to {@code peer} (the rest follow through {@link Request#next}), or null. */
    Request firstWaiting(final int peer)
    {
        return head[peer];
    }

    /** Sends whatever now finds room, each peer's queues in order; returns the frames and sends that went. */
    int flush()
    {
        int work = 0;
        for (int peer = 0; peer < queued.length; peer++)
        {
            if (queued[peer])
            {
                work += flush(peer);
            }
        }
        return work;
    }

    private int flush(final int peer)
    {
        int work = 0;
        final LongArrayQueue controls = control[peer];
        while (!controls.isEmpty())
        {
            final long entry = controls.peekLong();
            if (!tryControl(peer, (int)(entry >>> 56), (int)(entry >>> 28) & 0xFFFFFFF, (int)entry & 0xFFFFFFF))
            {
                break;
            }
            controls.pollLong();
            work++;
        }
        final ArrayDeque<byte[]> waiting = frames[peer];
        while (!waiting.isEmpty() && tryFrame(peer, waiting.peekFirst()))
        {
            waiting.pollFirst();
            work++;
        }
        Request r = head[peer];
        while (r != null && sender.trySend(r))
        {
            work++;
            final Request next = r.next;
            r.next = null;
            r = next;
        }
        head[peer] = r;
        if (r == null)
        {
            tail[peer] = null;
        }
        if (r == null && controls.isEmpty() && waiting.isEmpty())
        {
            queued[peer] = false;
            peersWithQueues--;
        }
        return work;
    }

    /** Takes a send out of its queue, if it is there. */
    void remove(final int peer, final Request r)
    {
        Request prev = null;
        for (Request q = head[peer]; q != null; prev = q, q = q.next)
        {
            if (q == r)
            {
                if (prev == null)
                {
                    head[peer] = r.next;
                }
                else
                {
                    prev.next = r.next;
                }
                if (tail[peer] == r)
                {
                    tail[peer] = prev;
                }
                r.next = null;
                return;
            }
        }
    }

    /** Drops the fault-tolerance frames waiting for {@code peer}. */
    void dropFrames(final int peer)
    {
        frames[peer].clear();
    }

    /**
     * Drops everything waiting for {@code peer} and returns the sends that waited, still chained through
     * {@link Request#next}, for the caller to fail.
     */
    Request dropAll(final int peer)
    {
        final Request first = head[peer];
        head[peer] = null;
        tail[peer] = null;
        control[peer].clear();
        frames[peer].clear();
        return first;
    }

    private void enqueue(final int peer, final Request r)
    {
        r.next = null;
        if (tail[peer] == null)
        {
            head[peer] = r;
        }
        else
        {
            tail[peer].next = r;
        }
        tail[peer] = r;
        markQueued(peer);
    }

    private void markQueued(final int peer)
    {
        if (!queued[peer])
        {
            queued[peer] = true;
            peersWithQueues++;
        }
    }

    private boolean tryControl(final int peer, final int type, final int a, final int b)
    {
        final Channel ch = channels[peer];
        if (type == Frames.CTS || type == Frames.CTS_BY_ADDRESS || type == Frames.CANCEL_RECV)
        {
            final int at = ch.tryClaim(IdPairFrame.FRAME_LENGTH);
            if (at == Channel.NO_ROOM)
            {
                return false;
            }
            idPair.wrap(ch.buffer(), at).type(type).put(IdPairFrame.SEND_ID, a).put(IdPairFrame.RECV_ID, b);
            ch.commit(at);
            return true;
        }
        final int at = ch.tryClaim(IdFrame.FRAME_LENGTH);
        if (at == Channel.NO_ROOM)
        {
            return false;
        }
        id.wrap(ch.buffer(), at).type(type).put(IdFrame.ID, a);
        ch.commit(at);
        return true;
    }

    private boolean tryFrame(final int peer, final byte[] frame)
    {
        final Channel ch = channels[peer];
        final int at = ch.tryClaim(frame.length);
        if (at == Channel.NO_ROOM)
        {
            return false;
        }
        ch.buffer().putBytes(at, frame);
        ch.commit(at);
        return true;
    }
}
