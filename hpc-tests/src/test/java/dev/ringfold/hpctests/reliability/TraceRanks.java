package dev.ringfold.hpctests.reliability;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What {@link TraceTest} traces: a small all-reduce (recursive doubling), a large one (ring), a broadcast, a ring
 * of point-to-point messages, and last a barrier that rank 0 enters {@value #LATE_MS} ms after the others, so that
 * the merged timeline shows the others waiting for it.
 */
public final class TraceRanks
{
    static final int LATE_MS = 2000;

    private TraceRanks()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator w = rf.world();
            final Collectives c = Collectives.of(w);
            final float[] small = new float[16];
            final float[] large = new float[1 << 18];
            small[0] = w.rank();
            large[0] = w.rank();
            c.allReduce(small, 0, small.length, ReduceOp.SUM);
            c.allReduce(large, 0, large.length, ReduceOp.SUM);
            c.broadcast(large, 0, 1024, 0);
            final UnsafeBuffer b = new UnsafeBuffer(new byte[4096]);
            final int next = (w.rank() + 1) % w.size();
            final int prev = (w.rank() + w.size() - 1) % w.size();
            if (w.rank() % 2 == 0)
            {
                w.send(b, 0, 4096, next, 3);
                w.recv(b, 0, 4096, prev, 3);
            }
            else
            {
                w.recv(b, 0, 4096, prev, 3);
                w.send(b, 0, 4096, next, 3);
            }
            c.barrier();
            if (w.rank() == 0)
            {
                Thread.sleep(LATE_MS);
            }
            c.barrier();
            System.out.println("traced rank " + w.rank() + " sum " + small[0]);
        }
    }
}
