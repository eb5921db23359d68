package dev.ringfold.collectives;

import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The last rank dies inside an in-place all-reduce over node-shared tensors (after saying where its tensor lives, before
 * reducing its slice): the others fail with PeerFailedException naming it, and the next call fails at once. Prints
 * {@code ok in-place peer death rank r} twice per survivor; the test checks /dev/shm after the job.
 */
public final class NodeSharedDeathRanks
{
    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init(); BufferAllocator root = new RootAllocator();
            NodeSharedAllocator shared = NodeSharedAllocator.create(rf, root))
        {
            final int me = rf.world().rank();
            final int n = rf.world().size();
            System.out.println("job " + rf.jobId());
            final Collectives c = Collectives.of(rf.world());
            final Tensor t = shared.allocate(DType.F32, 1 << 20);
            t.fill(1.0);
            c.allReduce(t, ReduceOp.SUM); // in place: the peers' files are mapped now
            if (t.getFloat(0) != n)
            {
                throw new AssertionError("rank " + me + ": sum of ones is " + t.getFloat(0));
            }
            c.barrier();
            if (me == n - 1)
            {
                System.out.flush();
                Runtime.getRuntime().halt(0); // dies without a word, holding its tensor file
            }
            for (int attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    c.allReduce(t, ReduceOp.SUM);
                    throw new AssertionError("rank " + me + ": an all-reduce with a dead rank completed");
                }
                catch (final PeerFailedException ex)
                {
                    if (ex.worldRank() != n - 1)
                    {
                        throw new AssertionError("rank " + me + ": blamed rank " + ex.worldRank(), ex);
                    }
                    System.out.println("ok in-place peer death rank " + me + ": " + ex.getMessage());
                }
            }
            t.close();
        }
    }
}
