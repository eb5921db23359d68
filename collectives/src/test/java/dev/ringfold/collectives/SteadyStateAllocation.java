package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.ReduceOp;

import java.lang.management.ManagementFactory;

/**
 * The bytes a repeated collective step allocates once warm, measured on the calling thread.
 *
 * <p>Why rounds until one is quiet: interpreted and C1-compiled code allocates what C2's escape analysis removes,
 * and on a loaded 2-core machine C2 may compile a method long after any fixed warm-up. A real allocation on the
 * hot path shows in every round; one from late compilation is gone once the method is compiled. So rounds are
 * measured until the quietest one allocated 0 bytes on every rank, or the limit is reached: at least
 * {@value #MIN_ROUNDS} rounds and 10 s of them (a round of a small step takes milliseconds). The ranks agree after
 * each round (an all-reduce of their quietest rounds and of the time measured), so that every rank runs the same
 * number of steps and the steps stay collective.
 */
public final class SteadyStateAllocation
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    /** Rounds always allowed before giving up on a quiet one. */
    private static final int MIN_ROUNDS = 8;
    /**
     * More rounds while the ranks have measured for less than this: a round of a small step takes milliseconds, and
     * with two ranks busy on two cores C2 may finish a method's compilation (the Vector API kernels' most of all)
     * only seconds into the run. A real allocation still shows in every round.
     */
    private static final long MIN_MEASURED_NANOS = 10_000_000_000L;
    private static final int MAX_ROUNDS = 1_000;

    private SteadyStateAllocation()
    {
    }

    /**
     * Runs {@code step} {@code warmUp} times, then rounds of {@code perRound} until every rank's quietest round
     * allocated nothing (or {@value #MIN_ROUNDS} rounds and 10 s of them have passed, at most {@value #MAX_ROUNDS}
     * rounds); prints each round's bytes under {@code what}.
     *
     * @param ranks the ranks that run the step together and agree on when to stop; null for a step this rank runs
     *              alone.
     * @return the bytes of this rank's quietest round: 0 unless the step allocates in steady state.
     */
    public static long quietestRound(final Communicator ranks, final String what, final int warmUp,
        final int perRound, final Runnable step)
    {
        for (int i = 0; i < warmUp; i++)
        {
            step.run();
        }
        // every rank's best round (MAX: 0 only when every rank had a quiet one) and the longest any rank has measured,
        // agreed after each round, so that every rank stops after the same round
        final long[] agreed = {Long.MAX_VALUE, 0};
        long best = Long.MAX_VALUE;
        final StringBuilder rounds = new StringBuilder();
        final long start = System.nanoTime();
        for (int round = 0; agreed[0] != 0 && round < MAX_ROUNDS &&
            (round < MIN_ROUNDS || agreed[1] < MIN_MEASURED_NANOS); round++)
        {
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < perRound; i++)
            {
                step.run();
            }
            final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            best = Math.min(best, allocated);
            rounds.append(' ').append(allocated);
            agreed[0] = best;
            agreed[1] = System.nanoTime() - start;
            if (ranks != null)
            {
                Collectives.of(ranks).allReduce(agreed, 0, 2, ReduceOp.MAX);
            }
        }
        System.out.println("allocated " + what + " bytes per round of " + perRound + " steps:" + rounds);
        return best;
    }
}
