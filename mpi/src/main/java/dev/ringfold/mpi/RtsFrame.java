package dev.ringfold.mpi;

/**
 * An RTS frame (ready to send): the receiver matches it, then pulls the bytes or answers CTS. Layout and byte order in
 * {@link Frames}.
 */
final class RtsFrame extends FrameFlyweight<RtsFrame>
{
    static final int CTX_OFFSET = 4;
    static final int TAG_OFFSET = 8;
    static final int LENGTH_OFFSET = 12;
    static final int SEND_ID_OFFSET = 16;
    static final int ADDRESS_OFFSET = 24;
    static final int STAMP_OFFSET = 32;
    static final int FRAME_LENGTH = 40;

    int ctx()
    {
        return getInt(CTX_OFFSET);
    }

    RtsFrame ctx(final int value)
    {
        putInt(CTX_OFFSET, value);
        return this;
    }

    int tag()
    {
        return getInt(TAG_OFFSET);
    }

    RtsFrame tag(final int value)
    {
        putInt(TAG_OFFSET, value);
        return this;
    }

    /** The message's bytes. */
    int length()
    {
        return getInt(LENGTH_OFFSET);
    }

    RtsFrame length(final int value)
    {
        putInt(LENGTH_OFFSET, value);
        return this;
    }

    /** The sender's slot, which later frames about the transfer name. */
    int sendId()
    {
        return getInt(SEND_ID_OFFSET);
    }

    RtsFrame sendId(final int value)
    {
        putInt(SEND_ID_OFFSET, value);
        return this;
    }

    /** The off-heap buffer a receiver may read itself (cross-memory) or have the path move; 0 for none. */
    long address()
    {
        return getLong(ADDRESS_OFFSET);
    }

    RtsFrame address(final long value)
    {
        putLong(ADDRESS_OFFSET, value);
        return this;
    }

    long stamp()
    {
        return getLong(STAMP_OFFSET);
    }

    RtsFrame stamp(final long value)
    {
        putLong(STAMP_OFFSET, value);
        return this;
    }
}
