package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

/**
 * A collective that combines operands pairwise: the caller's arguments, the type partial results travel in
 * ({@link Precision}), and two scratch halves, {@code work} (this rank's running value) and {@code tmp} (where a
 * peer's arrives).
 */
abstract class ReducingOperation extends Operation
{
    protected long src;
    protected long dst;
    protected long count;
    protected DType dtype;
    protected ReduceOp op;
    protected DType working;
    protected long bytes;
    protected long work;
    protected long tmp;

    ReducingOperation(final Communicator comm)
    {
        super(comm);
    }

    final ReducingOperation set(final long src, final long dst, final long count, final DType dtype, final ReduceOp op)
    {
        this.src = src;
        this.dst = dst;
        this.count = count;
        this.dtype = dtype;
        this.op = op;
        return this;
    }

    /** The start of a stall report: which {@code call}, by {@code algorithm}, of what. */
    protected final String describe(final String call, final String algorithm)
    {
        return call + " (" + algorithm + ") of " + count + " " + dtype + " on " + comm.name();
    }

    /** Picks the working type, lays out work and tmp in scratch, and loads this rank's operand into work. */
    final void loadOperand()
    {
        working = Precision.working(dtype, op);
        bytes = count * working.bytes();
        final long half = Math.max(8, bytes);
        work = scratch(2 * half);
        tmp = work + half;
        Precision.load(dtype, working, work, src, count);
    }
}
