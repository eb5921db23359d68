package dev.ringfold.mpi;

/**
 * A FAILED frame: that world rank has died (gossip: forwarded once, by whoever learns of it first). Layout and byte
 * order in {@link Frames}.
 */
final class FailedFrame extends FrameFlyweight<FailedFrame>
{
    static final int RANK_OFFSET = 4;
    static final int FRAME_LENGTH = 8;

    int rank()
    {
        return getInt(RANK_OFFSET);
    }

    FailedFrame rank(final int value)
    {
        putInt(RANK_OFFSET, value);
        return this;
    }
}
