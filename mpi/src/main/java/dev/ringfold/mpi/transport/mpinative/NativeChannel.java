package dev.ringfold.mpi.transport.mpinative;

import dev.ringfold.mpi.transport.Channel;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.MemorySegment;

/**
 * Frames to one peer as MPI messages on the transport's frame communicator: each frame is written in place into
 * a ring of off-heap memory and sent from there with {@code MPI_Isend}, its length as the tag. A frame's bytes are
 * released once MPI has finished with them, oldest first, and only when room is needed: small sends complete
 * inside {@code MPI_Isend}, so the test that retires them costs one downcall per ring's worth of frames.
 */
final class NativeChannel implements Channel
{
    private static final int ALIGNMENT = 8;

    private final NativeTransport transport;
    private final int peer;
    private final long comm;
    private final UnsafeBuffer ring;
    private final long ringAddress;
    private final int capacity;
    private final int mask;
    private final int maxFrame;
    private final long requests;
    private final long[] frameEnds;
    private final MemorySegment flag;
    private long written;
    private long released;
    private int head;
    private int tail;
    private int inFlight;
    private int claimedLength;

    NativeChannel(final NativeTransport transport, final int peer, final long comm, final MemorySegment ring,
        final MemorySegment requests, final int maxFrame, final MemorySegment flag)
    {
        this.transport = transport;
        this.peer = peer;
        this.comm = comm;
        this.ring = new UnsafeBuffer(ring.address(), (int)ring.byteSize());
        this.ringAddress = ring.address();
        this.capacity = (int)ring.byteSize();
        this.mask = capacity - 1;
        this.maxFrame = maxFrame;
        this.requests = requests.address();
        this.frameEnds = new long[(int)(requests.byteSize() / Mpi.HANDLE_BYTES)];
        this.flag = flag;
    }

    @Override
    public int tryClaim(final int length)
    {
        final int aligned = (length + ALIGNMENT - 1) & -ALIGNMENT;
        if (!hasRoom(aligned))
        {
            retire();
            if (!hasRoom(aligned))
            {
                return NO_ROOM;
            }
        }
        final int offset = (int)(written & mask);
        if (offset + aligned > capacity)
        {
            written += capacity - offset; // a frame never wraps: skip the ring's tail, released with this frame
        }
        final int at = (int)(written & mask);
        written += aligned;
        claimedLength = length;
        return at;
    }

    private boolean hasRoom(final int aligned)
    {
        final int offset = (int)(written & mask);
        final int skip = offset + aligned > capacity ? capacity - offset : 0;
        return inFlight < frameEnds.length && written + skip + aligned - released <= capacity;
    }

    @Override
    public MutableDirectBuffer buffer()
    {
        return ring;
    }

    @Override
    public void commit(final int offset)
    {
        transport.checkThread();
        Mpi.isend(ringAddress + offset, claimedLength, peer, claimedLength, comm, requests + (long)head * Mpi.HANDLE_BYTES);
        frameEnds[head] = written;
        head = head + 1 == frameEnds.length ? 0 : head + 1;
        inFlight++;
    }

    /** Releases the frames MPI is done with, oldest first; returns how many. */
    int retire()
    {
        int retired = 0;
        while (inFlight > 0 && Mpi.test(requests + (long)tail * Mpi.HANDLE_BYTES, flag, 0L))
        {
            released = frameEnds[tail];
            tail = tail + 1 == frameEnds.length ? 0 : tail + 1;
            inFlight--;
            retired++;
        }
        return retired;
    }

    /** At close: MPI may finish the frames still in flight on its own; the handles are given back now. */
    void abandonInFlight()
    {
        while (inFlight > 0)
        {
            final long request = requests + (long)tail * Mpi.HANDLE_BYTES;
            if (!Mpi.test(request, flag, 0L))
            {
                Mpi.requestFree(request);
            }
            tail = tail + 1 == frameEnds.length ? 0 : tail + 1;
            inFlight--;
        }
    }

    @Override
    public int maxFrameLength()
    {
        return maxFrame;
    }

    @Override
    public int flush()
    {
        return 0;
    }

    @Override
    public String kind()
    {
        return "native";
    }

    @Override
    public boolean movesByAddress()
    {
        return true;
    }

    @Override
    public void sendByAddress(final long address, final int length, final int tag, final int id)
    {
        transport.startMove(true, address, length, peer, tag, id);
    }

    @Override
    public void receiveByAddress(final long address, final int length, final int tag, final int id)
    {
        transport.startMove(false, address, length, peer, tag, id);
    }
}
