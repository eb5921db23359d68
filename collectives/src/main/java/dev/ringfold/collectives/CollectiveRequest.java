package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;

import java.util.concurrent.CancellationException;

/**
 * A non-blocking collective in flight. It advances whenever this rank drives progress (any wait or test, on any
 * request), so several may be in flight at once, on one communicator or several. A persistent one
 * ({@link Collectives#allReduceInit}, {@link Collectives#broadcastInit}) is made inactive and run any number of times with {@link #start()}.
 */
public final class CollectiveRequest
{
    private final Operation operation;
    private final Communicator comm;
    private final CallSequence persistentOn;

    /** {@code persistentOn}: the sequence a persistent request's starts take their numbers from; null otherwise. */
    CollectiveRequest(final Operation operation, final Communicator comm, final CallSequence persistentOn)
    {
        this.operation = operation;
        this.comm = comm;
        this.persistentOn = persistentOn;
    }

    /** Starts a persistent request again (MPI_Start); it must be persistent and complete. */
    public CollectiveRequest start()
    {
        if (persistentOn == null)
        {
            throw new IllegalStateException("rank " + comm.rank() + " of " + comm.name() + ": " +
                operation.describe() + " is not persistent; only requests from allReduceInit or broadcastInit can be started again");
        }
        if (!operation.isComplete())
        {
            throw new IllegalStateException("rank " + comm.rank() + " of " + comm.name() + ": " +
                operation.describe() + " is still in flight; await it before starting it again");
        }
        persistentOn.restart(operation);
        return this;
    }

    /** Waits until this rank's part is done; throws the error it failed with (a dead peer, a deadline). */
    public void await()
    {
        if (!operation.isComplete())
        {
            operation.await();
        }
        throwIfFailed();
    }

    /**
     * Abandons the collective on this rank (MPI_Cancel has no collective form; this is Ringfold's): its messages
     * are withdrawn so that its buffers may be freed at once, and it fails with {@link
     * CancellationException}. The other ranks' parts of it cannot finish: they fail when their
     * deadline passes, or at once where they wait on a transfer this rank withdrew. Returns false if it had ended.
     */
    public boolean cancel()
    {
        if (operation.isComplete())
        {
            return false;
        }
        operation.abandon(new CancellationException("rank " + comm.rank() + " of " + comm.name() + ": " +
            operation.describe() + " was cancelled by this rank"));
        return true;
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
