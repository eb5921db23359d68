package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;

/**
 * Reduce to a root up a binomial tree: log2(n) rounds; each rank folds in its children's partial results (in the
 * virtual numbering relative to the root, the lower rank's operand first) and passes the result to its parent.
 * The order is fixed for a given n and root.
 */
final class BinomialReduce extends RelayReduction
{
    private int root;
    private int mask;

    BinomialReduce(final Communicator comm)
    {
        super(comm);
    }

    BinomialReduce prepare(final long src, final long dst, final long count, final DType dtype, final ReduceOp op,
        final int root)
    {
        set(src, dst, count, dtype, op);
        this.root = root;
        return this;
    }

    @Override
    public String describe()
    {
        return "reduce (binomial) of " + count + " " + dtype + " to rank " + root + " on " + comm.name();
    }

    private int virtualRank()
    {
        return Blocks.mod(rank - root, size);
    }

    @Override
    void start()
    {
        mask = 1;
        next();
    }

    /** Posts the next receive from a child, or the send to the parent once all children are in. */
    private void next()
    {
        final int vr = virtualRank();
        while (mask < size)
        {
            if ((vr & mask) != 0)
            {
                sendAndEnd(work, Blocks.mod(vr - mask + root, size));
                return;
            }
            if (vr + mask < size)
            {
                receive(Blocks.mod(vr + mask + root, size));
                return;
            }
            mask <<= 1;
        }
        finishAtRoot();
    }

    @Override
    void received()
    {
        ReduceKernels.reduce(op, working, work, work, tmp, count); // ours (the lower virtual rank) first
        mask <<= 1;
        next();
    }

    private void finishAtRoot()
    {
        Precision.store(op, size, dtype, working, dst, work, count);
        done();
    }
}
