package dev.ringfold.mpi;

/**
 * An AGREE frame: a step of a fault-tolerant agreement ({@link Agreement}), for the communicator of context ctx. After
 * the header, two bitmaps of {@link #words()} longs each: the sender's failed set (or the decided one), then the
 * accepted one. Layout and byte order in {@link Frames}.
 */
final class AgreeFrame extends FrameFlyweight<AgreeFrame>
{
    static final int CTX_OFFSET = 4;
    static final int SEQ_OFFSET = 8;
    static final int KIND_OFFSET = 12;
    static final int EPOCH_OFFSET = 16;
    static final int VALUE_OFFSET = 20;
    static final int MAX_OFFSET = 24;
    static final int ACCEPTED_EPOCH_OFFSET = 28;
    static final int ACCEPTED_VALUE_OFFSET = 32;
    static final int ACCEPTED_MAX_OFFSET = 36;
    static final int WORDS_OFFSET = 40;
    static final int INCARNATION_OFFSET = 44;
    static final int HEADER_LENGTH = 48;

    /** The frame's bytes with bitmaps of {@code words} longs. */
    static int frameLength(final int words)
    {
        return HEADER_LENGTH + 16 * words;
    }

    int ctx()
    {
        return getInt(CTX_OFFSET);
    }

    AgreeFrame ctx(final int value)
    {
        putInt(CTX_OFFSET, value);
        return this;
    }

    /** Which agreement of the communicator. */
    int seq()
    {
        return getInt(SEQ_OFFSET);
    }

    AgreeFrame seq(final int value)
    {
        putInt(SEQ_OFFSET, value);
        return this;
    }

    /** The step's kind (Agreement's constants). */
    int kind()
    {
        return getInt(KIND_OFFSET);
    }

    AgreeFrame kind(final int value)
    {
        putInt(KIND_OFFSET, value);
        return this;
    }

    int epoch()
    {
        return getInt(EPOCH_OFFSET);
    }

    AgreeFrame epoch(final int value)
    {
        putInt(EPOCH_OFFSET, value);
        return this;
    }

    int value()
    {
        return getInt(VALUE_OFFSET);
    }

    AgreeFrame value(final int value)
    {
        putInt(VALUE_OFFSET, value);
        return this;
    }

    int max()
    {
        return getInt(MAX_OFFSET);
    }

    AgreeFrame max(final int value)
    {
        putInt(MAX_OFFSET, value);
        return this;
    }

    int acceptedEpoch()
    {
        return getInt(ACCEPTED_EPOCH_OFFSET);
    }

    AgreeFrame acceptedEpoch(final int value)
    {
        putInt(ACCEPTED_EPOCH_OFFSET, value);
        return this;
    }

    int acceptedValue()
    {
        return getInt(ACCEPTED_VALUE_OFFSET);
    }

    AgreeFrame acceptedValue(final int value)
    {
        putInt(ACCEPTED_VALUE_OFFSET, value);
        return this;
    }

    int acceptedMax()
    {
        return getInt(ACCEPTED_MAX_OFFSET);
    }

    AgreeFrame acceptedMax(final int value)
    {
        putInt(ACCEPTED_MAX_OFFSET, value);
        return this;
    }

    /** The longs in each of the two bitmaps after the header. */
    int words()
    {
        return getInt(WORDS_OFFSET);
    }

    AgreeFrame words(final int value)
    {
        putInt(WORDS_OFFSET, value);
        return this;
    }

    /** Word {@code w} of the failed (or decided) set; {@link #words()} must be set first. */
    /** The sender's incarnation: a step the slot's earlier process sent is dropped. */
    int incarnation()
    {
        return getInt(INCARNATION_OFFSET);
    }

    AgreeFrame incarnation(final int value)
    {
        putInt(INCARNATION_OFFSET, value);
        return this;
    }

    long failedWord(final int w)
    {
        return getLong(HEADER_LENGTH + 8 * w);
    }

    AgreeFrame failedWord(final int w, final long value)
    {
        putLong(HEADER_LENGTH + 8 * w, value);
        return this;
    }

    /** Word {@code w} of the accepted set; {@link #words()} must be set first. */
    long acceptedWord(final int w)
    {
        return getLong(HEADER_LENGTH + 8 * (words() + w));
    }

    AgreeFrame acceptedWord(final int w, final long value)
    {
        putLong(HEADER_LENGTH + 8 * (words() + w), value);
        return this;
    }
}
