package dev.ringfold.mpi;

/** A peer this operation depends on has died or become unreachable; {@link #worldRank()} names it. */
public final class PeerFailedException extends PeerException
{
    private static final long serialVersionUID = 1L;

    public PeerFailedException(final int worldRank, final String message)
    {
        super(worldRank, message);
    }
}
