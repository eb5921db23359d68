package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;

/**
 * Inclusive (scan) or exclusive (exscan) prefix reduction along the chain of ranks: rank r receives the prefix of
 * ranks 0..r-1, combines it with its own (the prefix first), and passes the result on. n-1 hops; the order of
 * every prefix is the rank order. Exscan leaves rank 0's destination untouched, as MPI leaves it undefined.
 * AVG is not a prefix operation and is refused by the caller.
 */
final class LinearScan extends RelayReduction
{
    private boolean exclusive;

    LinearScan(final Communicator comm)
    {
        super(comm);
    }

    LinearScan prepare(final boolean exclusive, final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        this.exclusive = exclusive;
        set(src, dst, count, dtype, op);
        return this;
    }

    @Override
    public String describe()
    {
        return describe(exclusive ? "exscan" : "scan", "linear");
    }

    @Override
    void start()
    {
        // work: this rank's value, then its inclusive prefix; tmp: the prefix from the left
        if (rank == 0)
        {
            if (!exclusive)
            {
                write(work);
            }
            forward(work);
        }
        else
        {
            receive(rank - 1);
        }
    }

    private void forward(final long inclusive)
    {
        if (rank + 1 < size)
        {
            sendAndEnd(inclusive, rank + 1);
        }
        else
        {
            done();
        }
    }

    private void write(final long value)
    {
        Precision.store(op, 1, dtype, working, dst, value, count);
    }

    @Override
    void received()
    {
        if (exclusive)
        {
            write(tmp);
        }
        ReduceKernels.reduce(op, working, work, tmp, work, count); // the prefix (lower ranks) first
        if (!exclusive)
        {
            write(work);
        }
        forward(work);
    }
}
