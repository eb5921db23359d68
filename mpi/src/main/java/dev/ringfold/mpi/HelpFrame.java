package dev.ringfold.mpi;

/**
 * A HELP frame: the receiver asks the sender to push chunks of a cross-memory transfer too. Layout and byte order in
 * {@link Frames}.
 */
final class HelpFrame extends FrameFlyweight<HelpFrame>
{
    static final int GENERATION_OFFSET = 4;
    static final int SEND_ID_OFFSET = 8;
    static final int LENGTH_OFFSET = 12;
    static final int ADDRESS_OFFSET = 16;
    static final int CHUNK_OFFSET = 24;
    static final int FRAME_LENGTH = 32;

    /** The copy's generation in the pair's cooperative-copy slot. */
    int generation()
    {
        return getInt(GENERATION_OFFSET);
    }

    HelpFrame generation(final int value)
    {
        putInt(GENERATION_OFFSET, value);
        return this;
    }

    int sendId()
    {
        return getInt(SEND_ID_OFFSET);
    }

    HelpFrame sendId(final int value)
    {
        putInt(SEND_ID_OFFSET, value);
        return this;
    }

    int length()
    {
        return getInt(LENGTH_OFFSET);
    }

    HelpFrame length(final int value)
    {
        putInt(LENGTH_OFFSET, value);
        return this;
    }

    /** The receiver's buffer, which the sender writes. */
    long address()
    {
        return getLong(ADDRESS_OFFSET);
    }

    HelpFrame address(final long value)
    {
        putLong(ADDRESS_OFFSET, value);
        return this;
    }

    /** The bytes of one chunk. */
    int chunk()
    {
        return getInt(CHUNK_OFFSET);
    }

    HelpFrame chunk(final int value)
    {
        putInt(CHUNK_OFFSET, value);
        return this;
    }
}
