package dev.ringfold.mpi;

/**
 * A DATA frame: a fragment of a rendezvous message for the receiver's slot, its payload right after the header. Layout
 * and byte order in {@link Frames}.
 */
final class DataFrame extends FrameFlyweight<DataFrame>
{
    static final int RECV_ID_OFFSET = 4;
    static final int POSITION_OFFSET = 8;
    static final int HEADER_LENGTH = 16;

    int recvId()
    {
        return getInt(RECV_ID_OFFSET);
    }

    DataFrame recvId(final int value)
    {
        putInt(RECV_ID_OFFSET, value);
        return this;
    }

    /** Where the fragment goes in the message. */
    int position()
    {
        return getInt(POSITION_OFFSET);
    }

    DataFrame position(final int value)
    {
        putInt(POSITION_OFFSET, value);
        return this;
    }
}
