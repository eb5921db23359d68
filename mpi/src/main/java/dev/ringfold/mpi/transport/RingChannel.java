package dev.ringfold.mpi.transport;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * A path to one peer through an Agrona one-to-one ring buffer that the peer reads: a frame is claimed in place in
 * the ring, written and committed, and nothing needs flushing. Shared memory's channels are these; a subclass adds
 * what its path can do besides (the {@link Channel} capabilities).
 */
public abstract class RingChannel implements Channel
{
    private static final int MSG_TYPE = 1; // the ring's record type; the engine's frame type is inside the frame

    private final OneToOneRingBuffer ring;
    private final int maxFrame;

    protected RingChannel(final OneToOneRingBuffer ring)
    {
        this.ring = ring;
        this.maxFrame = ring.maxMsgLength();
    }

    @Override
    public final int tryClaim(final int length)
    {
        final int index = ring.tryClaim(MSG_TYPE, length);
        return index == RingBuffer.INSUFFICIENT_CAPACITY ? NO_ROOM : index;
    }

    @Override
    public final MutableDirectBuffer buffer()
    {
        return ring.buffer();
    }

    /** Commits the claimed frame; a subclass may add what a commit must also do (wake a sleeping peer). */
    @Override
    public void commit(final int offset)
    {
        ring.commit(offset);
    }

    @Override
    public final int maxFrameLength()
    {
        return maxFrame;
    }

    @Override
    public final int flush()
    {
        return 0;
    }
}
