package dev.ringfold.mpi.transport.shm;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.InputWaiter;
import dev.ringfold.mpi.transport.FrameHandler;
import dev.ringfold.mpi.transport.RingChannel;
import dev.ringfold.mpi.transport.Transport;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.nio.file.Path;

/**
 * Shared memory inside a node: every rank owns one {@link RingFile} holding one single-producer ring per rank of
 * the node; it writes into ring {@code myLocalIndex} of each peer's file and reads all rings of its own.
 * Set up in three steps matched to the bootstrap's rounds: {@link #create} once the first exchange has told who
 * shares the node,
 * {@link #mapPeers} once every file exists, {@link #unlinkOwn} once every peer has mapped: from then on nothing
 * of the job remains in /dev/shm, whatever way it ends.
 */
public final class ShmTransport implements Transport, InputWaiter
{

    private final int[] localRanks;
    private final int myIndex;
    private final int capacity;
    private final RingFile own;
    private final Doorbell ownDoorbell;
    private final RingFile[] peerFiles;
    private final OneToOneRingBuffer[] inbound;
    private final Channel[] outboundByWorldRank;
    private final Delivery[] deliveries;
    private final org.agrona.concurrent.UnsafeBuffer[] pairSlotFrom;
    private final org.agrona.concurrent.UnsafeBuffer[] pairSlotTo;
    private final long[] pids;
    private final PeerProcesses processes;
    private final String[] failed;
    private final RingFile[] newcomerFiles;  // a replacement's file, mapped during its join, by local index
    private final long[] newcomerPids;
    private final java.util.List<RingFile> retired = new java.util.ArrayList<>(); // dead incarnations' files
    private FrameHandler handler;
    private int pollStart;

    private ShmTransport(final int worldSize, final int[] localRanks, final int myIndex, final int capacity,
        final RingFile own)
    {
        this.localRanks = localRanks;
        this.myIndex = myIndex;
        this.capacity = capacity;
        this.own = own;
        this.ownDoorbell = own.doorbell();
        this.peerFiles = new RingFile[localRanks.length];
        this.inbound = new OneToOneRingBuffer[localRanks.length];
        this.outboundByWorldRank = new Channel[worldSize];
        this.deliveries = new Delivery[localRanks.length];
        this.pairSlotFrom = new org.agrona.concurrent.UnsafeBuffer[worldSize];
        this.pairSlotTo = new org.agrona.concurrent.UnsafeBuffer[worldSize];
        this.pids = new long[localRanks.length];
        this.processes = new PeerProcesses(worldSize);
        this.failed = new String[localRanks.length];
        this.newcomerFiles = new RingFile[localRanks.length];
        this.newcomerPids = new long[localRanks.length];
        for (int i = 0; i < localRanks.length; i++)
        {
            inbound[i] = own.ring(i);
            deliveries[i] = new Delivery(localRanks[i]);
        }
    }

    /**
     * Creates this rank's inbound file.
     *
     * @param localRanks the world ranks of this node that talk through shared memory, ascending, this rank included.
     */
    public static ShmTransport create(final Path dir, final String jobId, final int worldRank, final int worldSize,
        final int[] localRanks, final int ringCapacity)
    {
        int myIndex = -1;
        for (int i = 0; i < localRanks.length; i++)
        {
            if (localRanks[i] == worldRank)
            {
                myIndex = i;
            }
        }
        if (myIndex < 0)
        {
            throw new IllegalArgumentException("rank " + worldRank + " is not among the node's ranks");
        }
        if (Integer.bitCount(ringCapacity) != 1)
        {
            throw new IllegalArgumentException("ring capacity must be a power of two, got " + ringCapacity);
        }
        final RingFile own = RingFile.create(RingFile.newPath(dir, jobId, worldRank), localRanks.length, ringCapacity);
        return new ShmTransport(worldSize, localRanks, myIndex, ringCapacity, own);
    }

    /** The name of this rank's file in its directory, for the peers to learn through the rendezvous. */
    public String fileName()
    {
        return own.path().getFileName().toString();
    }

    /**
     * Maps every peer's file; call once all of them exist.
     *
     * @param fileNames each world rank's {@link #fileName()}, as the authenticated rendezvous carried them (entries of
     *                  ranks on other nodes are not read).
     */
    public void mapPeers(final Path dir, final String jobId, final String[] fileNames, final long[] pidsByWorldRank)
    {
        final java.nio.file.attribute.UserPrincipal owner = own.owner();
        for (int i = 0; i < localRanks.length; i++)
        {
            final int peer = localRanks[i];
            install(i, i == myIndex ? own : RingFile.map(RingFile.peerPath(dir, jobId, peer, fileNames[peer]),
                localRanks.length, capacity, owner), pidsByWorldRank[peer]);
        }
    }

