package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reduces n ranks' operands read in place (node-shared memory) into one output, in pieces small enough to stay in
 * cache: the arithmetic of the in-place collectives. Order {@code ((x[0] op x[1]) op x[2]) ... op x[n-1]}, as the
 * staged shared-memory path; BF16/F16 SUM/AVG/PROD widen into an F32 accumulator and round once; AVG divides once.
 */
final class SourcesReduction
{
    /** Working bytes per piece: what an output written n times, or an accumulator, keeps in cache. */
    static final int PIECE_BYTES = 64 * 1024;

    private final long[] sources;
    private final UnsafeBuffer accumulator = new UnsafeBuffer(BufferUtil.allocateDirectAligned(PIECE_BYTES, 64));

    SourcesReduction(final int ranks)
    {
        this.sources = new long[ranks];
    }

    /** Elements per piece for this working type. */
    static long pieceElements(final DType working)
    {
        return PIECE_BYTES / working.bytes();
    }

    /**
     * {@code out[i] = reduction over r of bases[r][at + i]} for {@code n <= pieceElements(working)} elements, where
     * {@code at} is a byte offset into every base; {@code out} may be one of the sources.
     */
    void reduce(final long[] bases, final long at, final long out, final long n, final DType dtype, final ReduceOp op,
        final DType working)
    {
        final int ranks = sources.length;
        if (working == dtype)
        {
            for (int r = 0; r < ranks; r++)
            {
                sources[r] = bases[r] + at;
            }
            ReduceKernels.reduceAll(op, dtype, out, sources, n);
            Precision.store(op, ranks, dtype, working, out, out, n); // AVG: divided once
        }
        else
        {
            final long acc = accumulator.addressOffset();
            ReduceKernels.widenToF32(dtype, acc, bases[0] + at, n);
            for (int r = 1; r < ranks; r++)
            {
                ReduceKernels.accumulateToF32(op, dtype, acc, bases[r] + at, n);
            }
            Precision.store(op, ranks, dtype, working, out, acc, n);
        }
    }
}
