package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;

/**
 * A non-blocking collective in flight. It advances whenever this rank drives progress (any wait or test, on any
 * request), so several may be in flight at once, on one communicator or several.
 */
public final class CollectiveRequest
{
    private final Operation operation;
    private final Communicator comm;

    CollectiveRequest(final Operation operation, final Communicator comm)
    {
        this.operation = operation;
        this.comm = comm;
    }

    /** Waits until this rank's part is done; throws the error it failed with (a dead peer, a deadline). */
    public void await()
    {
        if (!operation.isComplete())
        {
            comm.await(operation);
        }
        throwIfFailed();
    }

    /** Drives progress once; true when this rank's part is done. */
    public boolean test()
    {
        if (!operation.isComplete())
        {
            comm.progress();
        }
        if (!operation.isComplete())
        {
            return false;
        }
        throwIfFailed();
        return true;
    }

    public boolean isComplete()
    {
        return operation.isComplete();
    }

    private void throwIfFailed()
    {
        final RuntimeException error = operation.error();
        if (error != null)
        {
            throw error;
        }
    }

    @Override
    public String toString()
    {
        return operation.describe() + (operation.isComplete() ? " (complete)" : " (in flight)");
    }
}
