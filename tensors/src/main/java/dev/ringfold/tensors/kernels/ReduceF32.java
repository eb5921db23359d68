package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;
import static dev.ringfold.tensors.kernels.Memory.getFloat;
import static dev.ringfold.tensors.kernels.Memory.putFloat;

/**
 * F32 loops. One loop per op, with the op fixed in the loop's text: the Vector API compiles an operation to
 * instructions only when its operator is a constant, so the switch sits outside the loops, never inside.
 */
final class ReduceF32
{
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final long STEP = S.vectorByteSize();
    private static final long SIZE = Float.BYTES;

    private ReduceF32()
    {
    }

    static float apply(final ReduceOp op, final float x, final float y)
    {
        return switch (op)
        {
            case SUM, AVG -> x + y;
            case PROD -> x * y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            default -> throw new IllegalArgumentException(op + " is not defined for F32");
        };
    }

    private static FloatVector load(final long address)
    {
        return FloatVector.fromMemorySegment(S, ALL, address, ORDER);
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
            default -> throw new IllegalArgumentException(op + " is not defined for F32");
        }
        for (long o = vectorBytes; o < bytes; o += SIZE)
        {
            putFloat(dst + o, apply(op, getFloat(a + o), getFloat(b + o)));
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
                    FloatVector acc = load(srcs[0] + o);
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
                    FloatVector acc = load(srcs[0] + o);
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
                    FloatVector acc = load(srcs[0] + o);
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
                    FloatVector acc = load(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.max(load(srcs[j] + o));
                    }
                    acc.intoMemorySegment(ALL, dst + o, ORDER);
                }
            }
            default -> throw new IllegalArgumentException(op + " is not defined for F32");
        }
        for (long o = vectorBytes; o < bytes; o += SIZE)
        {
            float acc = getFloat(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = apply(op, acc, getFloat(srcs[j] + o));
            }
            putFloat(dst + o, acc);
        }
    }

    /** x[i] = x[i] / divisor: a true division, not a multiplication by the reciprocal (which can differ by an ulp). */
    static void divide(final long x, final long count, final float divisor)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(x + o).div(divisor).intoMemorySegment(ALL, x + o, ORDER);
        }
        for (long o = vectorBytes; o < bytes; o += SIZE)
        {
            putFloat(x + o, getFloat(x + o) / divisor);
        }
    }

    /** x[i] = x[i] * factor. */
    static void scale(final long x, final long count, final float factor)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(x + o).mul(factor).intoMemorySegment(ALL, x + o, ORDER);
        }
        for (long o = vectorBytes; o < bytes; o += SIZE)
        {
            putFloat(x + o, getFloat(x + o) * factor);
        }
    }
}
