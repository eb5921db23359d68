package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.InputWaiter;
import org.agrona.concurrent.IdleStrategy;

/**
 * Spins, then yields, then sleeps in the transport until input arrives: Agrona's back-off with its timed parks
 * replaced by a wait that ends when a peer's bytes come in. With every peer across TCP a park of 1–200 µs wakes
 * after the data has been there a while (each rendezvous round trip paid it; on a busy machine the timer's slack and
 * the queue for the core added a few hundred µs per wait), while a rank woken by its socket runs as soon as the
 * scheduler lets it. On shared memory the wait is a futex on the rank's doorbell, rung by a sender after its frame;
 * there the back-off's parks, growing from {@code minWaitNs} to {@code maxWaitNs}, come first, and only the waits of
 * {@code maxWaitNs} that follow them are spent in the transport, woken early by a frame: a rank may also wait for
 * what no sender rings for (counters in a node region), and those waits cost no more than the parks did.
 */
final class WaitingIdleStrategy implements IdleStrategy
{
    private final int maxSpins;
    private final int maxYields;
    private final long minWaitNs;
    private final long maxWaitNs;
    private final InputWaiter waiter;
    private int spins;
    private int yields;
    private long waitNs;

    WaitingIdleStrategy(final int maxSpins, final int maxYields, final long minWaitNs, final long maxWaitNs,
        final InputWaiter waiter)
    {
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minWaitNs = minWaitNs;
        this.maxWaitNs = maxWaitNs;
        this.waiter = waiter;
        this.waitNs = minWaitNs;
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
        else if (waitNs < maxWaitNs)
        {
            // the back-off's short parks first: a rank that sleeps in the transport is woken by its peer's next
            // frame, which costs a wake-up per message where a peer answers within a few parks (BENCHMARKS.md,
            // "Shared-memory waits")
            waiter.pause(waitNs);
            waitNs = Math.min(waitNs << 1, maxWaitNs);
        }
        else
        {
            waiter.awaitInput(waitNs);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        waitNs = minWaitNs;
    }

    @Override
    public String toString()
    {
        return "WaitingIdleStrategy{spins=" + maxSpins + ", yields=" + maxYields + ", then waits of " + minWaitNs +
            ".." + maxWaitNs + " ns in " + waiter + "}";
    }
}
