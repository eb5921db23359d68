package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;

/**
 * I8 and U8 loops: the same bits for every op but MIN, MAX and division, which are unsigned for U8.
 * Integer arithmetic wraps (two's complement), as in Java and C. The tails, and division, are {@link ScalarI8}'s
 * loops.
 * Each (op) has its own loop method, reached through a table of method references rather than a switch: C2
 * expands the Vector API into instructions only while a compilation unit stays under its size budget, and a
 * dispatcher that inlined the loops of every op it had seen would exceed it and fall back to allocating Java
 * code. A call site through the table inlines at most two loops (bimorphic) and calls the rest, each compiled on
 * its own. KernelAllocationTest runs every op of every type to keep it so.
 */
final class ReduceI8
{
    private static final VectorSpecies<Byte> S = ByteVector.SPECIES_PREFERRED;
    private static final long STEP = S.vectorByteSize();
    private static final long SIZE = Byte.BYTES;

    /** dst = a op b per element, by {@code ReduceOp.ordinal()}; null where the op is not defined. */
    static final Loops.Binary[] I8_BINARY = new Loops.Binary[ReduceOp.values().length];
    /** dst = ((s0 op s1) op s2) ... per element, by {@code ReduceOp.ordinal()}. */
    static final Loops.Multi[] I8_MULTI = new Loops.Multi[ReduceOp.values().length];
    /** dst = a op b per element, by {@code ReduceOp.ordinal()}; null where the op is not defined. */
    static final Loops.Binary[] U8_BINARY = new Loops.Binary[ReduceOp.values().length];
    /** dst = ((s0 op s1) op s2) ... per element, by {@code ReduceOp.ordinal()}. */
    static final Loops.Multi[] U8_MULTI = new Loops.Multi[ReduceOp.values().length];

    static
    {
        I8_BINARY[ReduceOp.SUM.ordinal()] = ReduceI8::binarySum;
        I8_MULTI[ReduceOp.SUM.ordinal()] = ReduceI8::multiSum;
        I8_BINARY[ReduceOp.AVG.ordinal()] = ReduceI8::binarySum;
        I8_MULTI[ReduceOp.AVG.ordinal()] = ReduceI8::multiSum;
        I8_BINARY[ReduceOp.PROD.ordinal()] = ReduceI8::binaryProd;
        I8_MULTI[ReduceOp.PROD.ordinal()] = ReduceI8::multiProd;
        I8_BINARY[ReduceOp.MIN.ordinal()] = ReduceI8::binaryMin;
        I8_MULTI[ReduceOp.MIN.ordinal()] = ReduceI8::multiMin;
        I8_BINARY[ReduceOp.MAX.ordinal()] = ReduceI8::binaryMax;
        I8_MULTI[ReduceOp.MAX.ordinal()] = ReduceI8::multiMax;
        I8_BINARY[ReduceOp.BAND.ordinal()] = ReduceI8::binaryAnd;
        I8_MULTI[ReduceOp.BAND.ordinal()] = ReduceI8::multiAnd;
        I8_BINARY[ReduceOp.BOR.ordinal()] = ReduceI8::binaryOr;
        I8_MULTI[ReduceOp.BOR.ordinal()] = ReduceI8::multiOr;
        I8_BINARY[ReduceOp.BXOR.ordinal()] = ReduceI8::binaryXor;
        I8_MULTI[ReduceOp.BXOR.ordinal()] = ReduceI8::multiXor;
        U8_BINARY[ReduceOp.SUM.ordinal()] = ReduceI8::binarySum;
        U8_MULTI[ReduceOp.SUM.ordinal()] = ReduceI8::multiSum;
        U8_BINARY[ReduceOp.AVG.ordinal()] = ReduceI8::binarySum;
        U8_MULTI[ReduceOp.AVG.ordinal()] = ReduceI8::multiSum;
        U8_BINARY[ReduceOp.PROD.ordinal()] = ReduceI8::binaryProd;
        U8_MULTI[ReduceOp.PROD.ordinal()] = ReduceI8::multiProd;
        U8_BINARY[ReduceOp.MIN.ordinal()] = ReduceI8::binaryUnsignedMin;
        U8_MULTI[ReduceOp.MIN.ordinal()] = ReduceI8::multiUnsignedMin;
        U8_BINARY[ReduceOp.MAX.ordinal()] = ReduceI8::binaryUnsignedMax;
        U8_MULTI[ReduceOp.MAX.ordinal()] = ReduceI8::multiUnsignedMax;
        U8_BINARY[ReduceOp.BAND.ordinal()] = ReduceI8::binaryAnd;
        U8_MULTI[ReduceOp.BAND.ordinal()] = ReduceI8::multiAnd;
        U8_BINARY[ReduceOp.BOR.ordinal()] = ReduceI8::binaryOr;
        U8_MULTI[ReduceOp.BOR.ordinal()] = ReduceI8::multiOr;
        U8_BINARY[ReduceOp.BXOR.ordinal()] = ReduceI8::binaryXor;
        U8_MULTI[ReduceOp.BXOR.ordinal()] = ReduceI8::multiXor;
    }

    private ReduceI8()
    {
    }

    private static ByteVector load(final long address)
    {
        return ByteVector.fromMemorySegment(S, ALL, address, ORDER);
    }

    private static void binarySum(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).add(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binarySum(dst, a, b, vectorBytes, bytes);
    }

    private static void multiSum(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.add(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiSum(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryProd(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).mul(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binaryProd(dst, a, b, vectorBytes, bytes);
    }

    private static void multiProd(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.mul(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiProd(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryMin(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).min(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binaryMin(dst, a, b, vectorBytes, bytes);
    }

    private static void multiMin(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.min(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiMin(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryMax(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).max(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binaryMax(dst, a, b, vectorBytes, bytes);
    }

    private static void multiMax(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.max(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiMax(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryUnsignedMin(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).lanewise(VectorOperators.UMIN, load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binaryUnsignedMin(dst, a, b, vectorBytes, bytes);
    }

    private static void multiUnsignedMin(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.lanewise(VectorOperators.UMIN, load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiUnsignedMin(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryUnsignedMax(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).lanewise(VectorOperators.UMAX, load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binaryUnsignedMax(dst, a, b, vectorBytes, bytes);
    }

    private static void multiUnsignedMax(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.lanewise(VectorOperators.UMAX, load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiUnsignedMax(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryAnd(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).and(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binaryAnd(dst, a, b, vectorBytes, bytes);
    }

    private static void multiAnd(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.and(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiAnd(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryOr(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).or(load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binaryOr(dst, a, b, vectorBytes, bytes);
    }

    private static void multiOr(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.or(load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiOr(dst, srcs, vectorBytes, bytes);
    }

    private static void binaryXor(final long dst, final long a, final long b, final long count)
    {
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(a + o).lanewise(VectorOperators.XOR, load(b + o)).intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.binaryXor(dst, a, b, vectorBytes, bytes);
    }

    private static void multiXor(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long bytes = count * SIZE;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            ByteVector acc = load(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.lanewise(VectorOperators.XOR, load(srcs[j] + o));
            }
            acc.intoMemorySegment(ALL, dst + o, ORDER);
        }
        ScalarI8.multiXor(dst, srcs, vectorBytes, bytes);
    }
}