    /** Peer {@code i} of the node is reached through {@code file} and lives as process {@code pid}. */
    private void install(final int i, final RingFile file, final long pid)
    {
        final int peer = localRanks[i];
        peerFiles[i] = file;
        pairSlotFrom[peer] = own.pairSlot(i);
        pairSlotTo[peer] = file.pairSlot(myIndex);
        outboundByWorldRank[peer] = new ShmChannel(file.ring(myIndex), peer, file.doorbell());
        pids[i] = pid;
        processes.track(peer, pid);
    }

    /**
     * Maps the files of the peers a replacement joins (after the start-up, their names unlinked): each through the
     * descriptor its owner keeps open. A peer without a link (null) was gone when this rank joined: it has no
     * channel, and is reported failed from the start.
     */
    public void mapPeersThroughLinks(final Path dir, final String jobId, final String[] links,
        final long[] pidsByWorldRank)
    {
        final java.nio.file.attribute.UserPrincipal owner = own.owner();
        for (int i = 0; i < localRanks.length; i++)
        {
            final int peer = localRanks[i];
            if (i != myIndex && links[peer] == null)
            {
                failed[i] = "it was gone when this rank joined";
                outboundByWorldRank[peer] = new dev.ringfold.mpi.transport.GoneChannel(own.ring(0).maxMsgLength());
                continue;
            }
            final RingFile file;
            try
            {
                file = i == myIndex ? own : RingFile.mapThroughLink(Path.of(links[peer]), dir, jobId, peer,
                    localRanks.length, capacity, owner);
            }
            catch (final java.io.UncheckedIOException ex)
            {
                if (ProcessHandle.of(pidsByWorldRank[peer]).map(ProcessHandle::isAlive).orElse(false))
                {
                    throw ex;
                }
                // it answered this rank's join and died since (its /proc entry is gone): a failed rank, as one
                // gone before the join, not a failed join
                failed[i] = "it died while this rank joined";
                outboundByWorldRank[peer] = new dev.ringfold.mpi.transport.GoneChannel(own.ring(0).maxMsgLength());
                continue;
            }
            install(i, file, pidsByWorldRank[peer]);
        }
    }

    /**
     * Why world rank {@code peer}, a peer on this node's shared memory, is failed here, or null while it is not: a
     * replacement asks after {@link #mapPeersThroughLinks}, so that its engine holds a survivor that died during the
     * join failed from the start (its liveness check skips a rank failed here, and no survivor may tell it of the
     * death: they admitted it after they saw it).
     */
    public String failure(final int peer)
    {
        return failed[indexOf(peer)];
    }

    /** The world ranks of this node on shared memory, ascending: the order of the rings in each of their files. */
    public int[] localRanks()
    {
        return localRanks.clone();
    }

    /** Whether this rank reaches world rank {@code peer} through this node's shared memory. */
    public boolean carries(final int peer)
    {
        return peer != localRanks[myIndex] && java.util.Arrays.binarySearch(localRanks, peer) >= 0;
    }

    /** Where a replacement joining later opens this rank's file ({@code /proc/PID/fd/N}). */
    public String openLink()
    {
        return own.openLink().toString();
    }

    /**
     * Readies the slot of {@code peer} for a replacement: its old process must be gone; what it wrote is read and
     * its death reported (as the liveness check would, if it has not yet), then its ring and pair slot in this rank's
     * file are emptied for the newcomer.
     *
     * @return false when the old process still lives (nothing changed).
     */
    public boolean clearFor(final int peer, final FrameHandler handler)
    {
        final int i = indexOf(peer);
        if (processes.isAlive(peer))
        {
            return false;
        }
        if (failed[i] == null)
        {
            inbound[i].read(deliveries[i], Integer.MAX_VALUE);
            failed[i] = "process " + pids[i] + " has exited";
            handler.onPeerFailure(peer, failed[i]);
        }
        own.reset(i);
        return true;
    }

    /** Maps the file of {@code peer}'s replacement, from the name it sent during its join. */
    public void mapNewcomer(final Path dir, final String jobId, final int peer, final String fileName, final long pid)
    {
        final int i = indexOf(peer);
        abandon(peer);
        newcomerFiles[i] = RingFile.map(RingFile.peerPath(dir, jobId, peer, fileName), localRanks.length, capacity,
            own.owner());
        newcomerPids[i] = pid;
    }

