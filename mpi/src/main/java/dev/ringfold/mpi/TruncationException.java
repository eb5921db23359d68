package dev.ringfold.mpi;

/**
 * A message was larger than the receive buffer posted for it. The message is consumed (like MPI_ERR_TRUNCATE)
 * and the buffer holds nothing of it; the communicator stays usable.
 */
public final class TruncationException extends RingfoldException
{
    private static final long serialVersionUID = 1L;

    public TruncationException(final String message)
    {
        super(message);
    }
}
