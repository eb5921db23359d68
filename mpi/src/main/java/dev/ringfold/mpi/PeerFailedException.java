package dev.ringfold.mpi;

/** A peer this operation depends on has died or become unreachable. */
public final class PeerFailedException extends RingfoldException
{
    private static final long serialVersionUID = 1L;

    private final int worldRank;

    public PeerFailedException(final int worldRank, final String message)
    {
        super(message);
        this.worldRank = worldRank;
    }

    /** The failed peer's rank in the world communicator. */
    public int worldRank()
    {
        return worldRank;
    }
}
