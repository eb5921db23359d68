package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;

/**
 * F32 loops. MIN/MAX follow {@link Math#min}/{@link Math#max} in the vector lanes and in the tail alike. The
 * tails are {@link ScalarF32}'s loops, which run whole reductions too where the Vector API module is missing.
 * Each (op) has its own loop method, reached through a table of method references rather than a switch: C2
 * expands the Vector API into instructions only while a compilation unit stays under its size budget, and a
 * dispatcher that inlined the loops of every op it had seen would exceed it and fall back to allocating Java
 * code. A call site through the table inlines at most two loops (bimorphic) and calls the rest, each compiled on
 * its own. KernelAllocationTest runs every op of every type to keep it so.
 */
final class ReduceF32
{
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final long STEP = S.vectorByteSize();
    private static final long SIZE = Float.BYTES;

    /** dst = a op b per element, by {@code ReduceOp.ordinal()}; null where the op is not defined. */
    static final Loops.Binary[] BINARY = new Loops.Binary[ReduceOp.values().length];
    /** dst = ((s0 op s1) op s2) ... per element, by {@code ReduceOp.ordinal()}. */
    static final Loops.Multi[] MULTI = new Loops.Multi[ReduceOp.values().length];

    static
    {
        BINARY[ReduceOp.SUM.ordinal()] = ReduceF32::binarySum;
        MULTI[ReduceOp.SUM.ordinal()] = ReduceF32::multiSum;
        BINARY[ReduceOp.AVG.ordinal()] = ReduceF32::binarySum;
        MULTI[ReduceOp.AVG.ordinal()] = ReduceF32::multiSum;
        BINARY[ReduceOp.PROD.ordinal()] = ReduceF32::binaryProd;
        MULTI[ReduceOp.PROD.ordinal()] = ReduceF32::multiProd;
        BINARY[ReduceOp.MIN.ordinal()] = ReduceF32::binaryMin;
        MULTI[ReduceOp.MIN.ordinal()] = ReduceF32::multiMin;
        BINARY[ReduceOp.MAX.ordinal()] = ReduceF32::binaryMax;
        MULTI[ReduceOp.MAX.ordinal()] = ReduceF32::multiMax;
    }

    private ReduceF32()
    {
    }

    private static FloatVector load(final long address)
    {
        return FloatVector.fromMemorySegment(S, ALL, address, ORDER);
    }

    private static void binarySum(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).add(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarF32.binarySum(dst, a, b, vectorBytes, bytes);
    }

    private static void multiSum(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            FloatVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.add(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarF32.multiSum(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryProd(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).mul(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarF32.binaryProd(dst, a, b, vectorBytes, bytes);
    }

    private static void multiProd(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            FloatVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.mul(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarF32.multiProd(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryMin(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).min(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarF32.binaryMin(dst, a, b, vectorBytes, bytes);
    }

    private static void multiMin(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            FloatVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.min(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarF32.multiMin(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryMax(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).max(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarF32.binaryMax(dst, a, b, vectorBytes, bytes);
    }

    private static void multiMax(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            FloatVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.max(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarF32.multiMax(dst, srcs, vectorBytes, bytes);
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
        ScalarF32.divide(x, vectorBytes, bytes, divisor);
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
        ScalarF32.scale(x, vectorBytes, bytes, factor);
    }

}
