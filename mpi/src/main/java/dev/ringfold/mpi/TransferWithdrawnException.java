package dev.ringfold.mpi;

/**
 * The peer withdrew its side of a matched transfer (its deadline passed, or it cancelled the request): this side
 * fails, and a receive's buffer holds at most part of the message.
 */
public final class TransferWithdrawnException extends RingfoldException
{
    private static final long serialVersionUID = 1L;

    private final int worldRank;

    public TransferWithdrawnException(final int worldRank, final String message)
    {
        super(message);
        this.worldRank = worldRank;
    }

    /** The peer that withdrew, as a rank of the world communicator. */
    public int worldRank()
    {
        return worldRank;
    }
}
