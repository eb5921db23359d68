package dev.ringfold.tensors;

import dev.ringfold.tensors.kernels.HalfFloats;
import java.util.Random;

/** Random shapes, dtypes and values for the property tests; values are exactly representable in their dtype. */
final class Gen
{
    private static final DType[] DTYPES = DType.values();

    private final Random random;

    Gen(final long seed)
    {
        this.random = new Random(seed);
    }

    Random random()
    {
        return random;
    }

    DType dtype()
    {
        return DTYPES[random.nextInt(DTYPES.length)];
    }

    /** Rank 0 to 4, extents 0 to 7 (mostly odd, a few empty). */
    long[] shape()
    {
        final long[] shape = new long[random.nextInt(5)];
        for (int d = 0; d < shape.length; d++)
        {
            shape[d] = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(7);
        }
        return shape;
    }

    /** A shape with at least one element in every dimension, rank 1 to 4. */
    long[] nonEmptyShape()
    {
        final long[] shape = new long[1 + random.nextInt(4)];
        for (int d = 0; d < shape.length; d++)
        {
            shape[d] = 1 + random.nextInt(7);
        }
        return shape;
    }

    int offset()
    {
        return random.nextInt(8); // unaligned as often as not
    }

    /** A value the dtype holds exactly, as a double (integers as well: all fit in 2^53 here). */
    double value(final DType dtype)
    {
        return switch (dtype)
        {
            case F32 -> Float.intBitsToFloat(finiteBits());
            case F64 -> random.nextGaussian() * Math.pow(2, random.nextInt(200) - 100);
            case BF16 -> HalfFloats.bf16ToFloat((short)(finiteBits() >>> 16));
            case F16 -> halfValue();
            case I32 -> random.nextInt();
            case I64 -> random.nextLong() >> 11;
            case I8 -> (byte)random.nextInt();
            case U8 -> random.nextInt(256);
        };
    }

    private int finiteBits()
    {
        while (true)
        {
            final int bits = random.nextInt();
            if (Float.isFinite(Float.intBitsToFloat(bits)))
            {
                return bits;
            }
        }
    }

    private double halfValue()
    {
        while (true)
        {
            final float f = HalfFloats.f16ToFloat((short)random.nextInt());
            if (Float.isFinite(f))
            {
                return f;
            }
        }
    }

    double[] values(final DType dtype, final long count)
    {
        final double[] values = new double[(int)count];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = value(dtype);
        }
        return values;
    }
}
