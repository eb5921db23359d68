package dev.ringfold.examples;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;

import java.nio.ByteBuffer;

/**
 * The job {@code make build} trains the ranks' AOT caches on (launch's ClassDataSharing), with 2 ranks: a hello's
 * start-up and barrier, and what a short job of more ranks meets in its first messages that a 2-rank hello may not:
 * a message that arrives before its receive is posted, and a wait long enough to sleep on the transport.
 * A user's own main class is never in the cache, so a hello is not what it is trained on. A class
 * that is not in the cache is read from its jar, and the first such read opens the jars of the class path, which
 * held up a 4-rank hello's barrier by tens of milliseconds (BENCHMARKS.md, "Where a 4-rank job's time goes").
 */
public final class StartupTraining
{
    private static final int EARLY_TAG = 1;
    private static final int LATE_TAG = 2;
    /** Long enough for rank 1's message to arrive before rank 0 posts its receive. */
    private static final long EARLY_MS = 100;
    /**
     * Longer than the back-off's timed parks last before a waiting rank sleeps on its transport, shorter than the
     * 100 ms of waiting after which a rank links the futex call (shared memory's Doorbell): a job that never waits
     * that long should not find the linker's classes in its cache, which a JVM loads at start.
     */
    private static final long LATE_MS = 30;

    private StartupTraining()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final ByteBuffer message = ByteBuffer.allocateDirect(Long.BYTES);
            if (world.size() > 1 && world.rank() == 1)
            {
                world.send(message.clear(), 0, EARLY_TAG);
                Thread.sleep(LATE_MS);
                world.send(message.clear(), 0, LATE_TAG);
            }
            else if (world.size() > 1 && world.rank() == 0)
            {
                Thread.sleep(EARLY_MS);
                world.recv(message.clear(), 1, EARLY_TAG);
                world.recv(message.clear(), 1, LATE_TAG);
            }
            world.barrier();
            System.out.println("trained rank " + world.rank() + " of " + world.size());
        }
    }
}
