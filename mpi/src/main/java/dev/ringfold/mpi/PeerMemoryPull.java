package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.internal.CooperativeCopy;
import dev.ringfold.mpi.internal.CrossMemory;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A rendezvous message moved by reading the peer's memory: the receiver, once it has matched an RTS that names the
 * sender's off-heap buffer, copies the bytes with one cross-memory read (process_vm_readv), or for a large message
 * together with the sender ({@link CooperativeCopy}: the receiver asks for help with a HELP frame, and both claim
 * chunks). Per peer it remembers whether a read was refused (the peer's memory is then not read again, and
 * messages stream through the ring) and whether one succeeded (only then is a copy together tried: a first read that
 * fails costs nothing but a fallback, a copy together that fails halfway costs a wait).
 */
final class PeerMemoryPull implements AutoCloseable
{
    /** What {@link #pull} did. */
    enum Outcome
    {
        /** The bytes are here. */
        PULLED,
        /** The peer's process is gone. */
        PEER_GONE,
        /** This rank may not read the peer's memory; nothing was pulled, and the peer is not read again. */
        REFUSED
    }

    private final int worldRank;
    private final CrossMemory cma;
    private final Channel[] channels;
    private final long[] pids;
    private final boolean[] denied;
    private final boolean[] verified;
    private final int[] generation;
    private final long cooperativeMin;
    private final HelpFrame help = new HelpFrame();

    /**
     * Over {@code channels} and {@code pids}, which it reads at each use (a replacement rank gets a new channel and
     * process there); with {@code cma} null, no peer is ever read.
     */
    PeerMemoryPull(final int worldRank, final CrossMemory cma, final Channel[] channels, final long[] pids,
        final long cooperativeMin)
    {
        this.worldRank = worldRank;
        this.cma = cma;
        this.channels = channels;
        this.pids = pids;
        this.cooperativeMin = cooperativeMin;
        this.denied = new boolean[channels.length];
        this.verified = new boolean[channels.length];
        this.generation = new int[channels.length];
    }

    /** Whether a send to {@code peer} from an off-heap buffer should let the receiver read that buffer. */
    boolean exposesTo(final int peer)
    {
        return cma != null && channels[peer].pullsFromPeerMemory() && !denied[peer];
    }

    /** Whether a receive may try to read {@code peer}'s buffer (the RTS named one, and ours is off-heap). */
    boolean mayPullFrom(final int peer)
    {
        return cma != null && !denied[peer];
    }

    /** The peer's process id, for messages. */
    long pid(final int peer)
    {
        return pids[peer];
    }

    /** A replacement took the peer's place: nothing learned of the old process holds for the new one. */
    void forget(final int peer)
    {
        denied[peer] = false;
        verified[peer] = false;
    }

    /**
     * Receiver: copies {@code length} bytes of the peer's {@code remoteAddress} to {@code localAddress} (only where
     * {@link #mayPullFrom}); {@code sendSlot} is the sender's slot, which a HELP frame names.
     */
    Outcome pull(final int peer, final long localAddress, final long remoteAddress, final int length,
        final int sendSlot)
    {
        final int errno = verified[peer] && length >= cooperativeMin && peer != worldRank &&
            channels[peer].copyTogetherSlot(true) != null ?
            copyTogether(peer, localAddress, remoteAddress, length, sendSlot) :
            cma.read(pids[peer], localAddress, remoteAddress, length);
        if (errno == 0)
        {
            verified[peer] = true;
            return Outcome.PULLED;
        }
        if (CrossMemory.isGoneError(errno))
        {
            return Outcome.PEER_GONE;
        }
        denied[peer] = true;
        return Outcome.REFUSED;
    }

    /**
     * Receiver: copies a large message together with its sender. Asks for help with a HELP frame if the ring has room
     * (else copies alone), copies every chunk it can claim, then waits for the chunks the sender claimed. Returns 0,
     * or the errno that stopped it.
     */
    private int copyTogether(final int peer, final long localAddress, final long remoteAddress, final int length,
        final int sendSlot)
    {
        final Channel ch = channels[peer];
        final UnsafeBuffer slot = ch.copyTogetherSlot(true);
        int gen = ++generation[peer];
        if (gen == 0)
        {
            gen = ++generation[peer]; // 0 is what a fresh slot holds
        }
        final int chunk = CooperativeCopy.chunkBytes(length);
        final int chunks = CooperativeCopy.chunks(length, chunk);
        CooperativeCopy.open(slot, gen);
        final int at = ch.tryClaim(HelpFrame.FRAME_LENGTH);
        if (at != Channel.NO_ROOM)
        {
            help.wrap(ch.buffer(), at).type(Frames.HELP).put(HelpFrame.GENERATION, gen).put(HelpFrame.SEND_ID, sendSlot)
                .put(HelpFrame.MESSAGE_LENGTH, length).put(HelpFrame.ADDRESS, localAddress).put(HelpFrame.CHUNK, chunk);
            ch.commit(at);
        }
        int k;
        while ((k = CooperativeCopy.claim(slot, gen, chunks)) >= 0)
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
            return cma.read(pids[peer], localAddress + offset, remoteAddress + offset,
                Math.min(chunk, length - offset));
        }
        return 0;
    }

    /**
     * Sender: the receiver asked for help with the transfer from {@code sendAddress} that {@code frame} (a HELP)
     * names; pushes every chunk still unclaimed, and gives back one it could not write.
     */
    void help(final int peer, final long sendAddress, final HelpFrame frame)
    {
        final UnsafeBuffer slot = channels[peer].copyTogetherSlot(false);
        if (slot == null || cma == null)
        {
            return; // the receiver copies alone
        }
        final int gen = frame.get(HelpFrame.GENERATION);
        final int length = frame.get(HelpFrame.MESSAGE_LENGTH);
        final long remoteAddress = frame.get(HelpFrame.ADDRESS);
        final int chunk = frame.get(HelpFrame.CHUNK);
        final int chunks = CooperativeCopy.chunks(length, chunk);
        int k;
        while ((k = CooperativeCopy.claim(slot, gen, chunks)) >= 0)
        {
            final long at = (long)k * chunk;
            if (cma.write(pids[peer], sendAddress + at, remoteAddress + at, Math.min(chunk, length - at)) != 0)
            {
                CooperativeCopy.giveBack(slot, k);
                return;
            }
            CooperativeCopy.copied(slot);
        }
    }

    @Override
    public void close()
    {
        if (cma != null)
        {
            cma.close();
        }
    }
}
