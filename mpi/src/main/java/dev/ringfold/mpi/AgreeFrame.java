package dev.ringfold.mpi;

/**
 * An AGREE frame: a step of a fault-tolerant agreement ({@link Agreement}), for the communicator of context ctx. After
 * the header, two bitmaps of {@link #WORDS} longs each: the sender's failed set (or the decided one), then the
 * accepted one. Layout and byte order in {@link Frames}.
 */
final class AgreeFrame extends FrameFlyweight<AgreeFrame>
{
    static final IntField<AgreeFrame> CTX = intAt(4);
    /** Which agreement of the communicator. */
    static final IntField<AgreeFrame> SEQ = intAt(8);
    /** The step's kind (Agreement's constants). */
    static final IntField<AgreeFrame> KIND = intAt(12);
    static final IntField<AgreeFrame> EPOCH = intAt(16);
    static final IntField<AgreeFrame> VALUE = intAt(20);
    static final IntField<AgreeFrame> MAX = intAt(24);
    static final IntField<AgreeFrame> ACCEPTED_EPOCH = intAt(28);
    static final IntField<AgreeFrame> ACCEPTED_VALUE = intAt(32);
    static final IntField<AgreeFrame> ACCEPTED_MAX = intAt(36);
    /** The longs in each of the two bitmaps after the header. */
    static final IntField<AgreeFrame> WORDS = intAt(40);
    /** The sender's incarnation: a step the slot's earlier process sent is dropped. */
    static final IntField<AgreeFrame> INCARNATION = intAt(44);
    static final int HEADER_LENGTH = 48;

    /** The frame's bytes with bitmaps of {@code words} longs. */
    static int frameLength(final int words)
    {
        return HEADER_LENGTH + 16 * words;
    }

    /** Word {@code w} of the failed (or decided) set. */
    long failedWord(final int w)
    {
        return getLongAt(HEADER_LENGTH + 8 * w);
    }

    AgreeFrame failedWord(final int w, final long value)
    {
        return putLongAt(HEADER_LENGTH + 8 * w, value);
    }

    /** Word {@code w} of the accepted set; {@link #WORDS} must be set first. */
    long acceptedWord(final int w)
    {
        return getLongAt(HEADER_LENGTH + 8 * (get(WORDS) + w));
    }

    AgreeFrame acceptedWord(final int w, final long value)
    {
        return putLongAt(HEADER_LENGTH + 8 * (get(WORDS) + w), value);
    }
}
