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
 * measured until the quietest one allocated 0 bytes on every rank, or the round limit is reached. The ranks agree
 * after each round (an all-reduce of their quietest rounds), so that every rank runs the same number of steps and
 * the steps stay collective.
 */
public final class SteadyStateAllocation
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final int MAX_ROUNDS = 8;

    private SteadyStateAllocation()
    {
    }

    /**
     * Runs {@code step} {@code warmUp} times, then rounds of {@code perRound} until every rank's quietest round
     * allocated nothing (at most {@value #MAX_ROUNDS} rounds); prints each round's bytes under {@code what}.
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
        final long[] everyRanksBest = {Long.MAX_VALUE};
        long best = Long.MAX_VALUE;
        final StringBuilder rounds = new StringBuilder();
        for (int round = 0; round < MAX_ROUNDS && everyRanksBest[0] != 0; round++)
        {
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < perRound; i++)
            {
                step.run();
            }
            final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            best = Math.min(best, allocated);
            rounds.append(' ').append(allocated);
            everyRanksBest[0] = best;
            if (ranks != null)
            {
                Collectives.of(ranks).allReduce(everyRanksBest, 0, 1, ReduceOp.MAX);
            }
        }
        System.out.println("allocated " + what + " bytes per round of " + perRound + " steps:" + rounds);
        return best;
    }
}
