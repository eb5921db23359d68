package dev.ringfold.mpi;

/**
 * A FAILED frame: that incarnation of a world rank has died (gossip: forwarded once, by whoever learns of it first).
 * Layout and byte order in {@link Frames}.
 */
final class FailedFrame extends FrameFlyweight<FailedFrame>
{
    static final IntField<FailedFrame> RANK = intAt(4);
    /** Which process of the slot died: a death told late of an earlier one is not the present one's. */
    static final IntField<FailedFrame> INCARNATION = intAt(8);
    /** The word that pads the frame to 8 bytes, written 0 so that no stale scratch bytes go on the wire. */
    static final IntField<FailedFrame> PADDING = intAt(12);
    static final int FRAME_LENGTH = 16;
}
