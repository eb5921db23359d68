package dev.ringfold.mpi;

/**
 * A REVOKE frame: the communicator of context ctx is revoked (each member forwards it once). Layout and byte order in
 * {@link Frames}.
 */
final class RevokeFrame extends FrameFlyweight<RevokeFrame>
{
    static final IntField<RevokeFrame> CTX = intAt(4);
    /** The world rank that revoked it. */
    static final IntField<RevokeFrame> REVOKER = intAt(8);
    static final int FRAME_LENGTH = 16;
}
