package dev.ringfold.mpi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps a rank's runtime to one thread at a time (MPI_THREAD_SERIALIZED): each call into it enters and leaves, and
 * a call from a second thread while one is inside throws, naming both. Nested calls on the inside thread pass.
 * Acquire/release, so that a rank handed from one thread to another with proper synchronisation is never mistaken
 * for two at once.
 */
final class ThreadGuard
{
    private static final VarHandle INSIDE;

    static
    {
        try
        {
            INSIDE = MethodHandles.lookup().findVarHandle(ThreadGuard.class, "inside", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int worldRank;
    @SuppressWarnings("unused") // through INSIDE
    private Thread inside; // the thread inside a call of this rank's runtime now, or null

    ThreadGuard(final int worldRank)
    {
        this.worldRank = worldRank;
    }

    /**
     * Marks the calling thread as inside and returns who was inside before (itself when nested, else null), for
     * {@link #leave}; throws, naming both, when another thread is inside.
     */
    Thread enter()
    {
        final Thread me = Thread.currentThread();
        final Thread before = (Thread)INSIDE.getAcquire(this);
        if (before != null && before != me)
        {
            throw new IllegalStateException("rank " + worldRank + ": two threads call the runtime at once: '" +
                me.getName() + "' called while '" + before.getName() + "' was inside it; a rank's communicators " +
                "must be used by one thread at a time (MPI_THREAD_SERIALIZED): make the calls from one thread, " +
                "or hand the rank over under a lock");
        }
        INSIDE.setRelease(this, me);
        return before;
    }

    /** Restores who was inside before the matching {@link #enter()}. */
    void leave(final Thread before)
    {
        INSIDE.setRelease(this, before);
    }
}
