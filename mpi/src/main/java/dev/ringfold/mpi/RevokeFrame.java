package dev.ringfold.mpi;

/**
 * A REVOKE frame: the communicator of context ctx is revoked (each member forwards it once). Layout and byte order in
 * {@link Frames}.
 */
final class RevokeFrame extends FrameFlyweight<RevokeFrame>
{
    static final int CTX_OFFSET = 4;
    static final int REVOKER_OFFSET = 8;
    static final int FRAME_LENGTH = 16;

    int ctx()
    {
        return getInt(CTX_OFFSET);
    }

    RevokeFrame ctx(final int value)
    {
        putInt(CTX_OFFSET, value);
        return this;
    }

    /** The world rank that revoked it. */
    int revoker()
    {
        return getInt(REVOKER_OFFSET);
    }

    RevokeFrame revoker(final int value)
    {
        putInt(REVOKER_OFFSET, value);
        return this;
    }
}
