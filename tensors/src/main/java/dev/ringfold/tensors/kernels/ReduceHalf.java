package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;
import jdk.incubator.vector.FloatVector;

import static dev.ringfold.tensors.kernels.HalfFloats.FLOATS;
import static dev.ringfold.tensors.kernels.HalfFloats.HALF_STEP;
import static dev.ringfold.tensors.kernels.HalfFloats.loadBf16;
import static dev.ringfold.tensors.kernels.HalfFloats.loadF16;
import static dev.ringfold.tensors.kernels.HalfFloats.storeBf16;
import static dev.ringfold.tensors.kernels.HalfFloats.storeF16;
import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;
import static dev.ringfold.tensors.kernels.Memory.getFloat;
import static dev.ringfold.tensors.kernels.Memory.getShort;
import static dev.ringfold.tensors.kernels.Memory.putFloat;
import static dev.ringfold.tensors.kernels.Memory.putShort;

/**
 * BF16 and F16 loops. Every value is widened to F32 (exact), combined in F32 and rounded back once per call, to
 * nearest even; the scalar tails use the same conversions as the vector lanes, so both give the same bits. The
 * two formats have a copy of each loop rather than a flag: a branch inside the loop would merge vectors at a phi,
 * which the JIT may box.
 * Each (op) has its own loop method, reached through a table of method references rather than a switch: C2
 * expands the Vector API into instructions only while a compilation unit stays under its size budget, and a
 * dispatcher that inlined the loops of every op it had seen would exceed it and fall back to allocating Java
 * code. A call site through the table inlines at most two loops (bimorphic) and calls the rest, each compiled on
 * its own. KernelAllocationTest runs every op of every type to keep it so.
 */
final class ReduceHalf
{
    private static final int LANES = FLOATS.length();

    /** dst = round(widen(a) op widen(b)), one rounding per call, by {@code ReduceOp.ordinal()}. */
    static final Loops.Binary[] BF16_BINARY = new Loops.Binary[ReduceOp.values().length];
    /** dst = round(((widen(s0) op widen(s1)) op ...) in F32): one rounding for all the sources. */
    static final Loops.Multi[] BF16_MULTI = new Loops.Multi[ReduceOp.values().length];
    /** f32Acc = f32Acc op widen(src): no rounding until {@link #fromF32Bf16}. */
    static final Loops.Binary[] BF16_ACCUMULATE = new Loops.Binary[ReduceOp.values().length];
    /** dst = round(widen(a) op widen(b)), one rounding per call, by {@code ReduceOp.ordinal()}. */
    static final Loops.Binary[] F16_BINARY = new Loops.Binary[ReduceOp.values().length];
    /** dst = round(((widen(s0) op widen(s1)) op ...) in F32): one rounding for all the sources. */
    static final Loops.Multi[] F16_MULTI = new Loops.Multi[ReduceOp.values().length];
    /** f32Acc = f32Acc op widen(src): no rounding until {@link #fromF32F16}. */
    static final Loops.Binary[] F16_ACCUMULATE = new Loops.Binary[ReduceOp.values().length];

