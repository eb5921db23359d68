package dev.ringfold.mpi;

import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.mpi.trace.Tracer;
import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import dev.ringfold.mpi.transport.InputWaiter;
import dev.ringfold.mpi.transport.Transport;
import dev.ringfold.mpi.transport.shm.CooperativeCopy;
import dev.ringfold.mpi.transport.shm.CrossMemory;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayQueue;
import org.agrona.collections.LongArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * One per rank: the matching engine and the message protocol above the transports, and the only thing that
 * drives them. Threading model: caller-driven progress. Every wait, test and blocking call of the rank's
 * communicators runs {@link #progress()} on the calling thread; there is no background thread. A rank's
 * communicators must be used by one thread at a time (MPI_THREAD_SERIALIZED); a call from a second thread while
 * one is inside the runtime (sending, receiving, driving progress) throws {@link IllegalStateException} naming both.
 *
 * <p>Protocol (frames in {@link Frames}): a message of at most the eager limit goes in one EAGER frame and the
 * send completes at once. A larger one, or a synchronous one of any size, sends an RTS, so it completes only
 * after the receiver has matched it; when the receiver matches it, it either pulls the bytes
 * with one cross-memory copy and answers FIN (shared memory, both buffers off-heap) or answers CTS, and the
 * sender streams DATA fragments into the posted buffer. Either way no staging area as big as the message exists.
 *
 * <p>Matching follows MPI: (context, source, tag) with wildcards, in arrival order per peer; each peer's frames
 * arrive in order on one channel, and a peer's sends leave in the order they were started.
 *
 * <p>Fault tolerance (ULFM's meaning, see {@link Communicator#revoke()}): a death this rank learns of goes to every
 * other rank in a FAILED frame (each passes it on once), REVOKE frames mark a communicator's two contexts revoked,
 * and AGREE frames carry {@link Agreement}'s steps to the communicator they name, outside matching.
 */
final class Engine implements FrameHandler
{
    static final int ANY = MatchingQueues.ANY;
    private static final VarHandle INSIDE;

    static
    {
        try
        {
            INSIDE = MethodHandles.lookup().findVarHandle(Engine.class, "inside", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int worldRank;
    private final int worldSize;
    private final Transport[] transports;
    private final Channel[] channels;
    private final int[] eagerLimit;
    private final long[] pids;
    private final boolean[] cmaDenied;
    private final boolean[] cmaVerified;
    private final int[] copyGeneration;
    private final long cooperativeMin;
    private final String[] failed;
    /** Which process holds each world slot: 0 for the job's first ones, n for the n-th replacement (mpjrun --elastic). */
    private final int[] incarnations;
    private final boolean[] died;    // failed without closing: whatever it still owed a collective never comes
    private final CrossMemory cma;
    private final Waits waits;
    private final int fragmentLimit;
    private final long defaultTimeoutNs;

    // per-peer outbound queues: requests in start order, then control frames (CTS/FIN) that found no room
    private final Request[] queueHead;
    private final Request[] queueTail;
    private final LongArrayQueue[] controlQueue;
    private final ArrayDeque<byte[]>[] frameQueue; // fault-tolerance frames (REVOKE, FAILED, AGREE) that found no room
    private int peersWithQueues;
    private final boolean[] queued;

    private final MatchingQueues matching = new MatchingQueues();
    private final BufferPool pool;

    private final SlotTable slots = new SlotTable();

    private Progressable[] hooks = new Progressable[8];
    private int hookCount;
    private final RuntimeSettings settings;
    private int nextContext = 2; // the world uses 0 (point-to-point) and 1 (its collectives)

    // fault tolerance (ULFM's meaning): revoked contexts, the communicators agreements and revocations reach by
    // context, agreement steps for a communicator this rank has not made yet, deaths heard of from other ranks
    private final Int2IntHashMap revokedBy = new Int2IntHashMap(-1);
    private final Int2ObjectHashMap<Communicator> byContext = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<ArrayList<byte[]>> earlyAgreements = new Int2ObjectHashMap<>();
    private final IntArrayQueue heardDead = new IntArrayQueue(-1);
    private final int[] heardFrom;
    private final UnsafeBuffer frameScratch = new UnsafeBuffer(new byte[256]);
    private final boolean faultTolerant;
    @SuppressWarnings("unused") // through INSIDE
    private Thread inside;     // the thread inside a call of this rank's runtime now, or null
    private boolean closed;
    private int progressCalls;

    Engine(final int worldRank, final int worldSize, final Transport[] transports, final Channel[] channels,
        final long[] pids, final RuntimeSettings settings)
    {
        this.settings = settings;
        this.worldRank = worldRank;
        this.worldSize = worldSize;
        this.transports = transports;
        this.channels = channels;
        this.pids = pids;
        this.eagerLimit = new int[worldSize];
        this.cmaDenied = new boolean[worldSize];
        this.cmaVerified = new boolean[worldSize];
        this.copyGeneration = new int[worldSize];
        this.cooperativeMin = settings.cooperativeCopyFrom();
        this.failed = new String[worldSize];
        this.incarnations = new int[worldSize];
        this.died = new boolean[worldSize];
        this.queueHead = new Request[worldSize];
        this.queueTail = new Request[worldSize];
        this.queued = new boolean[worldSize];
        this.controlQueue = new LongArrayQueue[worldSize];
        @SuppressWarnings("unchecked") final ArrayDeque<byte[]>[] frames = new ArrayDeque[worldSize];
        this.frameQueue = frames;
        this.heardFrom = new int[worldSize];
        int maxEager = 0;
        for (int p = 0; p < worldSize; p++)
        {
            final Channel ch = channels[p];
            eagerLimit[p] = Math.min(settings.eagerLimit(), ch.maxFrameLength() - Frames.EAGER_HEADER);
            maxEager = Math.max(maxEager, eagerLimit[p]);
            controlQueue[p] = new LongArrayQueue(16, Long.MIN_VALUE);
            frameQueue[p] = new ArrayDeque<>();
        }
        boolean overMpi = false;
        for (final Channel ch : channels)
        {
            overMpi |= "native".equals(ch.kind());
        }
        this.faultTolerant = !overMpi;
        this.fragmentLimit = settings.fragmentBytes();
        this.pool = new BufferPool(Math.max(64, maxEager));
        // the native linker only where large messages are pulled: linking costs a rank tens of ms at start
        this.cma = settings.pullsWithCrossMemory() && CrossMemory.supported() ? new CrossMemory() : null;
        if (cma != null)
        {
            CrossMemory.allowPeers(); // so that peers which pull can read this process (Yama's ptrace scope 1)
        }
        this.waits = new Waits(worldRank, settings.idleStrategy(inputWaiter(worldRank, transports, channels)),
            transports, this, matching, settings.stallNs());
        this.defaultTimeoutNs = settings.timeoutNs();
    }

    /**
     * The transport that every peer is on, if it can wait for input (every rank on one node: shared memory; a rank
     * alone on its node: TCP); with peers on two transports nothing can wait on both, and the rank parks.
     */
    private static InputWaiter inputWaiter(final int worldRank, final Transport[] transports, final Channel[] channels)
    {
        if (channels.length < 2)
        {
            return null;
        }
        for (final Transport t : transports)
        {
            if (t instanceof InputWaiter waiter && carriesEveryPeer(t, worldRank, channels))
            {
                return waiter;
            }
        }
        return null;
    }

    private static boolean carriesEveryPeer(final Transport t, final int worldRank, final Channel[] channels)
    {
        for (int p = 0; p < channels.length; p++)
        {
            if (p != worldRank && t.channel(p) != channels[p])
            {
                return false;
            }
        }
        return true;
    }

    int worldRank()
    {
        return worldRank;
    }

    int worldSize()
    {
        return worldSize;
    }

    String transportTo(final int peer)
    {
        return channels[peer].kind();
    }

    boolean sharesMemoryWith(final int peer)
    {
        return peer == worldRank || channels[peer].sharesMemory();
    }

    // ------------------------------------------------------------------------------------------------ sending

    void startSend(final Request r)
    {
        final Thread outer = enter();
        try
        {
            send(r);
        }
        finally
        {
            leave(outer);
        }
    }

    private void send(final Request r)
    {
        checkOpen();
        final int peer = r.peer;
        if (failed[peer] != null)
        {
            throw peerFailed(peer, "send to");
        }
        r.state = Request.PENDING;
        r.phase = Request.QUEUED;
        r.error = null;
        r.transferred = 0;
        r.exposed = false;
        r.byAddress = false;
        r.cancelSent = false;
        r.operation = null;
        if (Tracer.ON)
        {
            r.traceStart = Tracer.now();
        }
        r.status.set(r.comm == null ? peer : r.comm.rankOfWorld(peer), r.tag, r.length);
        if (queueHead[peer] != null || !trySend(r))
        {
            enqueue(peer, r);
        }
    }

    /** Puts the request's first frame on the wire if there is room; true when it no longer needs the queue. */
    private boolean trySend(final Request r)
    {
        final int peer = r.peer;
        final Channel ch = channels[peer];
        if (r.phase == Request.STREAMING)
        {
            return stream(r, ch);
        }
        if (r.length <= eagerLimit[peer] && !r.synchronous)
        {
            final int at = ch.tryClaim(Frames.EAGER_HEADER + r.length);
            if (at == Channel.NO_ROOM)
            {
                return false;
            }
            final MutableDirectBuffer b = ch.buffer();
            b.putInt(at + Frames.TYPE_OFFSET, Frames.EAGER, Frames.ORDER);
            b.putInt(at + Frames.CTX_OFFSET, r.ctx, Frames.ORDER);
            b.putInt(at + Frames.TAG_OFFSET, r.tag, Frames.ORDER);
            b.putInt(at + Frames.LENGTH_OFFSET, r.length, Frames.ORDER);
            b.putLong(at + Frames.EAGER_STAMP_OFFSET, r.stamp, Frames.ORDER);
            UnsafeApi.copyMemory(r.base, r.address, b.byteArray(), b.addressOffset() + at + Frames.EAGER_HEADER, r.length);
            ch.commit(at);
            complete(r);
            return true;
        }
        final int at = ch.tryClaim(Frames.RTS_LENGTH);
        if (at == Channel.NO_ROOM)
        {
            return false;
        }
        if (r.slot < 0)
        {
            slots.take(r);
        }
        // the receiver may read an off-heap buffer itself (cross-memory), or have the path move it by address
        r.exposed = r.base == null && cma != null && ch.pullsFromPeerMemory() && !cmaDenied[peer];
        final boolean pullable = r.exposed || r.base == null && ch.movesByAddress();
        final MutableDirectBuffer b = ch.buffer();
        b.putInt(at + Frames.TYPE_OFFSET, Frames.RTS, Frames.ORDER);
        b.putInt(at + Frames.CTX_OFFSET, r.ctx, Frames.ORDER);
        b.putInt(at + Frames.TAG_OFFSET, r.tag, Frames.ORDER);
        b.putInt(at + Frames.LENGTH_OFFSET, r.length, Frames.ORDER);
        b.putInt(at + Frames.SEND_ID_OFFSET, r.slot, Frames.ORDER);
        b.putLong(at + Frames.ADDRESS_OFFSET, pullable ? r.address : 0L, Frames.ORDER);
        b.putLong(at + Frames.RTS_STAMP_OFFSET, r.stamp, Frames.ORDER);
        ch.commit(at);
        r.phase = Request.AWAIT_CTS;
        return true;
    }

    private boolean stream(final Request r, final Channel ch)
    {
        final int maxPayload = Math.min(fragmentLimit, ch.maxFrameLength() - Frames.DATA_HEADER);
        while (r.transferred < r.length)
        {
            final int n = Math.min(maxPayload, r.length - r.transferred);
            final int at = ch.tryClaim(Frames.DATA_HEADER + n);
            if (at == Channel.NO_ROOM)
            {
                return false;
            }
            final MutableDirectBuffer b = ch.buffer();
            b.putInt(at + Frames.TYPE_OFFSET, Frames.DATA, Frames.ORDER);
            b.putInt(at + Frames.DATA_RECV_ID_OFFSET, r.remoteSlot, Frames.ORDER);
            b.putInt(at + Frames.DATA_OFFSET_OFFSET, r.transferred, Frames.ORDER);
            UnsafeApi.copyMemory(r.base, r.address + r.transferred, b.byteArray(),
                b.addressOffset() + at + Frames.DATA_HEADER, n);
            ch.commit(at);
            r.transferred += n;
        }
        slots.release(r);
        complete(r);
        return true;
    }

    private void enqueue(final int peer, final Request r)
    {
        r.next = null;
        if (queueTail[peer] == null)
        {
            queueHead[peer] = r;
        }
        else
        {
            queueTail[peer].next = r;
        }
        queueTail[peer] = r;
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

    private int flushQueues()
    {
        int work = 0;
        for (int peer = 0; peer < worldSize; peer++)
        {
            if (!queued[peer])
            {
                continue;
            }
            final LongArrayQueue control = controlQueue[peer];
            while (!control.isEmpty())
            {
                final long entry = control.peekLong();
                if (!tryControl(peer, (int)(entry >>> 56), (int)(entry >>> 28) & 0xFFFFFFF, (int)entry & 0xFFFFFFF))
                {
                    break;
                }
                control.pollLong();
                work++;
            }
            final ArrayDeque<byte[]> frames = frameQueue[peer];
            while (!frames.isEmpty() && tryFrame(peer, frames.peekFirst()))
            {
                frames.pollFirst();
                work++;
            }
            Request r = queueHead[peer];
            while (r != null && trySend(r))
            {
                work++;
                final Request next = r.next;
                r.next = null;
                r = next;
            }
            queueHead[peer] = r;
            if (r == null)
            {
                queueTail[peer] = null;
            }
            if (r == null && control.isEmpty() && frames.isEmpty())
            {
                queued[peer] = false;
                peersWithQueues--;
            }
        }
        return work;
    }

    private void sendControl(final int peer, final int type, final int a, final int b)
    {
        if (!controlQueue[peer].isEmpty() || !tryControl(peer, type, a, b))
        {
            // ids stay below 2^28 (slot tables never grow that far)
            controlQueue[peer].addLong(((long)type << 56) | ((long)a << 28) | b);
            markQueued(peer);
        }
    }

    private boolean tryControl(final int peer, final int type, final int a, final int b)
    {
        final Channel ch = channels[peer];
        if (type == Frames.CTS || type == Frames.CTS_BY_ADDRESS || type == Frames.CANCEL_RECV)
        {
            final int at = ch.tryClaim(Frames.CTS_LENGTH);
            if (at == Channel.NO_ROOM)
            {
                return false;
            }
            final MutableDirectBuffer buf = ch.buffer();
            buf.putInt(at + Frames.TYPE_OFFSET, type, Frames.ORDER);
            buf.putInt(at + Frames.CTS_SEND_ID_OFFSET, a, Frames.ORDER);
            buf.putInt(at + Frames.CTS_RECV_ID_OFFSET, b, Frames.ORDER);
            ch.commit(at);
            return true;
        }
        final int at = ch.tryClaim(Frames.FIN_LENGTH);
        if (at == Channel.NO_ROOM)
        {
            return false;
        }
        final MutableDirectBuffer buf = ch.buffer();
        buf.putInt(at + Frames.TYPE_OFFSET, type, Frames.ORDER); // FIN, CANS or GONE: one id
        buf.putInt(at + Frames.FIN_SEND_ID_OFFSET, a, Frames.ORDER);
        ch.commit(at);
        return true;
    }

    /** Sends a frame of the fault-tolerance protocol, queued behind what already waits for room to this peer. */
    private void sendFrame(final int peer, final DirectBuffer frame, final int length)
    {
        if (failed[peer] != null || peer == worldRank)
        {
            return;
        }
        final byte[] copy = new byte[length];
        frame.getBytes(0, copy);
        if (!frameQueue[peer].isEmpty() || !tryFrame(peer, copy))
        {
            frameQueue[peer].addLast(copy);
            markQueued(peer);
        }
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

    // ---------------------------------------------------------------------------------------------- receiving

    void startRecv(final Request r)
    {
        final Thread outer = enter();
        try
        {
            recv(r);
        }
        finally
        {
            leave(outer);
        }
    }

    private void recv(final Request r)
    {
        checkOpen();
        r.state = Request.PENDING;
        r.phase = Request.QUEUED;
        r.error = null;
        r.transferred = 0;
        r.sourceWorld = -1;
        r.stamp = 0;
        r.byAddress = false;
        r.cancelSent = false;
        r.operation = null;
        if (Tracer.ON)
        {
            r.traceStart = Tracer.now();
        }
        final Envelope e = matching.findUnexpected(r.ctx, r.peer, r.tag);
        if (e != null)
        {
            deliverUnexpected(r, e);
            return;
        }
        if (r.peer != ANY && failed[r.peer] != null)
        {
            r.state = Request.IDLE;
            throw peerFailed(r.peer, "receive from");
        }
        matching.post(r);
    }

    private void deliverUnexpected(final Request r, final Envelope e)
    {
        final int source = e.source;
        final int tag = e.tag;
        final int length = e.length;
        final boolean rendezvous = e.rendezvous;
        final int remoteSlot = e.remoteSlot;
        final long remoteAddress = e.remoteAddress;
        final UnsafeBuffer data = e.data;
        r.stamp = e.stamp;
        matching.remove(e);
        r.sourceWorld = source;
        if (rendezvous)
        {
            pull(r, source, tag, length, remoteSlot, remoteAddress);
            return;
        }
        if (length > r.length)
        {
            setStatus(r, source, tag, length); // says who sent what, for a collective's mismatch message
            fail(r, truncated(r, source, tag, length));
        }
        else
        {
            UnsafeApi.copyMemory(data.byteArray(), data.addressOffset(), r.base, r.address, length);
            setStatus(r, source, tag, length);
            complete(r);
        }
        pool.release(data);
    }

    @Override
    public void onFrame(final int peer, final DirectBuffer buffer, final int offset, final int length)
    {
        final int type = buffer.getInt(offset + Frames.TYPE_OFFSET, Frames.ORDER);
        switch (type)
        {
            case Frames.EAGER -> onEager(peer, buffer, offset);
            case Frames.RTS -> onRts(peer, buffer, offset);
            case Frames.CTS -> onCts(buffer, offset);
            case Frames.DATA -> onData(buffer, offset, length);
            case Frames.FIN -> onFin(buffer, offset);
            case Frames.BYE -> closedAfterTellingOfDeaths(peer);
            case Frames.HELP -> onHelp(peer, buffer, offset);
            case Frames.CTS_BY_ADDRESS -> onCtsByAddress(buffer, offset);
            case Frames.CANCEL_SEND -> onCancelSend(peer, buffer.getInt(offset + Frames.CANCEL_SEND_ID_OFFSET, Frames.ORDER));
            case Frames.CANCEL_RECV -> onCancelRecv(peer, buffer.getInt(offset + Frames.CANCEL_SEND_ID_OFFSET, Frames.ORDER),
                buffer.getInt(offset + Frames.CANCEL_RECV_ID_OFFSET, Frames.ORDER));
            case Frames.WITHDRAWN -> onWithdrawn(buffer.getInt(offset + Frames.WITHDRAWN_ID_OFFSET, Frames.ORDER));
            case Frames.REVOKE -> revoked(buffer.getInt(offset + Frames.REVOKE_CTX_OFFSET, Frames.ORDER),
                buffer.getInt(offset + Frames.REVOKE_BY_OFFSET, Frames.ORDER));
            case Frames.FAILED -> heardOfDeath(peer, buffer.getInt(offset + Frames.FAILED_RANK_OFFSET, Frames.ORDER),
                buffer.getInt(offset + Frames.FAILED_INCARNATION_OFFSET, Frames.ORDER));
            case Frames.AGREE -> onAgreement(peer, buffer, offset, length);
            default -> onPeerFailure(peer, "sent a frame of unknown type " + type + " (protocol mismatch?)");
        }
    }

    private void onEager(final int peer, final DirectBuffer buffer, final int offset)
    {
        final int ctx = buffer.getInt(offset + Frames.CTX_OFFSET, Frames.ORDER);
        final int tag = buffer.getInt(offset + Frames.TAG_OFFSET, Frames.ORDER);
        final int length = buffer.getInt(offset + Frames.LENGTH_OFFSET, Frames.ORDER);
        final long stamp = buffer.getLong(offset + Frames.EAGER_STAMP_OFFSET, Frames.ORDER);
        final long src = buffer.addressOffset() + offset + Frames.EAGER_HEADER;
        final Request r = matching.findPosted(ctx, peer, tag);
        if (r != null)
        {
            matching.removePosted(r);
            r.sourceWorld = peer;
            r.stamp = stamp; // before a truncation fails it: a collective tells a mismatched call from it
            if (length > r.length)
            {
                setStatus(r, peer, tag, length);
                fail(r, truncated(r, peer, tag, length));
                return;
            }
            UnsafeApi.copyMemory(buffer.byteArray(), src, r.base, r.address, length);
            setStatus(r, peer, tag, length);
            complete(r);
            return;
        }
        final Envelope e = matching.arrive(ctx, peer, tag, length);
        e.stamp = stamp;
        e.data = pool.acquire(length);
        UnsafeApi.copyMemory(buffer.byteArray(), src, e.data.byteArray(), e.data.addressOffset(), length);
    }

    private void onRts(final int peer, final DirectBuffer buffer, final int offset)
    {
        final int ctx = buffer.getInt(offset + Frames.CTX_OFFSET, Frames.ORDER);
        final int tag = buffer.getInt(offset + Frames.TAG_OFFSET, Frames.ORDER);
        final int length = buffer.getInt(offset + Frames.LENGTH_OFFSET, Frames.ORDER);
        final int sendSlot = buffer.getInt(offset + Frames.SEND_ID_OFFSET, Frames.ORDER);
        final long address = buffer.getLong(offset + Frames.ADDRESS_OFFSET, Frames.ORDER);
        final long stamp = buffer.getLong(offset + Frames.RTS_STAMP_OFFSET, Frames.ORDER);
        final Request r = matching.findPosted(ctx, peer, tag);
        if (r != null)
        {
            matching.removePosted(r);
            r.sourceWorld = peer;
            r.stamp = stamp;
            pull(r, peer, tag, length, sendSlot, address);
            return;
        }
        final Envelope e = matching.arrive(ctx, peer, tag, length);
        e.rendezvous = true;
        e.stamp = stamp;
        e.remoteSlot = sendSlot;
        e.remoteAddress = address;
    }

    /** The receive has matched an RTS: take the bytes, by one cross-memory copy where possible. */
    private void pull(final Request r, final int peer, final int tag, final int length, final int sendSlot,
        final long address)
    {
        r.remoteSlot = sendSlot; // names the transfer in a cancel either side may send
        if (failed[peer] != null)
        {
            fail(r, peerFailed(peer, "receive from"));
            return;
        }
        if (length > r.length)
        {
            sendControl(peer, Frames.FIN, sendSlot, 0); // the sender is done; only this receive fails
            setStatus(r, peer, tag, length);
            fail(r, truncated(r, peer, tag, length));
            return;
        }
        setStatus(r, peer, tag, length);
        if (length == 0)
        {
            // an empty synchronous send: matching is all there is to it
            sendControl(peer, Frames.FIN, sendSlot, 0);
            complete(r);
            return;
        }
        if (address != 0 && r.base == null && channels[peer].movesByAddress())
        {
            // both buffers off-heap and a path (MPI) that moves them itself: post the receive, then let the sender go
            r.phase = Request.STREAMING;
            r.byAddress = true;
            slots.take(r);
            channels[peer].receiveByAddress(r.address, length, r.slot, r.slot);
            sendControl(peer, Frames.CTS_BY_ADDRESS, sendSlot, r.slot);
            return;
        }
        if (address != 0 && r.base == null && cma != null && !cmaDenied[peer])
        {
            final int errno = cmaVerified[peer] && length >= cooperativeMin && peer != worldRank &&
                channels[peer].copyTogetherSlot(true) != null ?
                copyTogether(peer, r.address, address, length, sendSlot) :
                cma.read(pids[peer], r.address, address, length);
            if (errno == 0)
            {
                cmaVerified[peer] = true;
                sendControl(peer, Frames.FIN, sendSlot, 0);
                complete(r);
                return;
            }
            if (CrossMemory.isGoneError(errno))
            {
                onPeerFailure(peer, "process " + pids[peer] + " is gone");
                fail(r, peerFailed(peer, "receive from")); // matched already: in no list the failure goes through
                return;
            }
            cmaDenied[peer] = true; // not permitted here: stream through the ring from now on
        }
        r.phase = Request.STREAMING;
        slots.take(r);
        sendControl(peer, Frames.CTS, sendSlot, r.slot);
    }

    /**
     * Receiver: copies a large message together with its sender (see {@link CooperativeCopy}). Asks for help with
     * a HELP frame if the ring has room (else copies alone), copies every chunk it can claim, then waits for the
     * chunks the sender claimed. Returns 0, or the errno that stopped it.
     */
    private int copyTogether(final int peer, final long localAddress, final long remoteAddress, final int length,
        final int sendSlot)
    {
        final UnsafeBuffer slot = channels[peer].copyTogetherSlot(true);
        int generation = ++copyGeneration[peer];
        if (generation == 0)
        {
            generation = ++copyGeneration[peer]; // 0 is what a fresh slot holds
        }
        final int chunk = CooperativeCopy.chunkBytes(length);
        final int chunks = CooperativeCopy.chunks(length, chunk);
        CooperativeCopy.open(slot, generation);
        final Channel ch = channels[peer];
        final int at = ch.tryClaim(Frames.HELP_LENGTH);
        if (at != Channel.NO_ROOM)
        {
            final MutableDirectBuffer b = ch.buffer();
            b.putInt(at + Frames.TYPE_OFFSET, Frames.HELP, Frames.ORDER);
            b.putInt(at + Frames.HELP_GENERATION_OFFSET, generation, Frames.ORDER);
            b.putInt(at + Frames.HELP_SEND_ID_OFFSET, sendSlot, Frames.ORDER);
            b.putInt(at + Frames.HELP_LENGTH_OFFSET, length, Frames.ORDER);
            b.putLong(at + Frames.HELP_ADDRESS_OFFSET, localAddress, Frames.ORDER);
            b.putInt(at + Frames.HELP_CHUNK_OFFSET, chunk, Frames.ORDER);
            ch.commit(at);
        }
        int k;
        while ((k = CooperativeCopy.claim(slot, generation, chunks)) >= 0)
        {
            final long offset = (long)k * chunk;
            final int errno = cma.read(pids[peer], localAddress + offset, remoteAddress + offset,
                Math.min(chunk, length - offset));
            if (errno != 0)
            {
                return errno;
            }
            CooperativeCopy.copied(slot);
        }
        long waitingSince = 0;
        for (int spins = 0; CooperativeCopy.done(slot) < chunks; spins++)
        {
            if ((spins & 1023) == 1023)
            {
                // a chunk takes well under a millisecond: look for a dead sender only after a long wait, so that the
                // check (a read of the sender's /proc entry) stays off the steady path
                final long now = System.nanoTime();
                if (waitingSince == 0)
                {
                    waitingSince = now;
                }
                else if (now - waitingSince > Waits.LIVENESS_PERIOD_NS && !ch.peerAlive())
                {
                    return 3; // ESRCH: it died holding a chunk
                }
                Thread.yield(); // the sender may have been descheduled mid-chunk
            }
            Thread.onSpinWait();
        }
        final int returned = CooperativeCopy.returned(slot);
        if (returned >= 0)
        {
            final long offset = (long)returned * chunk;
            return cma.read(pids[peer], localAddress + offset, remoteAddress + offset, Math.min(chunk, length - offset));
        }
        return 0;
    }

    /** Sender: the receiver asks for help with a transfer; push every chunk still unclaimed. */
    private void onHelp(final int peer, final DirectBuffer buffer, final int offset)
    {
        final int generation = buffer.getInt(offset + Frames.HELP_GENERATION_OFFSET, Frames.ORDER);
        final Request r = slots.get(buffer.getInt(offset + Frames.HELP_SEND_ID_OFFSET, Frames.ORDER));
        final int length = buffer.getInt(offset + Frames.HELP_LENGTH_OFFSET, Frames.ORDER);
        final long remoteAddress = buffer.getLong(offset + Frames.HELP_ADDRESS_OFFSET, Frames.ORDER);
        final int chunk = buffer.getInt(offset + Frames.HELP_CHUNK_OFFSET, Frames.ORDER);
        final UnsafeBuffer slot = channels[peer].copyTogetherSlot(false);
        if (r == null || !r.isSend || r.state != Request.PENDING || r.base != null || slot == null || cma == null)
        {
            return; // nothing of ours to push: the receiver copies alone
        }
        final int chunks = CooperativeCopy.chunks(length, chunk);
        int k;
        while ((k = CooperativeCopy.claim(slot, generation, chunks)) >= 0)
        {
            final long at = (long)k * chunk;
            if (cma.write(pids[peer], r.address + at, remoteAddress + at, Math.min(chunk, length - at)) != 0)
            {
                CooperativeCopy.giveBack(slot, k);
                return;
            }
            CooperativeCopy.copied(slot);
        }
    }

    private void onCts(final DirectBuffer buffer, final int offset)
    {
        final Request r = slots.get(buffer.getInt(offset + Frames.CTS_SEND_ID_OFFSET, Frames.ORDER));
        if (r == null || r.phase == Request.TOMBSTONE || r.phase == Request.WITHDRAWING)
        {
            return; // withdrawn: the receiver fails its receive when our cancel arrives, right behind
        }
        r.remoteSlot = buffer.getInt(offset + Frames.CTS_RECV_ID_OFFSET, Frames.ORDER);
        r.phase = Request.STREAMING;
        r.exposed = false; // the receiver streams: it will not read our memory
        r.transferred = 0;
        if (queueHead[r.peer] != null || !trySend(r))
        {
            enqueue(r.peer, r);
        }
    }

    /** Sender: the receiver has posted its buffer; the path moves the bytes and reports the end. */
    private void onCtsByAddress(final DirectBuffer buffer, final int offset)
    {
        final int id = buffer.getInt(offset + Frames.CTS_SEND_ID_OFFSET, Frames.ORDER);
        final Request r = slots.get(id);
        final int recvSlot = buffer.getInt(offset + Frames.CTS_RECV_ID_OFFSET, Frames.ORDER);
        if (r == null)
        {
            return;
        }
        if (r.phase == Request.TOMBSTONE)
        {
            // the receiver posted its buffer before our cancel reached it: the move still happens, with zeros,
            // so that the path stays in step; the receive fails when the cancel arrives
            r.owed++;
            channels[r.peer].sendByAddress(0, r.length, recvSlot, id);
            return;
        }
        r.remoteSlot = recvSlot;
        r.phase = r.phase == Request.WITHDRAWING ? Request.WITHDRAWING : Request.STREAMING;
        r.byAddress = true;
        channels[r.peer].sendByAddress(r.address, r.length, r.remoteSlot, r.slot);
    }

    @Override
    public void onMovedByAddress(final int id)
    {
        final Request r = slots.get(id);
        if (r.phase == Request.TOMBSTONE)
        {
            settle(r);
            return;
        }
        r.byAddress = false;
        finishHeld(r);
    }

    private void onData(final DirectBuffer buffer, final int offset, final int frameLength)
    {
        final Request r = slots.get(buffer.getInt(offset + Frames.DATA_RECV_ID_OFFSET, Frames.ORDER));
        if (r.phase == Request.TOMBSTONE)
        {
            return; // sent before the sender saw our cancel: the withdrawn buffer is not touched
        }
        final int at = buffer.getInt(offset + Frames.DATA_OFFSET_OFFSET, Frames.ORDER);
        final int n = frameLength - Frames.DATA_HEADER;
        UnsafeApi.copyMemory(buffer.byteArray(), buffer.addressOffset() + offset + Frames.DATA_HEADER,
            r.base, r.address + at, n);
        r.transferred += n;
        if (r.transferred == r.status.count)
        {
            slots.release(r);
            complete(r);
        }
    }

    private void onFin(final DirectBuffer buffer, final int offset)
    {
        final Request r = slots.get(buffer.getInt(offset + Frames.FIN_SEND_ID_OFFSET, Frames.ORDER));
        if (r.phase != Request.TOMBSTONE)
        {
            finishHeld(r); // the receiver pulled it all, even if our cancel was on its way
        }
    }

    /** A transfer is over on our side: free its slot, or keep it while the answer to our cancel is still due. */
    private void finishHeld(final Request r)
    {
        if (r.cancelSent)
        {
            entomb(r, 1);
        }
        else
        {
            slots.release(r);
        }
        complete(r);
    }

    // --------------------------------------------------------------------------------------------- withdrawal

    /**
     * Withdraws a started request so that, once this returns, the runtime reads and writes none of its buffer
     * again. Unmatched, it leaves its queue. Matched, a cancel goes to the peer (whose side fails with
     * {@link TransferWithdrawnException}) and the slot stays reserved until the peer's answer, so that late frames
     * land nowhere; where the peer itself may still read or write the buffer (a cross-memory pull, a move by
     * address the path cannot redirect), this waits for that answer or the end of the transfer.
     *
     * @return true if withdrawn (the request is inactive), false if it completed or failed first.
     */
    boolean withdraw(final Request r)
    {
        final Thread outer = enter();
        try
        {
            return withdrawNow(r);
        }
        finally
        {
            leave(outer);
        }
    }

    private boolean withdrawNow(final Request r)
    {
        if (r.state != Request.PENDING)
        {
            return false;
        }
        if (r.phase == Request.QUEUED)
        {
            if (r.isSend)
            {
                removeQueued(r.peer, r);
            }
            else
            {
                matching.removePosted(r);
            }
            r.state = Request.IDLE;
            return true;
        }
        final int peer = r.isSend ? r.peer : r.sourceWorld;
        final Channel ch = channels[peer];
        if (r.phase != Request.WITHDRAWING && (r.byAddress && !ch.withdrawsByAddress() ||
            r.isSend && r.phase == Request.AWAIT_CTS && (r.exposed || ch.movesByAddress() && !ch.withdrawsByAddress())))
        {
            r.phase = Request.WITHDRAWING;
            if (!r.byAddress)
            {
                r.cancelSent = true;
                sendControl(peer, Frames.CANCEL_SEND, r.slot, 0);
            }
        }
        if (r.phase == Request.WITHDRAWING)
        {
            return waitOut(r);
        }
        if (r.byAddress)
        {
            ch.cancelByAddress(r.slot);
        }
        if (r.isSend)
        {
            removeQueued(peer, r);
            sendControl(peer, Frames.CANCEL_SEND, r.slot, 0);
        }
        else
        {
            sendControl(peer, Frames.CANCEL_RECV, r.remoteSlot, r.slot);
        }
        entomb(r, r.byAddress ? 2 : 1);
        r.state = Request.IDLE;
        return true;
    }

    /** Drives progress, without a deadline, until the peer has answered a cancel or the transfer has ended. */
    private boolean waitOut(final Request r)
    {
        final long start = waits.beginNested();
        while (r.state == Request.PENDING)
        {
            final int work = progress();
            if (r.state != Request.PENDING)
            {
                break;
            }
            waits.idle(work, start, r, 0);
        }
        return r.state == Request.IDLE;
    }

    /** Receiver: the sender withdraws the send of its RTS {@code sendSlot}; answers GONE whatever it finds. */
    private void onCancelSend(final int peer, final int sendSlot)
    {
        final Envelope e = matching.findRendezvous(peer, sendSlot);
        if (e != null)
        {
            matching.remove(e);
            sendControl(peer, Frames.WITHDRAWN, sendSlot, 0);
            return;
        }
        for (int i = 0; i < slots.capacity(); i++)
        {
            final Request r = slots.get(i);
            if (r != null && !r.isSend && r.state == Request.PENDING && r.phase == Request.STREAMING &&
                r.sourceWorld == peer && r.remoteSlot == sendSlot)
            {
                withdrawnByPeer(r, peer);
                break;
            }
        }
        sendControl(peer, Frames.WITHDRAWN, sendSlot, 0);
    }

    /** Sender: the receiver withdraws the receive it matched with our {@code sendSlot}; answers GONE. */
    private void onCancelRecv(final int peer, final int sendSlot, final int recvSlot)
    {
        final Request r = slots.get(sendSlot);
        if (r != null && r.isSend && r.state == Request.PENDING && r.phase == Request.STREAMING && r.peer == peer &&
            r.remoteSlot == recvSlot)
        {
            withdrawnByPeer(r, peer);
        }
        sendControl(peer, Frames.WITHDRAWN, recvSlot, 0);
    }

    /** Our side of a transfer the peer withdrew: it fails, and no more of its buffer is touched. */
    private void withdrawnByPeer(final Request r, final int peer)
    {
        if (r.byAddress)
        {
            if (!channels[peer].withdrawsByAddress())
            {
                return; // a move the path cannot redirect goes ahead and completes this side
            }
            channels[peer].cancelByAddress(r.slot);
            entomb(r, 1); // until the move, now of zeros or into nothing, has passed
        }
        else
        {
            if (r.isSend)
            {
                removeQueued(peer, r);
            }
            slots.release(r);
        }
        fail(r, new TransferWithdrawnException(peer, "rank " + worldRank + ": world rank " + peer + " withdrew " +
            (r.isSend ? "the receive matched with this " : "its side of this ") + r.describe() +
            " before it completed (a deadline passed there, or it cancelled the request)"));
    }

    /** The peer's answer to our cancel: nothing more about that transfer will come. */
    private void onWithdrawn(final int id)
    {
        final Request r = slots.get(id);
        if (r == null)
        {
            return;
        }
        if (r.phase == Request.TOMBSTONE)
        {
            settle(r);
        }
        else if (r.phase == Request.WITHDRAWING && r.cancelSent)
        {
            r.cancelSent = false;
            if (!r.byAddress)
            {
                slots.release(r);
                r.state = Request.IDLE;
            } // else the peer let a move go ahead, whose end completes the request
        }
    }

    /** Keeps a withdrawn transfer's slot reserved, away from its request, until {@code owed} events have come. */
    private void entomb(final Request r, final int owed)
    {
        final Request t = new Request();
        t.phase = Request.TOMBSTONE;
        t.peer = r.isSend ? r.peer : r.sourceWorld;
        t.length = r.length;
        t.owed = owed;
        slots.handOver(r, t);
    }

    private void settle(final Request tombstone)
    {
        if (--tombstone.owed == 0)
        {
            slots.release(tombstone);
        }
    }

    private void removeQueued(final int peer, final Request r)
    {
        Request prev = null;
        for (Request q = queueHead[peer]; q != null; prev = q, q = q.next)
        {
            if (q == r)
            {
                if (prev == null)
                {
                    queueHead[peer] = r.next;
                }
                else
                {
                    prev.next = r.next;
                }
                if (queueTail[peer] == r)
                {
                    queueTail[peer] = prev;
                }
                r.next = null;
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ probing

    /** Looks for a matching message that has arrived but not been received; fills status and returns true. */
    boolean iprobe(final int ctx, final int source, final int tag, final Communicator comm, final Status status)
    {
        checkOpen();
        Envelope e = matching.findUnexpected(ctx, source, tag);
        if (e == null)
        {
            progress();
            e = matching.findUnexpected(ctx, source, tag);
        }
        if (e == null)
        {
            if (source != ANY && failed[source] != null)
            {
                throw peerFailed(source, "probe for a message from");
            }
            return false;
        }
        status.set(comm.rankOfWorld(e.source), e.tag, e.length);
        return true;
    }

    /** See {@link Communicator#arrivedCollective}: a look at the unexpected messages, no progress. */
    boolean arrived(final int ctx, final int tag, final long unlessStamp, final Communicator comm, final Status status)
    {
        final Envelope e = matching.findUnexpected(ctx, ANY, tag, unlessStamp);
        if (e == null)
        {
            return false;
        }
        status.set(comm.rankOfWorld(e.source), e.tag, e.length);
        status.stamp = e.stamp;
        return true;
    }

    /** What a probe waits for, for the deadline message; reused, so probing allocates nothing. */
    private final ProbeTarget probing = new ProbeTarget();

    private static final class ProbeTarget implements Completion
    {
        private int source;
        private int tag;

        ProbeTarget of(final int source, final int tag)
        {
            this.source = source;
            this.tag = tag;
            return this;
        }

        @Override
        public boolean isComplete()
        {
            return false;
        }

        @Override
        public String describe()
        {
            return "probe for" + (source == ANY ? " any rank" : " world rank " + source) +
                (tag == ANY ? "" : " (tag " + tag + ")");
        }
    }

    void probe(final int ctx, final int source, final int tag, final Communicator comm, final Status status)
    {
        final long start = waits.begin();
        final long timeoutNs = comm.timeoutNanos();
        while (!iprobe(ctx, source, tag, comm, status))
        {
            if (revoker(ctx) >= 0)
            {
                throw comm.revokedError(probing.of(source, tag).describe());
            }
            waits.idle(0, start, probing.of(source, tag), timeoutNs);
        }
        if (Counters.ON)
        {
            Counters.waited(start);
        }
    }

    // ------------------------------------------------------------------------------------------------ waiting

    int progress()
    {
        final Thread outer = enter();
        try
        {
            if ((++progressCalls & 255) == 0)
            {
                // a program that polls (test, iprobe) and never idles in a wait still looks for dead peers
                waits.checkLivenessIfDue();
            }
            return drive();
        }
        finally
        {
            leave(outer);
        }
    }

    // ------------------------------------------------------------------------------------------------ threads

    /**
     * Marks the calling thread as inside the runtime and returns who was inside before (itself when nested, else
     * null); throws, naming both, when another thread is inside. Acquire/release so that a rank handed from one
     * thread to another with proper synchronisation (MPI_THREAD_SERIALIZED) is never mistaken for two at once.
     */
    private Thread enter()
    {
        final Thread me = Thread.currentThread();
        final Thread inside = (Thread)INSIDE.getAcquire(this);
        if (inside != null && inside != me)
        {
            throw new IllegalStateException("rank " + worldRank + ": two threads call the runtime at once: '" +
                me.getName() + "' called while '" + inside.getName() + "' was inside it; a rank's communicators " +
                "must be used by one thread at a time (MPI_THREAD_SERIALIZED): make the calls from one thread, " +
                "or hand the rank over under a lock");
        }
        INSIDE.setRelease(this, me);
        return inside;
    }

    private void leave(final Thread outer)
    {
        INSIDE.setRelease(this, outer);
    }

    private int drive()
    {
        int work = 0;
        if (peersWithQueues > 0)
        {
            work += flushQueues();
        }
        for (final Transport t : transports)
        {
            work += t.poll(this, 64);
        }
        if (!heardDead.isEmpty())
        {
            work += settleHeardDeaths(true);
        }
        // backwards, so that a hook may remove itself while it runs
        for (int i = hookCount - 1; i >= 0; i--)
        {
            if (i < hookCount)
            {
                work += hooks[i].doWork();
            }
        }
        return work;
    }

    void addHook(final Progressable hook)
    {
        if (hookCount == hooks.length)
        {
            hooks = java.util.Arrays.copyOf(hooks, hooks.length * 2);
        }
        hooks[hookCount++] = hook;
    }

    void removeHook(final Progressable hook)
    {
        for (int i = 0; i < hookCount; i++)
        {
            if (hooks[i] == hook)
            {
                System.arraycopy(hooks, i + 1, hooks, i, hookCount - i - 1); // keeps the others in start order
                hooks[--hookCount] = null;
                return;
            }
        }
    }

    /** Asks every transport whether its peers are still there (what idle waits do every 100 ms); for tests. */
    void checkLiveness()
    {
        waits.checkLiveness();
    }

    /** Where stall reports and errors no call can throw go; by default, one line on standard error. */
    /** Hands an error that no call can throw to the error handler; on the thread that drives progress. */
    void reportError(final Throwable error)
    {
        waits.report(error);
    }

    void errorHandler(final ErrorHandler handler)
    {
        waits.errorHandler(handler);
    }

    /** The deadline of a wait when its communicator sets none: RINGFOLD_TIMEOUT_MS. */
    long defaultTimeoutNanos()
    {
        return defaultTimeoutNs;
    }

    void await(final Completion c, final long timeoutNs)
    {
        await(c, timeoutNs, null);
    }

    /** As {@link #await(Completion, long)}, failing once {@code comm} (when not null) is revoked. */
    void await(final Completion c, final long timeoutNs, final Communicator comm)
    {
        final long start = waits.begin();
        while (!c.isComplete())
        {
            final int work = progress();
            if (c.isComplete())
            {
                break;
            }
            if (comm != null && revoker(comm.context()) >= 0)
            {
                throw comm.revokedError(c.describe());
            }
            waits.idle(work, start, c, timeoutNs);
        }
        if (Counters.ON)
        {
            Counters.waited(start);
        }
    }

    void await(final Request r, final long timeoutNs)
    {
        final long start = waits.begin();
        try
        {
            while (r.state == Request.PENDING)
            {
                final int work = progress();
                if (r.state != Request.PENDING)
                {
                    return;
                }
                if (r.comm != null && revoker(r.ctx) >= 0)
                {
                    throw r.comm.revokedError(r.describe()); // matched before the revocation: withdrawn below
                }
                waits.idle(work, start, r, timeoutNs);
            }
        }
        catch (final DeadlineExceededException | CommunicatorRevokedException ex)
        {
            if (withdraw(r))
            {
                throw ex;
            }
            // it completed (or failed) while being withdrawn: that outcome stands
        }
        finally
        {
            if (Counters.ON)
            {
                Counters.waited(start);
            }
        }
    }

    int awaitAny(final Request[] requests)
    {
        final long start = waits.begin();
        long timeoutNs = defaultTimeoutNs;
        for (final Request r : requests)
        {
            if (r != null && r.comm != null)
            {
                timeoutNs = r.comm.timeoutNanos();
                break;
            }
        }
        while (true)
        {
            final int work = progress();
            boolean active = false;
            for (int i = 0; i < requests.length; i++)
            {
                final Request r = requests[i];
                if (r != null && r.state == Request.DONE)
                {
                    if (Counters.ON)
                    {
                        Counters.waited(start);
                    }
                    return Request.retire(r, i);
                }
                active |= r != null && r.state == Request.PENDING;
            }
            if (!active)
            {
                return -1;
            }
            try
            {
                for (final Request r : requests)
                {
                    if (r != null && r.state == Request.PENDING && r.comm != null && revoker(r.ctx) >= 0)
                    {
                        throw r.comm.revokedError(r.describe());
                    }
                }
                waits.idle(work, start, ANY_OF, timeoutNs);
            }
            catch (final DeadlineExceededException | CommunicatorRevokedException ex)
            {
                for (final Request r : requests)
                {
                    if (r != null)
                    {
                        withdraw(r);
                    }
                }
                throw ex;
            }
        }
    }

    /** What waitAny waits for, for the deadline message. */
    private static final Completion ANY_OF = new Completion()
    {
        @Override
        public boolean isComplete()
        {
            return false;
        }

        @Override
        public String describe()
        {
            return "waitAny";
        }
    };

    // -------------------------------------------------------------------------------------------- completion

    private void setStatus(final Request r, final int source, final int tag, final int length)
    {
        r.status.set(r.comm.rankOfWorld(source), tag, length);
    }

    private static void complete(final Request r)
    {
        r.state = Request.DONE;
        if (Counters.ON)
        {
            Counters.completed(r.isSend, r.ctx, r.status.count());
        }
        if (Tracer.ON)
        {
            trace(r);
        }
    }

    private void fail(final Request r, final RuntimeException error)
    {
        r.error = error;
        r.state = Request.DONE;
        if (Tracer.ON)
        {
            trace(r);
        }
    }

    private static void trace(final Request r)
    {
        Tracer.record(r.isSend ? Tracer.NAME_SEND : Tracer.NAME_RECEIVE, r.isSend ? Tracer.ROW_SEND : Tracer.ROW_RECEIVE,
            r.isSend ? r.peer : r.sourceWorld, r.tag, r.error == null ? r.status.count() : 0, r.traceStart, Tracer.now());
    }

    private TruncationException truncated(final Request r, final int source, final int tag, final int length)
    {
        return new TruncationException("rank " + r.comm.rank() + " of " + r.comm.name() + ": message from rank " +
            r.comm.rankOfWorld(source) + " (tag " + tag + ") has " + length + " bytes but the receive buffer holds " +
            r.length + "; the message was discarded");
    }

    /** Throws if a peer is known to have failed (the periodic liveness check or its BYE marked it). */
    void checkPeer(final int peer, final String what)
    {
        if (failed[peer] != null)
        {
            throw peerFailed(peer, what);
        }
    }

    private PeerFailedException peerFailed(final int peer, final String what)
    {
        return new PeerFailedException(peer, "rank " + worldRank + ": cannot " + what + " world rank " + peer +
            ": it has failed (" + failed[peer] + ")");
    }

    @Override
    public void onPeerFailure(final int peer, final String reason)
    {
        peerLost(peer, reason, true);
    }

    /**
     * A peer that was dead before this rank joined the job (a replacement, joining after the start-up): failed from
     * the start, and not told to anyone, as every other rank learned of that death long ago.
     */
    void markGone(final int peer, final String reason)
    {
        failed[peer] = reason;
        died[peer] = true;
    }

    /**
     * A replacement took the place of {@code peer}, which failed: from now on the world rank is the new process,
     * reached through {@code channel}. Deaths other ranks told of before are settled first: they were the old
     * process's (each survivor told of that death before it answered the newcomer's first round, and its frames
     * came before its answer), so none of them is taken for the new one's.
     */
    void revive(final int peer, final Channel channel, final long pid, final int incarnation)
    {
        settleHeardDeaths(true);
        if (failed[peer] == null)
        {
            throw new IllegalStateException("rank " + worldRank + ": world rank " + peer + " has a replacement, but " +
                "its death was never seen here");
        }
        failed[peer] = null;
        died[peer] = false;
        incarnations[peer] = incarnation;
        channels[peer] = channel;
        pids[peer] = pid;
        eagerLimit[peer] = Math.min(settings.eagerLimit(), channel.maxFrameLength() - Frames.EAGER_HEADER);
        cmaDenied[peer] = false;
        cmaVerified[peer] = false;
        frameQueue[peer].clear();
        controlQueue[peer].clear();
    }

    /**
     * A peer is gone. Everything waiting on it fails; a receive from any source fails too when the peer died
     * (it may have been the one meant to send), but not when it closed in good order.
     */
    private void peerLost(final int peer, final String reason, final boolean died)
    {
        if (failed[peer] != null)
        {
            return;
        }
        failed[peer] = reason;
        this.died[peer] = died;
        frameQueue[peer].clear();
        if (died && faultTolerant)
        {
            spreadDeath(peer);
        }
        for (Request r = matching.firstPosted(); r != null; )
        {
            final Request next = r.next;
            if (r.peer == peer || (died && r.peer == ANY))
            {
                matching.removePosted(r);
                fail(r, peerFailed(peer, "receive from"));
            }
            r = next;
        }
        for (Request r = queueHead[peer]; r != null; r = r.next)
        {
            slots.release(r); // a send part-streamed holds one
            fail(r, peerFailed(peer, "send to"));
        }
        queueHead[peer] = null;
        queueTail[peer] = null;
        controlQueue[peer].clear();
        for (int i = 0; i < slots.capacity(); i++)
        {
            final Request r = slots.get(i);
            if (r != null && r.phase == Request.TOMBSTONE && r.peer == peer)
            {
                slots.release(r); // no answer will come
            }
            else if (r != null && r.state == Request.PENDING && (r.isSend ? r.peer : r.sourceWorld) == peer)
            {
                slots.release(r);
                fail(r, peerFailed(peer, r.isSend ? "send to" : "receive from"));
            }
        }
    }

    /** This rank is the {@code incarnation}-th replacement of its world slot (set once, as it joins). */
    void joinedAs(final int incarnation)
    {
        incarnations[worldRank] = incarnation;
    }

    /** Which process holds world slot {@code peer} as far as this rank knows: 0 for the first, n for the n-th replacement. */
    int incarnation(final int peer)
    {
        return incarnations[peer];
    }

    /** The communicator of point-to-point context {@code ctx} registered here, or null. */
    Communicator communicator(final int ctx)
    {
        return byContext.get(ctx);
    }

    RuntimeSettings settings()
    {
        return settings;
    }

    // -------------------------------------------------------------------------------------- fault tolerance

    /** False over -dev native: Open MPI 4.1 has no ULFM, and its failures end the job. */
    boolean faultTolerant()
    {
        return faultTolerant;
    }

    /**
     * Makes a communicator reachable by its context, for the revocations and agreement steps that name it; hands it
     * the steps that came before it existed here, and passes on a revocation that did.
     */
    void register(final Communicator comm)
    {
        final int ctx = comm.context();
        byContext.put(ctx, comm);
        final int revoker = revokedBy.get(ctx);
        if (revoker >= 0)
        {
            forwardRevocation(comm, revoker);
        }
        final ArrayList<byte[]> early = earlyAgreements.remove(ctx);
        if (early != null)
        {
            for (final byte[] step : early)
            {
                final UnsafeBuffer b = new UnsafeBuffer(step);
                comm.onAgreementStep(b.getInt(step.length - 8, Frames.ORDER), b, 0);
            }
        }
    }

    void deregister(final Communicator comm)
    {
        if (byContext.get(comm.context()) == comm)
        {
            byContext.remove(comm.context());
        }
    }

    /** The world rank that revoked the communicator of this context (either of its two), or -1. */
    int revoker(final int ctx)
    {
        return revokedBy.isEmpty() ? -1 : revokedBy.get(ctx);
    }

    /**
     * Revokes the communicator of context {@code ctx} (its point-to-point context; the collective one goes with it):
     * a local call or a REVOKE frame. The first time, it passes the revocation on to every other member (so that it
     * reaches all even if the revoker dies while sending it) and fails every receive posted and every send not yet
     * started on it; transfers already matched fail when their waits look (see {@link #await(Request, long)}).
     */
    void revoked(final int ctx, final int revoker)
    {
        if (revokedBy.get(ctx) >= 0)
        {
            return;
        }
        revokedBy.put(ctx, revoker);
        revokedBy.put(ctx + 1, revoker);
        final Communicator comm = byContext.get(ctx);
        if (comm != null)
        {
            forwardRevocation(comm, revoker);
        }
        for (Request r = matching.firstPosted(); r != null; )
        {
            final Request next = r.next;
            if (r.ctx == ctx || r.ctx == ctx + 1)
            {
                matching.removePosted(r);
                fail(r, r.comm.revokedError(r.describe()));
            }
            r = next;
        }
        for (int peer = 0; peer < worldSize; peer++)
        {
            for (Request q = queueHead[peer]; q != null; )
            {
                final Request next = q.next;
                if ((q.ctx == ctx || q.ctx == ctx + 1) && q.phase == Request.QUEUED)
                {
                    removeQueued(peer, q);
                    fail(q, q.comm.revokedError(q.describe()));
                }
                q = next;
            }
        }
    }

    private void forwardRevocation(final Communicator comm, final int revoker)
    {
        frameScratch.putInt(Frames.TYPE_OFFSET, Frames.REVOKE, Frames.ORDER);
        frameScratch.putInt(Frames.REVOKE_CTX_OFFSET, comm.context(), Frames.ORDER);
        frameScratch.putInt(Frames.REVOKE_BY_OFFSET, revoker, Frames.ORDER);
        frameScratch.putInt(Frames.REVOKE_BY_OFFSET + 4, 0, Frames.ORDER);
        for (int r = 0; r < comm.size(); r++)
        {
            sendFrame(comm.worldRank(r), frameScratch, Frames.REVOKE_LENGTH);
        }
    }

    /**
     * Another rank says a rank died. Settled after this round of polling, once whatever the dead rank sent this
     * rank before it died has been read (those messages were sent), as a death this rank sees itself is. The death
     * of an older incarnation than the one this rank took into the slot since (told late) is not the present one's.
     */
    private void heardOfDeath(final int from, final int rank, final int incarnation)
    {
        if (rank != worldRank && rank >= 0 && rank < worldSize && failed[rank] == null &&
            incarnation >= incarnations[rank])
        {
            heardFrom[rank] = from;
            heardDead.addInt(rank);
        }
    }

    /**
     * A peer closed: deaths it told of just before come first (it may have closed because of them), so that what
     * fails here names the dead rank rather than the one that closed.
     */
    private void closedAfterTellingOfDeaths(final int peer)
    {
        settleHeardDeaths(false); // inside a poll: no draining poll here
        peerLost(peer, "it has closed its Ringfold runtime", false);
    }

    private int settleHeardDeaths(final boolean drainFirst)
    {
        for (int i = 0; drainFirst && i < transports.length; i++)
        {
            transports[i].poll(this, Integer.MAX_VALUE);
        }
        int work = 0;
        while (!heardDead.isEmpty())
        {
            final int rank = heardDead.pollInt();
            if (failed[rank] == null)
            {
                peerLost(rank, "world rank " + heardFrom[rank] + " reports that it failed", true);
                work++;
            }
        }
        return work;
    }

    /** Tells every other rank that a rank died: each that learns of it first passes it on (gossip, no server). */
    private void spreadDeath(final int rank)
    {
        frameScratch.putInt(Frames.TYPE_OFFSET, Frames.FAILED, Frames.ORDER);
        frameScratch.putInt(Frames.FAILED_RANK_OFFSET, rank, Frames.ORDER);
        frameScratch.putInt(Frames.FAILED_INCARNATION_OFFSET, incarnations[rank], Frames.ORDER);
        frameScratch.putInt(Frames.FAILED_INCARNATION_OFFSET + 4, 0, Frames.ORDER);
        for (int p = 0; p < worldSize; p++)
        {
            sendFrame(p, frameScratch, Frames.FAILED_LENGTH);
        }
    }

    /** Sends one agreement step (layout in {@link Frames}); bitmaps of {@code words} longs, null for none. */
    void sendAgreement(final int peer, final int ctx, final int seq, final int kind, final int epoch, final int value,
        final int max, final long[] failedSet, final int acceptedEpoch, final int acceptedValue, final int acceptedMax,
        final long[] acceptedSet, final int words)
    {
        final int length = Frames.AGREE_HEADER + 16 * words;
        final UnsafeBuffer b = length <= frameScratch.capacity() ? frameScratch : new UnsafeBuffer(new byte[length]);
        b.putInt(Frames.TYPE_OFFSET, Frames.AGREE, Frames.ORDER);
        b.putInt(Frames.AGREE_CTX_OFFSET, ctx, Frames.ORDER);
        b.putInt(Frames.AGREE_SEQ_OFFSET, seq, Frames.ORDER);
        b.putInt(Frames.AGREE_KIND_OFFSET, kind, Frames.ORDER);
        b.putInt(Frames.AGREE_EPOCH_OFFSET, epoch, Frames.ORDER);
        b.putInt(Frames.AGREE_VALUE_OFFSET, value, Frames.ORDER);
        b.putInt(Frames.AGREE_MAX_OFFSET, max, Frames.ORDER);
        b.putInt(Frames.AGREE_ACCEPTED_EPOCH_OFFSET, acceptedEpoch, Frames.ORDER);
        b.putInt(Frames.AGREE_ACCEPTED_VALUE_OFFSET, acceptedValue, Frames.ORDER);
        b.putInt(Frames.AGREE_ACCEPTED_MAX_OFFSET, acceptedMax, Frames.ORDER);
        b.putInt(Frames.AGREE_WORDS_OFFSET, words, Frames.ORDER);
        b.putInt(Frames.AGREE_INCARNATION_OFFSET, incarnations[worldRank], Frames.ORDER);
        for (int w = 0; w < words; w++)
        {
            b.putLong(Frames.AGREE_HEADER + 8 * w, failedSet == null ? 0 : failedSet[w], Frames.ORDER);
            b.putLong(Frames.AGREE_HEADER + 8 * (words + w), acceptedSet == null ? 0 : acceptedSet[w], Frames.ORDER);
        }
        sendFrame(peer, b, length);
    }

    private void onAgreement(final int peer, final DirectBuffer buffer, final int offset, final int length)
    {
        if (buffer.getInt(offset + Frames.AGREE_INCARNATION_OFFSET, Frames.ORDER) < incarnations[peer])
        {
            return; // a step of the process this slot held before: not the present one's
        }
        final int ctx = buffer.getInt(offset + Frames.AGREE_CTX_OFFSET, Frames.ORDER);
        final Communicator comm = byContext.get(ctx);
        if (comm != null)
        {
            comm.onAgreementStep(peer, buffer, offset);
        }
        else if (ctx >= nextContext)
        {
            // for a communicator this rank is still making (a shrink or split that others finished first): kept,
            // with the sender after the frame, until it registers
            final byte[] step = new byte[length + 8];
            buffer.getBytes(offset, step, 0, length);
            new UnsafeBuffer(step).putInt(length, peer, Frames.ORDER);
            earlyAgreements.computeIfAbsent(ctx, k -> new ArrayList<>()).add(step);
        } // else the communicator was closed here: nothing left to answer for
    }

    /** The lowest context id this rank has not used; communicators take two (point-to-point, collective). */
    int nextContext()
    {
        return nextContext;
    }

    void contextTaken(final int context)
    {
        nextContext = Math.max(nextContext, context + 2);
    }

    String failure(final int peer)
    {
        return failed[peer];
    }

    boolean died(final int peer)
    {
        return died[peer];
    }

    /** Slots taken, by transfers in flight and by withdrawn ones awaiting their peer's last word. */
    int slotsInUse()
    {
        return slots.inUse();
    }

    // ------------------------------------------------------------------------------------------------ closing

    private void checkOpen()
    {
        if (closed)
        {
            throw new CommunicatorClosedException("rank " + worldRank + ": the Ringfold runtime has been closed");
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * Local, not collective: pushes out what is still queued (for at most a second), says BYE to every peer so
     * that anything still waiting on this rank fails at once instead of hanging, and releases the transports.
     */
    void close()
    {
        if (closed)
        {
            return;
        }
        final long giveUp = System.nanoTime() + 1_000_000_000L;
        while (peersWithQueues > 0 && System.nanoTime() - giveUp < 0)
        {
            waits.pause(progress());
        }
        for (int peer = 0; peer < worldSize; peer++)
        {
            if (peer != worldRank && failed[peer] == null)
            {
                final Channel ch = channels[peer];
                final int at = ch.tryClaim(Frames.BYE_LENGTH);
                if (at != Channel.NO_ROOM)
                {
                    ch.buffer().putInt(at + Frames.TYPE_OFFSET, Frames.BYE, Frames.ORDER);
                    ch.commit(at);
                    ch.flush();
                }
            }
        }
        closed = true;
        for (final Transport t : transports)
        {
            t.close();
        }
        if (cma != null)
        {
            cma.close();
        }
    }

}
