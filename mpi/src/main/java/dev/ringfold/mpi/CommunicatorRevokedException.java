package dev.ringfold.mpi;

/**
 * An operation on a communicator that a member revoked ({@link Communicator#revoke()}, ULFM's MPIX_Comm_revoke):
 * every pending and later call on it fails with this, on every member, except {@link Communicator#agree},
 * {@link Communicator#shrink}, the failure queries and {@link Communicator#close()}. {@link #worldRank()} is the
 * member whose {@code revoke()} revoked it.
 */
public final class CommunicatorRevokedException extends PeerException
{
    private static final long serialVersionUID = 1L;

    public CommunicatorRevokedException(final int revokerWorldRank, final String message)
    {
        super(revokerWorldRank, message);
    }
}