    static
    {
        BF16_BINARY[ReduceOp.SUM.ordinal()] = (dst, a, b, n) -> binaryBf16Sum(dst, a, b, n);
        BF16_MULTI[ReduceOp.SUM.ordinal()] = ReduceHalf::multiBf16Sum;
        BF16_ACCUMULATE[ReduceOp.SUM.ordinal()] = (acc, unused, src, n) -> accumulateBf16Sum(acc, src, n);
        BF16_BINARY[ReduceOp.AVG.ordinal()] = (dst, a, b, n) -> binaryBf16Sum(dst, a, b, n);
        BF16_MULTI[ReduceOp.AVG.ordinal()] = ReduceHalf::multiBf16Sum;
        BF16_ACCUMULATE[ReduceOp.AVG.ordinal()] = (acc, unused, src, n) -> accumulateBf16Sum(acc, src, n);
        BF16_BINARY[ReduceOp.PROD.ordinal()] = (dst, a, b, n) -> binaryBf16Prod(dst, a, b, n);
        BF16_MULTI[ReduceOp.PROD.ordinal()] = ReduceHalf::multiBf16Prod;
        BF16_ACCUMULATE[ReduceOp.PROD.ordinal()] = (acc, unused, src, n) -> accumulateBf16Prod(acc, src, n);
        BF16_BINARY[ReduceOp.MIN.ordinal()] = (dst, a, b, n) -> binaryBf16Min(dst, a, b, n);
        BF16_MULTI[ReduceOp.MIN.ordinal()] = ReduceHalf::multiBf16Min;
        BF16_ACCUMULATE[ReduceOp.MIN.ordinal()] = (acc, unused, src, n) -> accumulateBf16Min(acc, src, n);
        BF16_BINARY[ReduceOp.MAX.ordinal()] = (dst, a, b, n) -> binaryBf16Max(dst, a, b, n);
        BF16_MULTI[ReduceOp.MAX.ordinal()] = ReduceHalf::multiBf16Max;
        BF16_ACCUMULATE[ReduceOp.MAX.ordinal()] = (acc, unused, src, n) -> accumulateBf16Max(acc, src, n);
        F16_BINARY[ReduceOp.SUM.ordinal()] = (dst, a, b, n) -> binaryF16Sum(dst, a, b, n);
        F16_MULTI[ReduceOp.SUM.ordinal()] = ReduceHalf::multiF16Sum;
        F16_ACCUMULATE[ReduceOp.SUM.ordinal()] = (acc, unused, src, n) -> accumulateF16Sum(acc, src, n);
        F16_BINARY[ReduceOp.AVG.ordinal()] = (dst, a, b, n) -> binaryF16Sum(dst, a, b, n);
        F16_MULTI[ReduceOp.AVG.ordinal()] = ReduceHalf::multiF16Sum;
        F16_ACCUMULATE[ReduceOp.AVG.ordinal()] = (acc, unused, src, n) -> accumulateF16Sum(acc, src, n);
        F16_BINARY[ReduceOp.PROD.ordinal()] = (dst, a, b, n) -> binaryF16Prod(dst, a, b, n);
        F16_MULTI[ReduceOp.PROD.ordinal()] = ReduceHalf::multiF16Prod;
        F16_ACCUMULATE[ReduceOp.PROD.ordinal()] = (acc, unused, src, n) -> accumulateF16Prod(acc, src, n);
        F16_BINARY[ReduceOp.MIN.ordinal()] = (dst, a, b, n) -> binaryF16Min(dst, a, b, n);
        F16_MULTI[ReduceOp.MIN.ordinal()] = ReduceHalf::multiF16Min;
        F16_ACCUMULATE[ReduceOp.MIN.ordinal()] = (acc, unused, src, n) -> accumulateF16Min(acc, src, n);
        F16_BINARY[ReduceOp.MAX.ordinal()] = (dst, a, b, n) -> binaryF16Max(dst, a, b, n);
        F16_MULTI[ReduceOp.MAX.ordinal()] = ReduceHalf::multiF16Max;
        F16_ACCUMULATE[ReduceOp.MAX.ordinal()] = (acc, unused, src, n) -> accumulateF16Max(acc, src, n);
    }

    private ReduceHalf()
    {
    }

    private static void binaryBf16Sum(final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeBf16(loadBf16(a + o).add(loadBf16(b + o)), dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putBf16(dst + o, getBf16(a + o) + getBf16(b + o));
        }
    }