    /**
     * {@code peer}'s replacement takes its place: its file (mapped by {@link #mapNewcomer}), its process. The dead
     * incarnation's mapping stays until close, as layers above may still hold views of it.
     *
     * @return the channel to the newcomer.
     */
    public Channel admit(final int peer)
    {
        final int i = indexOf(peer);
        final RingFile file = newcomerFiles[i];
        if (file == null)
        {
            throw new IllegalStateException("rank " + localRanks[myIndex] + ": no file of world rank " + peer +
                "'s replacement is mapped");
        }
        newcomerFiles[i] = null;
        if (peerFiles[i] != null)
        {
            retired.add(peerFiles[i]);
        }
        install(i, file, newcomerPids[i]);
        failed[i] = null;
        return outboundByWorldRank[peer];
    }

    /** Drops what a replacement of {@code peer} that went away before it joined had set up here. */
    public void abandon(final int peer)
    {
        final int i = indexOf(peer);
        if (newcomerFiles[i] != null)
        {
            newcomerFiles[i].close();
            newcomerFiles[i] = null;
        }
    }

    private int indexOf(final int peer)
    {
        for (int i = 0; i < localRanks.length; i++)
        {
            if (localRanks[i] == peer && i != myIndex)
            {
                return i;
            }
        }
        throw new IllegalArgumentException("rank " + localRanks[myIndex] + ": world rank " + peer +
            " is not a peer on this node's shared memory " + java.util.Arrays.toString(localRanks));
    }

    public void unlinkOwn()
    {
        own.unlink();
    }

    @Override
    public Channel channel(final int peer)
    {
        return peer < outboundByWorldRank.length ? outboundByWorldRank[peer] : null;
    }

    @Override
    public int poll(final FrameHandler handler, final int limit)
    {
        this.handler = handler;
        final int n = inbound.length;
        int frames = 0;
        // rotate the starting ring so no peer can starve the others
        final int start = pollStart;
        pollStart = start + 1 == n ? 0 : start + 1;
        for (int k = 0; k < n; k++)
        {
            int i = start + k;
            if (i >= n)
            {
                i -= n;
            }
            frames += inbound[i].read(deliveries[i], limit);
        }
        return frames;
    }

    /** Sleeps until a peer commits a frame to one of this rank's rings, or {@code timeoutNs} passes. */
    @Override
    public void awaitInput(final long timeoutNs)
    {
        ownDoorbell.sleep(timeoutNs, this);
    }

    /** Parks about {@code ns} in this rank's doorbell: precise once the futex is linked. */
    @Override
    public void pause(final long ns)
    {
        ownDoorbell.park(ns);
    }

    /** Wakes this rank if it sleeps waiting for input: from another thread that left it work (a join's round). */
    public void wake()
    {
        ownDoorbell.ring();
    }

    @Override
    public boolean waitsBriefly()
    {
        return true;
    }

    boolean hasInput()
    {
        for (final OneToOneRingBuffer ring : inbound)
        {
            if (ring.producerPosition() != ring.consumerPosition())
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void checkLiveness(final FrameHandler handler)
    {
        for (int i = 0; i < pids.length; i++)
        {
            if (i != myIndex && failed[i] == null && !processes.isAlive(localRanks[i]))
            {
                // drain what it wrote before it died: those messages were sent
                inbound[i].read(deliveries[i], Integer.MAX_VALUE);
                failed[i] = "process " + pids[i] + " has exited";
                handler.onPeerFailure(localRanks[i], failed[i]);
            }
        }
    }

    @Override
    public void close()
    {
        own.unlink();
        for (int i = 0; i < peerFiles.length; i++)
        {
            if (peerFiles[i] != null && i != myIndex)
            {
                peerFiles[i].close();
            }
            if (newcomerFiles[i] != null)
            {
                newcomerFiles[i].close();
            }
        }
        for (final RingFile file : retired)
        {
            file.close();
        }
        own.close();
    }

    private final class Delivery implements MessageHandler
    {
        private final int peer;

        Delivery(final int peer)
        {
            this.peer = peer;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            handler.onFrame(peer, buffer, index, length);
        }
    }

    private final class ShmChannel extends RingChannel
    {
        private final int peer;
        private final Doorbell doorbell;

        ShmChannel(final OneToOneRingBuffer ring, final int peer, final Doorbell doorbell)
        {
            super(ring);
            this.peer = peer;
            this.doorbell = doorbell;
        }

        @Override
        public void commit(final int offset)
        {
            super.commit(offset);
            doorbell.ring();
        }

        @Override
        public String kind()
        {
            return "shm";
        }

        @Override
        public boolean sharesMemory()
        {
            return true;
        }

        @Override
        public boolean pullsFromPeerMemory()
        {
            return true;
        }

        @Override
        public org.agrona.concurrent.UnsafeBuffer copyTogetherSlot(final boolean inbound)
        {
            return inbound ? pairSlotFrom[peer] : pairSlotTo[peer];
        }

        @Override
        public boolean peerAlive()
        {
            return processes.isAlive(peer);
        }
    }

}
