package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;
import static dev.ringfold.tensors.kernels.Memory.getLong;
import static dev.ringfold.tensors.kernels.Memory.putLong;

/**
 * I64 loops.
 * Integer arithmetic wraps (two's complement), as in Java and C; the switch on the op sits outside the loops so
 * that each loop's Vector API operator is a constant (see {@link ReduceF32}).
 */
final class ReduceI64
{
    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
    private static final long STEP = S.vectorByteSize();
    private static final long SIZE = Long.BYTES;

    private ReduceI64()
    {
    }

    static long apply(final ReduceOp op, final long x, final long y)
    {
        return switch (op)
        {
            case SUM, AVG -> x + y;
            case PROD -> x * y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            case BAND -> x & y;
            case BOR -> x | y;
            case BXOR -> x ^ y;
        };
    }

    private static LongVector load(final long address)
    {
        return LongVector.fromMemorySegment(S, ALL, address, ORDER);
    }

    /** dst[i] = a[i] op b[i]; dst may be a or b. */
    static void binary(final ReduceOp op, final long dst, final long a, final long b, final long count)
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
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    load(a + o).min(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case MAX ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    load(a + o).max(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
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
            putLong(dst + o, apply(op, getLong(a + o), getLong(b + o)));
        }
    }

    /** dst[i] = ((src0[i] op src1[i]) op src2[i]) ...; dst may be one of the sources. */
    static void multi(final ReduceOp op, final long dst, final long[] srcs, final long count)
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
                    LongVector acc = load(srcs[0] + o);
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
                    LongVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.mul(load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case MIN ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    LongVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.min(load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case MAX ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    LongVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.max(load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            case BAND ->
            {
                for (long o = 0; o < vectorBytes; o += STEP)
                {
                    LongVector acc = load(srcs[0] + o);
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
                    LongVector acc = load(srcs[0] + o);
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
                    LongVector acc = load(srcs[0] + o);
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
            long acc = getLong(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = apply(op, acc, getLong(srcs[j] + o));
            }
            putLong(dst + o, acc);
        }
    }

    /** x[i] = x[i] / divisor, truncated toward zero (Java's and C's integer division). */
    static void divide(final long x, final long count, final long divisor)
    {
        // Integer vector division has no x86 instruction; the Vector API would fall back to Java code per lane.
        for (long o = 0, bytes = count * SIZE; o < bytes; o += SIZE)
        {
            putLong(x + o, getLong(x + o) / divisor);
        }
    }
}
