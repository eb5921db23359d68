package dev.ringfold.mpi;

/**
 * The peer ({@link #worldRank()}) withdrew its side of a matched transfer (its deadline passed, or it cancelled the
 * request): this side fails, and a receive's buffer holds at most part of the message.
 */
public final class TransferWithdrawnException extends PeerException
{
    private static final long serialVersionUID = 1L;

    public TransferWithdrawnException(final int worldRank, final String message)
    {
        super(worldRank, message);
    }
}
