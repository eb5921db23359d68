package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

/**
 * The type partial results travel in. BF16 and F16 sums and products are carried in F32 and rounded once at the
 * end: rounding at every hop of a ring is the accuracy loss users of low-precision all-reduce complain about
 * (NCCL, PyTorch). MIN and MAX are exact in any type and stay in it.
 */
final class Precision
{
    private Precision()
    {
    }

    static DType working(final DType dtype, final ReduceOp op)
    {
        final boolean lowPrecision = dtype == DType.BF16 || dtype == DType.F16;
        return lowPrecision && (op == ReduceOp.SUM || op == ReduceOp.AVG || op == ReduceOp.PROD) ? DType.F32 : dtype;
    }
}
