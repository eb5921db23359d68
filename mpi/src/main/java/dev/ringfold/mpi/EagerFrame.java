package dev.ringfold.mpi;

/**
 * An EAGER frame: a message small enough to go at once, its payload right after the header. Layout and byte order in
 * {@link Frames}.
 */
final class EagerFrame extends FrameFlyweight<EagerFrame>
{
    static final int CTX_OFFSET = 4;
    static final int TAG_OFFSET = 8;
    static final int LENGTH_OFFSET = 12;
    static final int STAMP_OFFSET = 16;
    static final int HEADER_LENGTH = 24;

    /** The communicator context. */
    int ctx()
    {
        return getInt(CTX_OFFSET);
    }

    EagerFrame ctx(final int value)
    {
        putInt(CTX_OFFSET, value);
        return this;
    }

    int tag()
    {
        return getInt(TAG_OFFSET);
    }

    EagerFrame tag(final int value)
    {
        putInt(TAG_OFFSET, value);
        return this;
    }

    /** The payload's bytes. */
    int length()
    {
        return getInt(LENGTH_OFFSET);
    }

    EagerFrame length(final int value)
    {
        putInt(LENGTH_OFFSET, value);
        return this;
    }

    /** What a collective says of the call the message belongs to ({@link Request#stamp()}); 0 for point-to-point. */
    long stamp()
    {
        return getLong(STAMP_OFFSET);
    }

    EagerFrame stamp(final long value)
    {
        putLong(STAMP_OFFSET, value);
        return this;
    }
}
