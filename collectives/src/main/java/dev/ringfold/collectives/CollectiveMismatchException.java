package dev.ringfold.collectives;

import dev.ringfold.mpi.RingfoldException;

/**
 * Ranks of a communicator made different collective calls at the same point (another operation, count, dtype, root,
 * reduce op or algorithm, or a call one of them skipped). Raised on every rank of the call when calls are checked
 * ({@link Collectives#checkCalls(boolean)}, RINGFOLD_CHECK_COLLECTIVES=1), before any data moves; the communicator
 * stays usable.
 */
public final class CollectiveMismatchException extends RingfoldException
{
    private static final long serialVersionUID = 1L;

    public CollectiveMismatchException(final String message)
    {
        super(message);
    }
}
