package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;

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

    /** The caller's {@code count} elements into the working buffer: widened to F32, or copied. */
    static void load(final DType dtype, final DType working, final long work, final long src, final long count)
    {
        load(dtype, working, work, null, src, count);
    }

    /**
     * {@link #load(DType, DType, long, long, long)} from memory addressed the way {@code Unsafe} does: a Java array
     * and a byte offset into it, or {@code null} and an address. Arrays are of the types that are their own working
     * type (f32, f64, i32, i64), so they are only ever copied.
     */
    static void load(final DType dtype, final DType working, final long work, final Object srcArray, final long src,
        final long count)
    {
        if (working != dtype)
        {
            ReduceKernels.widenToF32(dtype, work, offHeap(srcArray, src), count);
        }
        else if (srcArray != null || work != src)
        {
            UnsafeApi.copyMemory(srcArray, src, null, work, count * dtype.bytes());
        }
    }

    /**
     * A finished reduction back to the caller: AVG divided by the number of contributions (once), then rounded into
     * the caller's type, or copied.
     */
    static void store(final ReduceOp op, final int contributions, final DType dtype, final DType working,
        final long dst, final long work, final long count)
    {
        store(op, contributions, dtype, working, null, dst, work, count);
    }

    /** {@link #store(ReduceOp, int, DType, DType, long, long, long)} into an array or an address, as in load. */
    static void store(final ReduceOp op, final int contributions, final DType dtype, final DType working,
        final Object dstArray, final long dst, final long work, final long count)
    {
        if (op == ReduceOp.AVG && contributions > 1)
        {
            ReduceKernels.divide(working, work, count, contributions);
        }
        if (working != dtype)
        {
            ReduceKernels.roundFromF32(dtype, offHeap(dstArray, dst), work, count);
        }
        else if (dstArray != null || dst != work)
        {
            UnsafeApi.copyMemory(null, work, dstArray, dst, count * dtype.bytes());
        }
    }

    private static long offHeap(final Object array, final long address)
    {
        if (array != null)
        {
            throw new IllegalStateException("widening kernels read off-heap memory only, not a " +
                array.getClass().getSimpleName());
        }
        return address;
    }
}
