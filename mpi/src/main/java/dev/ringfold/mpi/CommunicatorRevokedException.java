package dev.ringfold.mpi;

/**
 * An operation on a communicator that a member revoked ({@link Communicator#revoke()}, ULFM's MPIX_Comm_revoke):
 * every pending and later call on it fails with this, on every member, except {@link Communicator#agree},
 * {@link Communicator#shrink}, the failure queries and {@link Communicator#close()}.
 */
public final class CommunicatorRevokedException extends RingfoldException
{
    private static final long serialVersionUID = 1L;

    private final int revokerWorldRank;

    public CommunicatorRevokedException(final int revokerWorldRank, final String message)
    {
        super(message);
        this.revokerWorldRank = revokerWorldRank;
    }

    /** The world rank of the member whose {@link Communicator#revoke()} revoked it. */
    public int revokerWorldRank()
    {
        return revokerWorldRank;
    }
}