    private static void multiBf16Sum(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            FloatVector acc = loadBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.add(loadBf16(srcs[j] + o));
            }
            storeBf16(acc, dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc + getBf16(srcs[j] + o);
            }
            putBf16(dst + o, acc);
        }
    }

    private static void accumulateBf16Sum(final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).add(loadBf16(src + i * 2))
                .intoMemorySegment(ALL, acc + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, getFloat(acc + i * 4) + getBf16(src + i * 2));
        }
    }

    private static void binaryBf16Prod(final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeBf16(loadBf16(a + o).mul(loadBf16(b + o)), dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putBf16(dst + o, getBf16(a + o) * getBf16(b + o));
        }
    }

    private static void multiBf16Prod(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            FloatVector acc = loadBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.mul(loadBf16(srcs[j] + o));
            }
            storeBf16(acc, dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc * getBf16(srcs[j] + o);
            }
            putBf16(dst + o, acc);
        }
    }

    private static void accumulateBf16Prod(final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).mul(loadBf16(src + i * 2))
                .intoMemorySegment(ALL, acc + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, getFloat(acc + i * 4) * getBf16(src + i * 2));
        }
    }

    private static void binaryBf16Min(final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeBf16(loadBf16(a + o).min(loadBf16(b + o)), dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putBf16(dst + o, Math.min(getBf16(a + o), getBf16(b + o)));
        }
    }

    private static void multiBf16Min(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            FloatVector acc = loadBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.min(loadBf16(srcs[j] + o));
            }
            storeBf16(acc, dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.min(acc, getBf16(srcs[j] + o));
            }
            putBf16(dst + o, acc);
        }
    }

    private static void accumulateBf16Min(final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).min(loadBf16(src + i * 2))
                .intoMemorySegment(ALL, acc + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, Math.min(getFloat(acc + i * 4), getBf16(src + i * 2)));
        }
    }

    private static void binaryBf16Max(final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeBf16(loadBf16(a + o).max(loadBf16(b + o)), dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putBf16(dst + o, Math.max(getBf16(a + o), getBf16(b + o)));
        }
    }

    private static void multiBf16Max(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            FloatVector acc = loadBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.max(loadBf16(srcs[j] + o));
            }
            storeBf16(acc, dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.max(acc, getBf16(srcs[j] + o));
            }
            putBf16(dst + o, acc);
        }
    }

    private static void accumulateBf16Max(final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).max(loadBf16(src + i * 2))
                .intoMemorySegment(ALL, acc + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, Math.max(getFloat(acc + i * 4), getBf16(src + i * 2)));
        }
    }

    /** dst[i] = widen(src[i]), exact. */
    static void toF32Bf16(final long dst, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            loadBf16(src + i * 2).intoMemorySegment(ALL, dst + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(dst + i * 4, getBf16(src + i * 2));
        }
    }

    /** dst[i] = round(src[i]), to nearest even. */
    static void fromF32Bf16(final long dst, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            storeBf16(FloatVector.fromMemorySegment(FLOATS, ALL, src + i * 4, ORDER), dst + i * 2);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putBf16(dst + i * 2, getFloat(src + i * 4));
        }
    }

    /** x[i] = round(widen(x[i]) / divisor), divided in F32. */
    static void divideBf16(final long x, final long count, final float divisor)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeBf16(loadBf16(x + o).div(divisor), x + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putBf16(x + o, getBf16(x + o) / divisor);
        }
    }

    /** x[i] = round(widen(x[i]) * factor), multiplied in F32. */
    static void scaleBf16(final long x, final long count, final float factor)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeBf16(loadBf16(x + o).mul(factor), x + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putBf16(x + o, getBf16(x + o) * factor);
        }
    }

    private static float getBf16(final long address)
    {
        return HalfFloats.bf16ToFloat(getShort(address));
    }

    private static void putBf16(final long address, final float value)
    {
        putShort(address, HalfFloats.floatToBf16(value));
    }

    private static void binaryF16Sum(final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeF16(loadF16(a + o).add(loadF16(b + o)), dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putF16(dst + o, getF16(a + o) + getF16(b + o));
        }
    }

    private static void multiF16Sum(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            FloatVector acc = loadF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.add(loadF16(srcs[j] + o));
            }
            storeF16(acc, dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc + getF16(srcs[j] + o);
            }
            putF16(dst + o, acc);
        }
    }

    private static void accumulateF16Sum(final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).add(loadF16(src + i * 2))
                .intoMemorySegment(ALL, acc + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, getFloat(acc + i * 4) + getF16(src + i * 2));
        }
    }

    private static void binaryF16Prod(final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeF16(loadF16(a + o).mul(loadF16(b + o)), dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putF16(dst + o, getF16(a + o) * getF16(b + o));
        }
    }

    private static void multiF16Prod(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            FloatVector acc = loadF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.mul(loadF16(srcs[j] + o));
            }
            storeF16(acc, dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc * getF16(srcs[j] + o);
            }
            putF16(dst + o, acc);
        }
    }

    private static void accumulateF16Prod(final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).mul(loadF16(src + i * 2))
                .intoMemorySegment(ALL, acc + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, getFloat(acc + i * 4) * getF16(src + i * 2));
        }
    }

    private static void binaryF16Min(final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeF16(loadF16(a + o).min(loadF16(b + o)), dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putF16(dst + o, Math.min(getF16(a + o), getF16(b + o)));
        }
    }

    private static void multiF16Min(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            FloatVector acc = loadF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.min(loadF16(srcs[j] + o));
            }
            storeF16(acc, dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.min(acc, getF16(srcs[j] + o));
            }
            putF16(dst + o, acc);
        }
    }

    private static void accumulateF16Min(final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).min(loadF16(src + i * 2))
                .intoMemorySegment(ALL, acc + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, Math.min(getFloat(acc + i * 4), getF16(src + i * 2)));
        }
    }

    private static void binaryF16Max(final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeF16(loadF16(a + o).max(loadF16(b + o)), dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putF16(dst + o, Math.max(getF16(a + o), getF16(b + o)));
        }
    }

    private static void multiF16Max(final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            FloatVector acc = loadF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc.max(loadF16(srcs[j] + o));
            }
            storeF16(acc, dst + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.max(acc, getF16(srcs[j] + o));
            }
            putF16(dst + o, acc);
        }
    }

    private static void accumulateF16Max(final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).max(loadF16(src + i * 2))
                .intoMemorySegment(ALL, acc + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, Math.max(getFloat(acc + i * 4), getF16(src + i * 2)));
        }
    }

    /** dst[i] = widen(src[i]), exact. */
    static void toF32F16(final long dst, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            loadF16(src + i * 2).intoMemorySegment(ALL, dst + i * 4, ORDER);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(dst + i * 4, getF16(src + i * 2));
        }
    }

    /** dst[i] = round(src[i]), to nearest even. */
    static void fromF32F16(final long dst, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        for (long i = 0; i < vectorCount; i += LANES)
        {
            storeF16(FloatVector.fromMemorySegment(FLOATS, ALL, src + i * 4, ORDER), dst + i * 2);
        }
        for (long i = vectorCount; i < count; i++)
        {
            putF16(dst + i * 2, getFloat(src + i * 4));
        }
    }

    /** x[i] = round(widen(x[i]) / divisor), divided in F32. */
    static void divideF16(final long x, final long count, final float divisor)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeF16(loadF16(x + o).div(divisor), x + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putF16(x + o, getF16(x + o) / divisor);
        }
    }

    /** x[i] = round(widen(x[i]) * factor), multiplied in F32. */
    static void scaleF16(final long x, final long count, final float factor)
    {
        final long vectorCount = count - count % LANES;
        for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
        {
            storeF16(loadF16(x + o).mul(factor), x + o);
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putF16(x + o, getF16(x + o) * factor);
        }
    }

    private static float getF16(final long address)
    {
        return HalfFloats.f16ToFloat(getShort(address));
    }

    private static void putF16(final long address, final float value)
    {
        putShort(address, HalfFloats.floatToF16(value));
    }
}
