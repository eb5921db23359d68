package dev.ringfold.collectives;

import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.lang.management.ManagementFactory;

/**
 * All-reduce of tensors allocates nothing once warm: for a small tensor (recursive doubling) and a large one (the
 * ring), three measured rounds after a warm-up; prints the bytes of each round and fails unless the quietest round
 * of each allocated exactly 0 (see ZeroAllocationRanks in hpc-tests for why the quietest). Also checks the sums.
 */
public final class AllReduceAllocationRanks
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

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
                    final int iterations = count < 1000 ? 20_000 : 300;
                    for (int i = 0; i < 10 * iterations; i++)
                    {
                        c.allReduce(t, ReduceOp.SUM); // warm-up: long enough for C2 to compile the kernels' loops
                    }
                    long best = Long.MAX_VALUE;
                    final StringBuilder rounds = new StringBuilder();
                    for (int round = 0; round < 3; round++)
                    {
                        final long before = THREADS.getCurrentThreadAllocatedBytes();
                        for (int i = 0; i < iterations; i++)
                        {
                            c.allReduce(t, ReduceOp.SUM);
                        }
                        final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
                        best = Math.min(best, allocated);
                        rounds.append(' ').append(allocated);
                    }
                    System.out.println("allocated allReduce F32[" + count + "] bytes per round of " + iterations +
                        " ops:" + rounds);
                    worst = Math.max(worst, best);
                    // zeros stay zeros; now a real sum
                    t.fill(1.0);
                    c.allReduce(t, ReduceOp.SUM);
                    if (t.getFloat(count - 1) != n || t.getFloat(0) != n)
                    {
                        throw new AssertionError("allReduce of ones over " + n + " ranks gave " + t.getFloat(0));
                    }
                }
            }
            if (worst != 0)
            {
                throw new AssertionError("rank " + rf.world().rank() + ": all-reduce allocates in steady state (" +
                    worst + " bytes in the quietest round)");
            }
            System.out.println("ok allocation rank " + rf.world().rank());
        }
    }
}
