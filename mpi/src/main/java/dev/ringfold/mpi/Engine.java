package dev.ringfold.mpi;

import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.mpi.trace.Tracer;
import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import dev.ringfold.mpi.transport.InputWaiter;
import dev.ringfold.mpi.transport.Transport;
import dev.ringfold.mpi.internal.CrossMemory;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

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
 * <p>Its parts, each a class with one job: {@link MatchingQueues} (posted and unexpected, MPI order),
 * {@link SlotTable} (transfers in flight by id), {@link SendQueues} (what waits for room on the path to each peer,
 * back-pressure included), {@link PeerMemoryPull} (the cross-memory pull and the copy together), {@link Waits}
 * (idle strategy, deadlines, liveness checks), {@link PeerLiveness} (who is gone, which incarnation holds each slot,
 * deaths told of awaiting settlement), {@link ContextRoutes} (revoked contexts, communicators and early agreement
 * steps by context), {@link ThreadGuard} (one thread inside), {@link ProgressHooks} (the
 * collectives in flight each round advances) and one flyweight per frame kind.
 * What stays here is the protocol: frame dispatch, the eager/rendezvous state machine, withdrawal, and the
 * fault-tolerance frames.
 *
 * <p>Fault tolerance (ULFM's meaning, see {@link Communicator#revoke()}): a death this rank learns of goes to every
 * other rank in a FAILED frame (each passes it on once), REVOKE frames mark a communicator's two contexts revoked,
 * and AGREE frames carry {@link Agreement}'s steps to the communicator they name, outside matching.
 */
final class Engine implements FrameHandler, SendQueues.Sender
{
    static final int ANY = MatchingQueues.ANY;

    private final int worldRank;
    private final int worldSize;
    private final Transport[] transports;
    private final Channel[] channels;
    private final int[] eagerLimit;
    private final long[] pids;
    private final PeerLiveness liveness;
    private final PeerMemoryPull pulls;
    private final Waits waits;
    private final int fragmentLimit;
    private final long defaultTimeoutNs;

    private final SendQueues queues;
    private final MatchingQueues matching = new MatchingQueues();
    private final BufferPool pool;

    private final SlotTable slots = new SlotTable();

    private final ProgressHooks hooks = new ProgressHooks();
    private final RuntimeSettings settings;
    private int nextContext = 2; // the world uses 0 (point-to-point) and 1 (its collectives)

    private final ContextRoutes routes = new ContextRoutes();
    private final UnsafeBuffer frameScratch = new UnsafeBuffer(new byte[256]);
    private final boolean faultTolerant;
    private final ThreadGuard guard;
    private boolean closed;

    // one view per frame kind, reused for every frame read or written (the sending side's control frames and HELP
    // are written by SendQueues and PeerMemoryPull)
    private final EagerFrame eager = new EagerFrame();
    private final RtsFrame rts = new RtsFrame();
    private final IdPairFrame idPair = new IdPairFrame();
    private final IdFrame idFrame = new IdFrame();
    private final DataFrame data = new DataFrame();
    private final HelpFrame help = new HelpFrame();
    private final RevokeFrame revoke = new RevokeFrame();
    private final FailedFrame failedFrame = new FailedFrame();
    private final AgreeFrame agree = new AgreeFrame();
    private final AgreeFrame agreeOut = new AgreeFrame(); // an answer may go out while a step is read
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
        this.liveness = new PeerLiveness(worldRank, worldSize);
        this.queues = new SendQueues(channels, this);
        this.guard = new ThreadGuard(worldRank);
        int maxEager = 0;
        for (int p = 0; p < worldSize; p++)
        {
            final Channel ch = channels[p];
            eagerLimit[p] = Math.min(settings.eagerLimit(), ch.maxFrameLength() - EagerFrame.HEADER_LENGTH);
            maxEager = Math.max(maxEager, eagerLimit[p]);
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
        final CrossMemory cma = settings.pullsWithCrossMemory() && CrossMemory.supported() ? new CrossMemory() : null;
        if (cma != null)
        {
            CrossMemory.allowPeers(); // so that peers which pull can read this process (Yama's ptrace scope 1)
        }
        this.pulls = new PeerMemoryPull(worldRank, cma, channels, pids, settings.cooperativeCopyFrom());
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

    /** Starts a send or a receive ({@link Request#isSend}), its fields set by the communicator. */
    void start(final Request r)
    {
        final Thread outer = guard.enter();
        try
        {
            if (r.isSend)
            {
                send(r);
            }
            else
            {
                recv(r);
            }
        }
        finally
        {
            guard.leave(outer);
        }
    }

    private void send(final Request r)
    {
        checkOpen();
        final int peer = r.peer;
        if (liveness.isFailed(peer))
        {
            throw peerFailed(peer, "send to");
        }
        r.begin();
        r.exposed = false;
        r.status.set(r.comm == null ? peer : r.comm.rankOfWorld(peer), r.tag, r.length);
        queues.send(r);
    }

    /** Puts the request's next frames on the wire if there is room; true when it no longer needs the queue. */
    @Override
    public boolean trySend(final Request r)
    {
        final int peer = r.peer;
        final Channel ch = channels[peer];
        if (r.phase == Request.STREAMING)
        {
            return stream(r, ch);
        }
        if (r.length <= eagerLimit[peer] && !r.synchronous)
        {
            final int at = ch.tryClaim(EagerFrame.HEADER_LENGTH + r.length);
            if (at == Channel.NO_ROOM)
            {
                return false;
            }
            eager.wrap(ch.buffer(), at).type(Frames.EAGER).put(EagerFrame.CTX, r.ctx).put(EagerFrame.TAG, r.tag)
                .put(EagerFrame.MESSAGE_LENGTH, r.length).put(EagerFrame.STAMP, r.stamp);
            final DirectBuffer b = ch.buffer();
            UnsafeApi.copyMemory(r.base, r.address, b.byteArray(), b.addressOffset() + at + EagerFrame.HEADER_LENGTH,
                r.length);
            ch.commit(at);
            complete(r);
            return true;
        }
        final int at = ch.tryClaim(RtsFrame.FRAME_LENGTH);
        if (at == Channel.NO_ROOM)
        {
            return false;
        }
        if (r.slot < 0)
        {
            slots.take(r);
        }
        // the receiver may read an off-heap buffer itself (cross-memory), or have the path move it by address
        r.exposed = r.base == null && pulls.exposesTo(peer);
        final boolean pullable = r.exposed || r.base == null && ch.movesByAddress();
        rts.wrap(ch.buffer(), at).type(Frames.RTS).put(RtsFrame.CTX, r.ctx).put(RtsFrame.TAG, r.tag)
            .put(RtsFrame.MESSAGE_LENGTH, r.length).put(RtsFrame.SEND_ID, r.slot)
            .put(RtsFrame.ADDRESS, pullable ? r.address : 0L).put(RtsFrame.STAMP, r.stamp);
        ch.commit(at);
        r.phase = Request.AWAIT_CTS;
        return true;
    }

    private boolean stream(final Request r, final Channel ch)
    {
        final int maxPayload = Math.min(fragmentLimit, ch.maxFrameLength() - DataFrame.HEADER_LENGTH);
        while (r.transferred < r.length)
        {
            final int n = Math.min(maxPayload, r.length - r.transferred);
            final int at = ch.tryClaim(DataFrame.HEADER_LENGTH + n);
            if (at == Channel.NO_ROOM)
            {
                return false;
            }
            data.wrap(ch.buffer(), at).type(Frames.DATA).put(DataFrame.RECV_ID, r.remoteSlot)
                .put(DataFrame.POSITION, r.transferred);
            final DirectBuffer b = ch.buffer();
            UnsafeApi.copyMemory(r.base, r.address + r.transferred, b.byteArray(),
                b.addressOffset() + at + DataFrame.HEADER_LENGTH, n);
            ch.commit(at);
            r.transferred += n;
        }
        slots.release(r);
        complete(r);
        return true;
    }

    /** Sends a frame of the fault-tolerance protocol, queued behind what already waits for room to this peer. */
    private void sendFrame(final int peer, final DirectBuffer frame, final int length)
    {
        if (liveness.isFailed(peer) || peer == worldRank)
        {
            return;
        }
        queues.frame(peer, frame, length);
    }

    // ---------------------------------------------------------------------------------------------- receiving

    private void recv(final Request r)
    {
        checkOpen();
        r.begin();
        r.sourceWorld = -1;
        r.stamp = 0;
        final Envelope e = matching.findUnexpected(r.ctx, r.peer, r.tag);
        if (e != null)
        {
            deliverUnexpected(r, e);
            return;
        }
        if (r.peer != ANY && liveness.isFailed(r.peer))
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
        // the message path's frames here, the rest in onOtherFrame: this method stays small enough for the JIT to
        // inline into the transports' poll loops (C2's FreqInlineSize, 325 bytes of bytecode)
        final int type = Frames.type(buffer, offset);
        switch (type)
        {
            case Frames.EAGER -> onEager(peer, eager.wrap(buffer, offset));
            case Frames.RTS -> onRts(peer, rts.wrap(buffer, offset));
            case Frames.CTS -> onCts(idPair.wrap(buffer, offset));
            case Frames.DATA -> onData(data.wrap(buffer, offset), length);
            case Frames.FIN -> onFin(idFrame.wrap(buffer, offset).get(IdFrame.ID));
            default -> onOtherFrame(peer, type, buffer, offset, length);
        }
    }

    private void onOtherFrame(final int peer, final int type, final DirectBuffer buffer, final int offset,
        final int length)
    {
        switch (type)
        {
            case Frames.BYE -> closedAfterTellingOfDeaths(peer);
            case Frames.HELP -> onHelp(peer, help.wrap(buffer, offset));
            case Frames.CTS_BY_ADDRESS -> onCtsByAddress(idPair.wrap(buffer, offset));
            case Frames.CANCEL_SEND -> onCancelSend(peer, idFrame.wrap(buffer, offset).get(IdFrame.ID));
            case Frames.CANCEL_RECV -> onCancelRecv(peer, idPair.wrap(buffer, offset).get(IdPairFrame.SEND_ID),
                idPair.get(IdPairFrame.RECV_ID));
            case Frames.WITHDRAWN -> onWithdrawn(idFrame.wrap(buffer, offset).get(IdFrame.ID));
            case Frames.REVOKE ->
                revoked(revoke.wrap(buffer, offset).get(RevokeFrame.CTX), revoke.get(RevokeFrame.REVOKER));
            // settled after this round of polling, once whatever the dead rank sent this rank before it died has
            // been read (those messages were sent), as a death this rank sees itself is
            case Frames.FAILED ->
                liveness.heardOfDeath(peer, failedFrame.wrap(buffer, offset).get(FailedFrame.RANK),
                    failedFrame.get(FailedFrame.INCARNATION));
            case Frames.AGREE -> onAgreement(peer, buffer, offset, length);
            default -> onPeerFailure(peer, "sent a frame of unknown type " + type + " (protocol mismatch?)");
        }
    }

    private void onEager(final int peer, final EagerFrame frame)
    {
        final int ctx = frame.get(EagerFrame.CTX);
        final int tag = frame.get(EagerFrame.TAG);
        final int length = frame.get(EagerFrame.MESSAGE_LENGTH);
        final long stamp = frame.get(EagerFrame.STAMP);
        final DirectBuffer buffer = frame.buffer();
        final long src = buffer.addressOffset() + frame.offset() + EagerFrame.HEADER_LENGTH;
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

    private void onRts(final int peer, final RtsFrame frame)
    {
        final int ctx = frame.get(RtsFrame.CTX);
        final int tag = frame.get(RtsFrame.TAG);
        final int length = frame.get(RtsFrame.MESSAGE_LENGTH);
        final int sendSlot = frame.get(RtsFrame.SEND_ID);
        final long address = frame.get(RtsFrame.ADDRESS);
        final long stamp = frame.get(RtsFrame.STAMP);
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
        if (liveness.isFailed(peer))
        {
            fail(r, peerFailed(peer, "receive from"));
            return;
        }
        if (length > r.length)
        {
            queues.control(peer, Frames.FIN, sendSlot, 0); // the sender is done; only this receive fails
            setStatus(r, peer, tag, length);
            fail(r, truncated(r, peer, tag, length));
            return;
        }
        setStatus(r, peer, tag, length);
        if (length == 0)
        {
            // an empty synchronous send: matching is all there is to it
            queues.control(peer, Frames.FIN, sendSlot, 0);
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
            queues.control(peer, Frames.CTS_BY_ADDRESS, sendSlot, r.slot);
            return;
        }
        if (address != 0 && r.base == null && pulls.mayPullFrom(peer))
        {
            final PeerMemoryPull.Outcome outcome = pulls.pull(peer, r.address, address, length, sendSlot);
            if (outcome == PeerMemoryPull.Outcome.PULLED)
            {
                queues.control(peer, Frames.FIN, sendSlot, 0);
                complete(r);
                return;
            }
            if (outcome == PeerMemoryPull.Outcome.PEER_GONE)
            {
                onPeerFailure(peer, "process " + pulls.pid(peer) + " is gone");
                fail(r, peerFailed(peer, "receive from")); // matched already: in no list the failure goes through
                return;
            } // REFUSED: not permitted here, and from now on messages from this peer stream through the ring
        }
        r.phase = Request.STREAMING;
        slots.take(r);
        queues.control(peer, Frames.CTS, sendSlot, r.slot);
    }

    /** Sender: the receiver asks for help with a transfer; push every chunk still unclaimed. */
    private void onHelp(final int peer, final HelpFrame frame)
    {
        final Request r = slots.get(frame.get(HelpFrame.SEND_ID));
        if (r != null && r.isSend && r.state == Request.PENDING && r.base == null)
        {
            pulls.help(peer, r.address, frame);
        } // else nothing of ours to push: the receiver copies alone
    }

    private void onCts(final IdPairFrame frame)
    {
        final Request r = slots.get(frame.get(IdPairFrame.SEND_ID));
        if (r == null || r.phase == Request.TOMBSTONE || r.phase == Request.WITHDRAWING)
        {
            return; // withdrawn: the receiver fails its receive when our cancel arrives, right behind
        }
        r.remoteSlot = frame.get(IdPairFrame.RECV_ID);
        r.phase = Request.STREAMING;
        r.exposed = false; // the receiver streams: it will not read our memory
        r.transferred = 0;
        queues.send(r);
    }

    /** Sender: the receiver has posted its buffer; the path moves the bytes and reports the end. */
    private void onCtsByAddress(final IdPairFrame frame)
    {
        final int id = frame.get(IdPairFrame.SEND_ID);
        final Request r = slots.get(id);
        final int recvSlot = frame.get(IdPairFrame.RECV_ID);
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

    private void onData(final DataFrame frame, final int frameLength)
    {
        final Request r = slots.get(frame.get(DataFrame.RECV_ID));
        if (r.phase == Request.TOMBSTONE)
        {
            return; // sent before the sender saw our cancel: the withdrawn buffer is not touched
        }
        final int at = frame.get(DataFrame.POSITION);
        final int n = frameLength - DataFrame.HEADER_LENGTH;
        final DirectBuffer buffer = frame.buffer();
        UnsafeApi.copyMemory(buffer.byteArray(), buffer.addressOffset() + frame.offset() + DataFrame.HEADER_LENGTH,
            r.base, r.address + at, n);
        r.transferred += n;
        if (r.transferred == r.status.count)
        {
            slots.release(r);
            complete(r);
        }
    }

    private void onFin(final int sendSlot)
    {
        final Request r = slots.get(sendSlot);
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
        final Thread outer = guard.enter();
        try
        {
            return withdrawNow(r);
        }
        finally
        {
            guard.leave(outer);
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
                queues.remove(r.peer, r);
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
                queues.control(peer, Frames.CANCEL_SEND, r.slot, 0);
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
            queues.remove(peer, r);
            queues.control(peer, Frames.CANCEL_SEND, r.slot, 0);
        }
        else
        {
            queues.control(peer, Frames.CANCEL_RECV, r.remoteSlot, r.slot);
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
            queues.control(peer, Frames.WITHDRAWN, sendSlot, 0);
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
        queues.control(peer, Frames.WITHDRAWN, sendSlot, 0);
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
        queues.control(peer, Frames.WITHDRAWN, recvSlot, 0);
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
                queues.remove(peer, r);
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
            if (source != ANY && liveness.isFailed(source))
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
        final Thread outer = guard.enter();
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
            guard.leave(outer);
        }
    }

    private int drive()
    {
        int work = 0;
        if (queues.anyQueued())
        {
            work += queues.flush();
        }
        for (final Transport t : transports)
        {
            work += t.poll(this, 64);
        }
        if (liveness.anyHeard())
        {
            work += settleHeardDeaths(true);
        }
        work += hooks.doWork();
        return work;
    }

    void addHook(final Progressable hook)
    {
        hooks.add(hook);
    }

    void removeHook(final Progressable hook)
    {
        hooks.remove(hook);
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
        if (liveness.isFailed(peer))
        {
            throw peerFailed(peer, what);
        }
    }

    private PeerFailedException peerFailed(final int peer, final String what)
    {
        return new PeerFailedException(peer, "rank " + worldRank + ": cannot " + what + " world rank " + peer +
            ": it has failed (" + liveness.failure(peer) + ")");
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
        liveness.markGone(peer, reason);
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
        liveness.revive(peer, incarnation);
        channels[peer] = channel;
        pids[peer] = pid;
        eagerLimit[peer] = Math.min(settings.eagerLimit(), channel.maxFrameLength() - EagerFrame.HEADER_LENGTH);
        pulls.forget(peer);
        queues.dropAll(peer);
    }

    /**
     * A peer is gone. Everything waiting on it fails; a receive from any source fails too when the peer died
     * (it may have been the one meant to send), but not when it closed in good order.
     */
    private void peerLost(final int peer, final String reason, final boolean died)
    {
        if (!liveness.lose(peer, reason, died))
        {
            return;
        }
        queues.dropFrames(peer);
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
        for (Request r = queues.dropAll(peer); r != null; r = r.next)
        {
            slots.release(r); // a send part-streamed holds one
            fail(r, peerFailed(peer, "send to"));
        }
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
        liveness.joinedAs(incarnation);
    }

    /** Which process holds world slot {@code peer} as far as this rank knows: 0 for the first, n for the n-th replacement. */
    int incarnation(final int peer)
    {
        return liveness.incarnation(peer);
    }

    /** The communicator of point-to-point context {@code ctx} registered here, or null. */
    Communicator communicator(final int ctx)
    {
        return routes.communicator(ctx);
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
        final int revoker = routes.register(comm);
        if (revoker >= 0)
        {
            forwardRevocation(comm, revoker);
        }
        routes.deliverEarlySteps(comm);
    }

    void deregister(final Communicator comm)
    {
        routes.deregister(comm);
    }

    /** The world rank that revoked the communicator of this context (either of its two), or -1. */
    int revoker(final int ctx)
    {
        return routes.revoker(ctx);
    }

    /**
     * Revokes the communicator of context {@code ctx} (its point-to-point context; the collective one goes with it):
     * a local call or a REVOKE frame. The first time, it passes the revocation on to every other member (so that it
     * reaches all even if the revoker dies while sending it) and fails every receive posted and every send not yet
     * started on it; transfers already matched fail when their waits look (see {@link #await(Request, long)}).
     */
    void revoked(final int ctx, final int revoker)
    {
        if (!routes.revoke(ctx, revoker))
        {
            return;
        }
        final Communicator comm = routes.communicator(ctx);
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
            for (Request q = queues.firstWaiting(peer); q != null; )
            {
                final Request next = q.next;
                if ((q.ctx == ctx || q.ctx == ctx + 1) && q.phase == Request.QUEUED)
                {
                    queues.remove(peer, q);
                    fail(q, q.comm.revokedError(q.describe()));
                }
                q = next;
            }
        }
    }

    private void forwardRevocation(final Communicator comm, final int revoker)
    {
        revoke.wrap(frameScratch, 0).type(Frames.REVOKE).put(RevokeFrame.CTX, comm.context())
            .put(RevokeFrame.REVOKER, revoker);
        for (int r = 0; r < comm.size(); r++)
        {
            sendFrame(comm.worldRank(r), frameScratch, RevokeFrame.FRAME_LENGTH);
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
        for (int rank = liveness.nextHeard(); rank >= 0; rank = liveness.nextHeard())
        {
            peerLost(rank, liveness.heardReason(rank), true);
            work++;
        }
        return work;
    }

    /** Tells every other rank that a rank died: each that learns of it first passes it on (gossip, no server). */
    private void spreadDeath(final int rank)
    {
        failedFrame.wrap(frameScratch, 0).type(Frames.FAILED).put(FailedFrame.RANK, rank)
            .put(FailedFrame.INCARNATION, liveness.incarnation(rank)).put(FailedFrame.PADDING, 0);
        for (int p = 0; p < worldSize; p++)
        {
            sendFrame(p, frameScratch, FailedFrame.FRAME_LENGTH);
        }
    }

    /** Sends one agreement step (layout in {@link Frames}); bitmaps of {@code words} longs, null for none. */
    void sendAgreement(final int peer, final int ctx, final int seq, final int kind, final int epoch, final int value,
        final int max, final long[] failedSet, final int acceptedEpoch, final int acceptedValue, final int acceptedMax,
        final long[] acceptedSet, final int words)
    {
        final int length = AgreeFrame.frameLength(words);
        final UnsafeBuffer b = length <= frameScratch.capacity() ? frameScratch : new UnsafeBuffer(new byte[length]);
        agreeOut.wrap(b, 0).type(Frames.AGREE).put(AgreeFrame.CTX, ctx).put(AgreeFrame.SEQ, seq)
            .put(AgreeFrame.KIND, kind).put(AgreeFrame.EPOCH, epoch).put(AgreeFrame.VALUE, value)
            .put(AgreeFrame.MAX, max).put(AgreeFrame.ACCEPTED_EPOCH, acceptedEpoch)
            .put(AgreeFrame.ACCEPTED_VALUE, acceptedValue).put(AgreeFrame.ACCEPTED_MAX, acceptedMax)
            .put(AgreeFrame.WORDS, words).put(AgreeFrame.INCARNATION, liveness.incarnation(worldRank));
        for (int w = 0; w < words; w++)
        {
            agreeOut.failedWord(w, failedSet == null ? 0 : failedSet[w]);
            agreeOut.acceptedWord(w, acceptedSet == null ? 0 : acceptedSet[w]);
        }
        sendFrame(peer, b, length);
    }

    private void onAgreement(final int peer, final DirectBuffer buffer, final int offset, final int length)
    {
        if (agree.wrap(buffer, offset).get(AgreeFrame.INCARNATION) < liveness.incarnation(peer))
        {
            return; // a step of the process this slot held before: not the present one's
        }
        routes.onAgreementStep(peer, agree, buffer, offset, length, nextContext);
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
        return liveness.failure(peer);
    }

    boolean died(final int peer)
    {
        return liveness.died(peer);
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
        while (queues.anyQueued() && System.nanoTime() - giveUp < 0)
        {
            waits.pause(progress());
        }
        for (int peer = 0; peer < worldSize; peer++)
        {
            if (peer != worldRank && !liveness.isFailed(peer))
            {
                final Channel ch = channels[peer];
                final int at = ch.tryClaim(IdFrame.FRAME_LENGTH);
                if (at != Channel.NO_ROOM)
                {
                    idFrame.wrap(ch.buffer(), at).type(Frames.BYE).put(IdFrame.ID, 0);
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
        pulls.close();
    }

}
