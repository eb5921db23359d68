package dev.ringfold.mpi;

/**
 * A blocking call waited longer than its deadline ({@code RINGFOLD_TIMEOUT_MS}). What it waited for is withdrawn
 * where it had not started to move, so the communicator stays usable.
 */
public final class DeadlineExceededException extends RingfoldException
{
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(final String message)
    {
        super(message);
    }
}
