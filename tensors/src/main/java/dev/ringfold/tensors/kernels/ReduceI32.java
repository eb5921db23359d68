package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;

/**
 * I32 loops. Integer arithmetic wraps (two's complement), as in Java and C. The tails, and division, are
 * {@link ScalarI32}'s loops.
 * Each (op) has its own loop method, reached through a table of method references rather than a switch: C2
 * expands the Vector API into instructions only while a compilation unit stays under its size budget, and a
 * dispatcher that inlined the loops of every op it had seen would exceed it and fall back to allocating Java
 * code. A call site through the table inlines at most two loops (bimorphic) and calls the rest, each compiled on
 * its own. KernelAllocationTest runs every op of every type to keep it so.
 */
final class ReduceI32
{
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    private static final long STEP = S.vectorByteSize();
    private static final long SIZE = Integer.BYTES;

    /** dst = a op b per element, by {@code ReduceOp.ordinal()}; null where the op is not defined. */
    static final Loops.Binary[] BINARY = new Loops.Binary[ReduceOp.values().length];
    /** dst = ((s0 op s1) op s2) ... per element, by {@code ReduceOp.ordinal()}. */
    static final Loops.Multi[] MULTI = new Loops.Multi[ReduceOp.values().length];

    static
    {
        BINARY[ReduceOp.SUM.ordinal()] = ReduceI32::binarySum;
        MULTI[ReduceOp.SUM.ordinal()] = ReduceI32::multiSum;
        BINARY[ReduceOp.AVG.ordinal()] = ReduceI32::binarySum;
        MULTI[ReduceOp.AVG.ordinal()] = ReduceI32::multiSum;
        BINARY[ReduceOp.PROD.ordinal()] = ReduceI32::binaryProd;
        MULTI[ReduceOp.PROD.ordinal()] = ReduceI32::multiProd;
        BINARY[ReduceOp.MIN.ordinal()] = ReduceI32::binaryMin;
        MULTI[ReduceOp.MIN.ordinal()] = ReduceI32::multiMin;
        BINARY[ReduceOp.MAX.ordinal()] = ReduceI32::binaryMax;
        MULTI[ReduceOp.MAX.ordinal()] = ReduceI32::multiMax;
        BINARY[ReduceOp.BAND.ordinal()] = ReduceI32::binaryAnd;
        MULTI[ReduceOp.BAND.ordinal()] = ReduceI32::multiAnd;
        BINARY[ReduceOp.BOR.ordinal()] = ReduceI32::binaryOr;
        MULTI[ReduceOp.BOR.ordinal()] = ReduceI32::multiOr;
        BINARY[ReduceOp.BXOR.ordinal()] = ReduceI32::binaryXor;
        MULTI[ReduceOp.BXOR.ordinal()] = ReduceI32::multiXor;
    }

    private ReduceI32()
    {
    }

    private static IntVector load(final long address)
    {
        return IntVector.fromMemorySegment(S, ALL, address, ORDER);
    }

    private static void binarySum(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).add(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.binarySum(dst, a, b, vectorBytes, bytes);
    }

    private static void multiSum(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            IntVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.add(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.multiSum(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryProd(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).mul(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.binaryProd(dst, a, b, vectorBytes, bytes);
    }

    private static void multiProd(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            IntVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.mul(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.multiProd(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryMin(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).min(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.binaryMin(dst, a, b, vectorBytes, bytes);
    }

    private static void multiMin(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            IntVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.min(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.multiMin(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryMax(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).max(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.binaryMax(dst, a, b, vectorBytes, bytes);
    }

    private static void multiMax(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            IntVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.max(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.multiMax(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryAnd(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).and(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.binaryAnd(dst, a, b, vectorBytes, bytes);
    }

    private static void multiAnd(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            IntVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.and(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.multiAnd(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryOr(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).or(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.binaryOr(dst, a, b, vectorBytes, bytes);
    }

    private static void multiOr(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            IntVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.or(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.multiOr(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryXor(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).lanewise(VectorOperators.XOR, load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.binaryXor(dst, a, b, vectorBytes, bytes);
    }

    private static void multiXor(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            IntVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.lanewise(VectorOperators.XOR, load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI32.multiXor(dst, srcs, vectorBytes, bytes);
    }
}
