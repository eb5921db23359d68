package dev.ringfold.mpi;

/**
 * A communication error that one peer caused, named by its world rank: it died ({@link PeerFailedException}),
 * withdrew its side of a matched transfer ({@link TransferWithdrawnException}) or revoked the communicator
 * ({@link CommunicatorRevokedException}). Catching this finds out which process to blame, whatever the cause.
 */
public abstract sealed class PeerException extends RingfoldException
    permits PeerFailedException, TransferWithdrawnException, CommunicatorRevokedException
{
    private static final long serialVersionUID = 1L;

    private final int worldRank;

    PeerException(final int worldRank, final String message)
    {
        super(message);
        this.worldRank = worldRank;
    }

    /** The rank, in the world communicator, of the peer that failed, withdrew or revoked. */
    public int worldRank()
    {
        return worldRank;
    }
}
