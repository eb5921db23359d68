package dev.ringfold.mpi;

/** An operation on a communicator (or runtime) after it was closed or finalized. */
public final class CommunicatorClosedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    public CommunicatorClosedException(final String message)
    {
        super(message);
    }
}
