package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.HalfFloats;
import org.agrona.UnsafeApi;

/**
 * Test inputs whose reductions are exact in every type and any order (small integers, powers of two for PROD),
 * so a scalar reference can check every element; element access of any dtype by address.
 */
final class Values
{
    private Values()
    {
    }

    static double input(final ReduceOp op, final DType dtype, final int rank, final long i)
    {
        return switch (op)
        {
            case PROD -> dtype.isFloatingPoint() ? new double[] {1, 2, -1, 0.5}[(int)((rank + i) % 4)] :
                dtype == DType.U8 ? new double[] {1, 2, 1, 1}[(int)((rank + i) % 4)] :
                new double[] {1, 2, -1, 1}[(int)((rank + i) % 4)];
            case BAND, BOR, BXOR -> (rank * 13 + i * 7) & (dtype == DType.I8 ? 0x7F : 0xFF);
            default -> dtype == DType.U8 ? (rank * 7 + i * 3) % 11 : ((rank * 7 + i * 3) % 11) - 5;
        };
    }

    /** What every rank must hold for element i after reducing the inputs of ranks 0..n-1. */
    static double expected(final ReduceOp op, final DType dtype, final int n, final long i)
    {
        double acc = input(op, dtype, 0, i);
        long bits = (long)acc;
        for (int r = 1; r < n; r++)
        {
            final double v = input(op, dtype, r, i);
            switch (op)
            {
                case SUM, AVG -> acc += v;
                case PROD -> acc *= v;
                case MIN -> acc = Math.min(acc, v);
                case MAX -> acc = Math.max(acc, v);
                case BAND -> bits &= (long)v;
                case BOR -> bits |= (long)v;
                case BXOR -> bits ^= (long)v;
                default -> throw new IllegalStateException();
            }
        }
        if (op.isBitwise())
        {
            return bits;
        }
        if (op == ReduceOp.AVG)
        {
            if (dtype.isInteger())
            {
                return (long)acc / n; // truncation toward zero, as the kernels document
            }
            final float mean = (float)acc / n;
            return switch (dtype)
            {
                case F64 -> acc / n;
                case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(mean)); // rounded once, into the type
                case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(mean));
                default -> mean;
            };
        }
        return acc;
    }

    static void put(final DType dtype, final long address, final long i, final double v)
    {
        final long at = address + i * dtype.bytes();
        switch (dtype)
        {
            case F32 -> UnsafeApi.putFloat(at, (float)v);
            case F64 -> UnsafeApi.putDouble(at, v);
            case I32 -> UnsafeApi.putInt(at, (int)v);
            case I64 -> UnsafeApi.putLong(at, (long)v);
            case BF16 -> UnsafeApi.putShort(at, HalfFloats.floatToBf16((float)v));
            case F16 -> UnsafeApi.putShort(at, HalfFloats.floatToF16((float)v));
            case I8, U8 -> UnsafeApi.putByte(at, (byte)v);
        }
    }

    static double get(final DType dtype, final long address, final long i)
    {
        final long at = address + i * dtype.bytes();
        return switch (dtype)
        {
            case F32 -> UnsafeApi.getFloat(at);
            case F64 -> UnsafeApi.getDouble(at);
            case I32 -> UnsafeApi.getInt(at);
            case I64 -> UnsafeApi.getLong(at);
            case BF16 -> HalfFloats.bf16ToFloat(UnsafeApi.getShort(at));
            case F16 -> HalfFloats.f16ToFloat(UnsafeApi.getShort(at));
            case I8 -> UnsafeApi.getByte(at);
            case U8 -> UnsafeApi.getByte(at) & 0xFF;
        };
    }
}
