package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.InputWaiter;
import org.agrona.concurrent.IdleStrategy;

/**
 * Spins, then yields, then sleeps in the transport until input arrives: Agrona's back-off with its timed parks
 * replaced by a wait that the kernel ends when a peer's bytes come in. With every peer across TCP a park of
 * 1–200 µs wakes after the data has been there a while (each rendezvous round trip paid it; on a busy machine the
 * timer's slack and the queue for the core added a few hundred µs per wait), while a rank woken by its socket runs
 * as soon as the scheduler lets it.
 */
final class WaitingIdleStrategy implements IdleStrategy
{
    private static final long WAIT_NS = 1_000_000;

    private final int maxSpins;
    private final int maxYields;
    private final InputWaiter waiter;
    private int spins;
    private int yields;

    WaitingIdleStrategy(final int maxSpins, final int maxYields, final InputWaiter waiter)
    {
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.waiter = waiter;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < maxYields)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            waiter.awaitInput(WAIT_NS);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
    }

    @Override
    public String toString()
    {
        return "WaitingIdleStrategy{spins=" + maxSpins + ", yields=" + maxYields + ", then waits in " + waiter + "}";
    }
}
