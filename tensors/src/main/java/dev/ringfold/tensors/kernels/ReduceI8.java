package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;
import static dev.ringfold.tensors.kernels.Memory.getByte;
import static dev.ringfold.tensors.kernels.Memory.putByte;

/**
 * I8 and U8 loops: the same bits but for MIN, MAX and division, which compare or divide unsigned for U8.
 * Integer arithmetic wraps (two's complement), as in Java and C; the switch on the op sits outside the loops so
 * that each loop's Vector API operator is a constant (see {@link ReduceF32}).
 */
final class ReduceI8
{
    private static final VectorSpecies<Byte> S = ByteVector.SPECIES_PREFERRED;
    private static final long STEP = S.vectorByteSize();
    private static final long SIZE = Byte.BYTES;

    private ReduceI8()
    {
    }

    static byte apply(final ReduceOp op, final boolean unsigned, final byte x, final byte y)
    {
        return switch (op)
        {
            case SUM, AVG -> (byte)(x + y);
            case PROD -> (byte)(x * y);
            case MIN -> unsigned ? ((x & 0xff) <= (y & 0xff) ? x : y) : (byte)Math.min(x, y);
            case MAX -> unsigned ? ((x & 0xff) >= (y & 0xff) ? x : y) : (byte)Math.max(x, y);
            case BAND -> (byte)(x & y);
            case BOR -> (byte)(x | y);
            case BXOR -> (byte)(x ^ y);
        };
    }

    private static ByteVector load(final long address)
    {
        return ByteVector.fromMemorySegment(S, ALL, address, ORDER);
    }

    /** dst[i] = a[i] op b[i]; dst may be a or b. */
    static void binary(
        final ReduceOp op, final boolean unsigned, final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        switch (op)
        {
            case SUM, AVG ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    load(a + o).add(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case PROD ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    load(a + o).mul(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case MIN ->
            {
                if (unsigned)
                {
                    for (long o = 0; o < vectorBytes; o += STEP)
                    {
                        load(a + o).lanewise(VectorOperators.UMIN, load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                    }
                }
                else
                {
                    for (long o = 0; o < vectorBytes; o += STEP)
                    {
                        load(a + o).min(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                    }
                }
            }
            case MAX ->
            {
                if (unsigned)
                {
                    for (long o = 0; o < vectorBytes; o += STEP)
                    {
                        load(a + o).lanewise(VectorOperators.UMAX, load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                    }
                }
                else
                {
                    for (long o = 0; o < vectorBytes; o += STEP)
                    {
                        load(a + o).max(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                    }
                }
            }
            case BAND ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    load(a + o).and(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case BOR ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    load(a + o).or(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case BXOR ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    load(a + o).lanewise(VectorOperators.XOR, load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
        }
        for (long o = vectorBytes; o < bytes; o += SIZE)
        {
            putByte(dst + o, apply(op, unsigned, getByte(a + o), getByte(b + o)));
        }
    }

    /** dst[i] = ((src0[i] op src1[i]) op src2[i]) ...; dst may be one of the sources. */
    static void multi(
        final ReduceOp op, final boolean unsigned, final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        switch (op)
        {
            case SUM, AVG ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    ByteVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.add(load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case PROD ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    ByteVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.mul(load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case MIN ->
            {
                if (unsigned)
                {
                    for (long o = 0; o < vectorBytes; o += STEP)
                    {
                        ByteVector acc = load(srcs[0] + o);
                        for (int j = 1; j < k; j++)
                        {
                            acc = acc.lanewise(VectorOperators.UMIN, load(srcs[j] + o));
                        }
                        acc.intoMemorySegment(ALL, dst + o, ORDER);
                    }
                }
                else
                {
                    for (long o = 0; o < vectorBytes; o += STEP)
                    {
                        ByteVector acc = load(srcs[0] + o);
                        for (int j = 1; j < k; j++)
                        {
                            acc = acc.min(load(srcs[j] + o));
                        }
                        acc.intoMemorySegment(ALL, dst + o, ORDER);
                    }
                }
            }
            case MAX ->
            {
                if (unsigned)
                {
                    for (long o = 0; o < vectorBytes; o += STEP)
                    {
                        ByteVector acc = load(srcs[0] + o);
                        for (int j = 1; j < k; j++)
                        {
                            acc = acc.lanewise(VectorOperators.UMAX, load(srcs[j] + o));
                        }
                        acc.intoMemorySegment(ALL, dst + o, ORDER);
                    }
                }
                else
                {
                    for (long o = 0; o < vectorBytes; o += STEP)
                    {
                        ByteVector acc = load(srcs[0] + o);
                        for (int j = 1; j < k; j++)
                        {
                            acc = acc.max(load(srcs[j] + o));
                        }
                        acc.intoMemorySegment(ALL, dst + o, ORDER);
                    }
                }
            }
            case BAND ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    ByteVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.and(load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case BOR ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    ByteVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.or(load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case BXOR ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    ByteVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.lanewise(VectorOperators.XOR, load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
        }
        for (long o = vectorBytes; o < bytes; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = apply(op, unsigned, acc, getByte(srcs[j] + o));
            }
            putByte(dst + o, acc);
        }
    }

    /**
     * x[i] = x[i] / divisor, truncated toward zero; U8 divides the unsigned value. The wrapped sum is divided: an
     * average of bytes that overflowed a byte in the sum is not the true average (widen first if that matters).
     */
    static void divide(final boolean unsigned, final long x, final long count, final long divisor)
    {
        // Integer vector division has no x86 instruction; the Vector API would fall back to Java code per lane.
        final int d = (int)divisor;
        for (long o = 0; o < count; o++)
        {
            final byte v = getByte(x + o);
            putByte(x + o, (byte)(unsigned ? (v & 0xff) / d : v / d));
        }
    }
}
