package dev.ringfold.mpi;

/**
 * A HELP frame: the receiver asks the sender to push chunks of a cross-memory transfer too. Layout and byte order in
 * {@link Frames}.
 */
final class HelpFrame extends FrameFlyweight<HelpFrame>
{
    /** The copy's generation in the pair's cooperative-copy slot. */
    static final IntField<HelpFrame> GENERATION = intAt(4);
    static final IntField<HelpFrame> SEND_ID = intAt(8);
    /** The message's bytes. */
    static final IntField<HelpFrame> MESSAGE_LENGTH = intAt(12);
    /** The receiver's buffer, which the sender writes. */
    static final LongField<HelpFrame> ADDRESS = longAt(16);
    /** The bytes of one chunk. */
    static final IntField<HelpFrame> CHUNK = intAt(24);
    static final int FRAME_LENGTH = 32;
}
