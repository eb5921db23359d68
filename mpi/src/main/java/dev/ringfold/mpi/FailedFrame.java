package dev.ringfold.mpi;

/**
 * A FAILED frame: that incarnation of a world rank has died (gossip: forwarded once, by whoever learns of it first).
 * Layout and byte order in {@link Frames}.
 */
final class FailedFrame extends FrameFlyweight<FailedFrame>
{
    static final int RANK_OFFSET = 4;
    static final int INCARNATION_OFFSET = 8;
    static final int PADDING_OFFSET = 12;
    static final int FRAME_LENGTH = 16;

    int rank()
    {
        return getInt(RANK_OFFSET);
    }

    FailedFrame rank(final int value)
    {
        putInt(RANK_OFFSET, value);
        return this;
    }

    /** Which process of the slot died: a death told late of an earlier one is not the present one's. */
    int incarnation()
    {
        return getInt(INCARNATION_OFFSET);
    }

    FailedFrame incarnation(final int value)
    {
        putInt(INCARNATION_OFFSET, value);
        return this;
    }

    /** Zeroes the word that pads the frame to 8 bytes, so no stale scratch bytes go on the wire. */
    FailedFrame padding()
    {
        putInt(PADDING_OFFSET, 0);
        return this;
    }
}
