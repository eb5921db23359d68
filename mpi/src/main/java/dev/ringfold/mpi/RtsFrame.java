package dev.ringfold.mpi;

/**
 * An RTS frame (ready to send): the receiver matches it, then pulls the bytes or answers CTS. Layout and byte order in
 * {@link Frames}.
 */
final class RtsFrame extends FrameFlyweight<RtsFrame>
{
    static final IntField<RtsFrame> CTX = intAt(4);
    static final IntField<RtsFrame> TAG = intAt(8);
    /** The message's bytes. */
    static final IntField<RtsFrame> MESSAGE_LENGTH = intAt(12);
    /** The sender's slot, which later frames about the transfer name. */
    static final IntField<RtsFrame> SEND_ID = intAt(16);
    /** The off-heap buffer a receiver may read itself (cross-memory) or have the path move; 0 for none. */
    static final LongField<RtsFrame> ADDRESS = longAt(24);
    static final LongField<RtsFrame> STAMP = longAt(32);
    static final int FRAME_LENGTH = 40;
}
