package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * All-reduce of tensors and of Java arrays, and broadcast of Java arrays, allocate nothing once warm: small
 * (recursive doubling, binomial) and large (the table's pick for the placement: an array broadcast staged); fails
 * unless the quietest round of each allocated exactly 0 (see
 * {@link SteadyStateAllocation}). Also checks the sums.
 */
public final class AllReduceAllocationRanks
{
    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init(); BufferAllocator allocator = new RootAllocator())
        {
            final Collectives c = Collectives.of(rf.world());
            final int n = rf.world().size();
            long worst = 0;
            for (final long count : new long[] {2, 1 << 20})
            {
                try (Tensor t = Tensors.zeros(allocator, DType.F32, count))
                {
                    worst = Math.max(worst, quietestRound(rf.world(), "allReduce F32[" + count + "]", count,
                        () -> c.allReduce(t, ReduceOp.SUM)));
                    // an off-heap broadcast (from 64 KiB pulled by the readers): the readers' path allocates
                    // until C2 has compiled it, which took 4,000-6,000 calls of 4 MiB at load 8, so a longer
                    // warm-up than the others
                    worst = Math.max(worst, SteadyStateAllocation.quietestRound(rf.world(),
                        "broadcast F32[" + count + "]", 20 * iterations(count), iterations(count),
                        () -> c.broadcast(t, n - 1)));
                    // zeros stay zeros; now a real sum
                    t.fill(1.0);
                    c.allReduce(t, ReduceOp.SUM);
                    if (t.getFloat(count - 1) != n || t.getFloat(0) != n)
                    {
                        throw new AssertionError("allReduce of ones over " + n + " ranks gave " + t.getFloat(0));
                    }
                }
                // Java arrays (the mpiJava API's path): in place, and from one array into another
                final float[] in = new float[(int)count];
                final float[] out = new float[(int)count];
                worst = Math.max(worst, quietestRound(rf.world(), "allReduce float[" + count + "] in place", count,
                    () -> c.allReduce(in, 0, (int)count, ReduceOp.SUM)));
                // an array is staged in pieces
                worst = Math.max(worst, quietestRound(rf.world(), "broadcast float[" + count + "]", count,
                    () -> c.broadcast(in, 0, (int)count, 0)));
                java.util.Arrays.fill(in, 1f);
                worst = Math.max(worst, quietestRound(rf.world(), "allReduce float[" + count + "] into another", count,
                    () -> c.allReduce(in, 0, out, 0, (int)count, ReduceOp.SUM)));
                if (out[0] != n || out[(int)count - 1] != n || in[0] != 1f)
                {
                    throw new AssertionError("allReduce of ones into another array over " + n + " ranks gave " +
                        out[0] + " (source " + in[0] + ")");
                }
            }
            if (worst != 0)
            {
                throw new AssertionError("rank " + rf.world().rank() + ": all-reduce or broadcast allocates in steady state (" +
                    worst + " bytes in the quietest round)");
            }
            System.out.println("ok allocation rank " + rf.world().rank());
        }
    }

    private static int iterations(final long count)
    {
        return count < 1000 ? 20_000 : 300;
    }

    /** Warms the call up (long enough for C2 to compile the kernels' loops), then the quietest round. */
    private static long quietestRound(final Communicator world, final String what, final long count,
        final Runnable call)
    {
        return SteadyStateAllocation.quietestRound(world, what, 10 * iterations(count), iterations(count), call);
    }
}
