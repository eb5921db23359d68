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
 */
final class ReduceHalf
{
    private static final int LANES = FLOATS.length();

    private ReduceHalf()
    {
    }

    /** dst[i] = round(widen(a[i]) op widen(b[i])): one rounding per call; dst may be a or b. */
    static void binaryBf16(final ReduceOp op, final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        switch (op)
        {
            case SUM, AVG ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    storeBf16(loadBf16(a + o).add(loadBf16(b + o)), dst + o);
                }
            }
            case PROD ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    storeBf16(loadBf16(a + o).mul(loadBf16(b + o)), dst + o);
                }
            }
            case MIN ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    storeBf16(loadBf16(a + o).min(loadBf16(b + o)), dst + o);
                }
            }
            case MAX ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    storeBf16(loadBf16(a + o).max(loadBf16(b + o)), dst + o);
                }
            }
            default -> throw new IllegalArgumentException(op + " is not defined for BF16");
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putBf16(dst + o, ReduceF32.apply(op, getBf16(a + o), getBf16(b + o)));
        }
    }

    /** dst[i] = round(((widen(src0[i]) op widen(src1[i])) op ...) in F32): one rounding for all the sources. */
    static void multiBf16(final ReduceOp op, final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        switch (op)
        {
            case SUM, AVG ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    FloatVector acc = loadBf16(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.add(loadBf16(srcs[j] + o));
                    }
                    storeBf16(acc, dst + o);
                }
            }
            case PROD ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    FloatVector acc = loadBf16(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.mul(loadBf16(srcs[j] + o));
                    }
                    storeBf16(acc, dst + o);
                }
            }
            case MIN ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    FloatVector acc = loadBf16(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.min(loadBf16(srcs[j] + o));
                    }
                    storeBf16(acc, dst + o);
                }
            }
            case MAX ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    FloatVector acc = loadBf16(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.max(loadBf16(srcs[j] + o));
                    }
                    storeBf16(acc, dst + o);
                }
            }
            default -> throw new IllegalArgumentException(op + " is not defined for BF16");
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getBf16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = ReduceF32.apply(op, acc, getBf16(srcs[j] + o));
            }
            putBf16(dst + o, acc);
        }
    }

    /** acc[i] = acc[i] op widen(src[i]), acc in F32: no rounding to BF16 until {@link #fromF32Bf16}. */
    static void accumulateBf16(final ReduceOp op, final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        switch (op)
        {
            case SUM, AVG ->
            {
                for (long i = 0; i < vectorCount; i += LANES)
                {
                    FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).add(loadBf16(src + i * 2))
                        .intoMemorySegment(ALL, acc + i * 4, ORDER);
                }
            }
            case PROD ->
            {
                for (long i = 0; i < vectorCount; i += LANES)
                {
                    FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).mul(loadBf16(src + i * 2))
                        .intoMemorySegment(ALL, acc + i * 4, ORDER);
                }
            }
            case MIN ->
            {
                for (long i = 0; i < vectorCount; i += LANES)
                {
                    FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).min(loadBf16(src + i * 2))
                        .intoMemorySegment(ALL, acc + i * 4, ORDER);
                }
            }
            case MAX ->
            {
                for (long i = 0; i < vectorCount; i += LANES)
                {
                    FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).max(loadBf16(src + i * 2))
                        .intoMemorySegment(ALL, acc + i * 4, ORDER);
                }
            }
            default -> throw new IllegalArgumentException(op + " is not defined for BF16");
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, ReduceF32.apply(op, getFloat(acc + i * 4), getBf16(src + i * 2)));
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

    /** dst[i] = round(widen(a[i]) op widen(b[i])): one rounding per call; dst may be a or b. */
    static void binaryF16(final ReduceOp op, final long dst, final long a, final long b, final long count)
    {
        final long vectorCount = count - count % LANES;
        switch (op)
        {
            case SUM, AVG ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    storeF16(loadF16(a + o).add(loadF16(b + o)), dst + o);
                }
            }
            case PROD ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    storeF16(loadF16(a + o).mul(loadF16(b + o)), dst + o);
                }
            }
            case MIN ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    storeF16(loadF16(a + o).min(loadF16(b + o)), dst + o);
                }
            }
            case MAX ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    storeF16(loadF16(a + o).max(loadF16(b + o)), dst + o);
                }
            }
            default -> throw new IllegalArgumentException(op + " is not defined for F16");
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            putF16(dst + o, ReduceF32.apply(op, getF16(a + o), getF16(b + o)));
        }
    }

    /** dst[i] = round(((widen(src0[i]) op widen(src1[i])) op ...) in F32): one rounding for all the sources. */
    static void multiF16(final ReduceOp op, final long dst, final long[] srcs, final long count)
    {
        final int k = srcs.length;
        final long vectorCount = count - count % LANES;
        switch (op)
        {
            case SUM, AVG ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    FloatVector acc = loadF16(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.add(loadF16(srcs[j] + o));
                    }
                    storeF16(acc, dst + o);
                }
            }
            case PROD ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    FloatVector acc = loadF16(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.mul(loadF16(srcs[j] + o));
                    }
                    storeF16(acc, dst + o);
                }
            }
            case MIN ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    FloatVector acc = loadF16(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.min(loadF16(srcs[j] + o));
                    }
                    storeF16(acc, dst + o);
                }
            }
            case MAX ->
            {
                for (long o = 0, end = vectorCount * 2; o < end; o += HALF_STEP)
                {
                    FloatVector acc = loadF16(srcs[0] + o);
                    for (int j = 1; j < k; j++)
                    {
                        acc = acc.max(loadF16(srcs[j] + o));
                    }
                    storeF16(acc, dst + o);
                }
            }
            default -> throw new IllegalArgumentException(op + " is not defined for F16");
        }
        for (long o = vectorCount * 2, end = count * 2; o < end; o += 2)
        {
            float acc = getF16(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = ReduceF32.apply(op, acc, getF16(srcs[j] + o));
            }
            putF16(dst + o, acc);
        }
    }

    /** acc[i] = acc[i] op widen(src[i]), acc in F32: no rounding to F16 until {@link #fromF32F16}. */
    static void accumulateF16(final ReduceOp op, final long acc, final long src, final long count)
    {
        final long vectorCount = count - count % LANES;
        switch (op)
        {
            case SUM, AVG ->
            {
                for (long i = 0; i < vectorCount; i += LANES)
                {
                    FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).add(loadF16(src + i * 2))
                        .intoMemorySegment(ALL, acc + i * 4, ORDER);
                }
            }
            case PROD ->
            {
                for (long i = 0; i < vectorCount; i += LANES)
                {
                    FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).mul(loadF16(src + i * 2))
                        .intoMemorySegment(ALL, acc + i * 4, ORDER);
                }
            }
            case MIN ->
            {
                for (long i = 0; i < vectorCount; i += LANES)
                {
                    FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).min(loadF16(src + i * 2))
                        .intoMemorySegment(ALL, acc + i * 4, ORDER);
                }
            }
            case MAX ->
            {
                for (long i = 0; i < vectorCount; i += LANES)
                {
                    FloatVector.fromMemorySegment(FLOATS, ALL, acc + i * 4, ORDER).max(loadF16(src + i * 2))
                        .intoMemorySegment(ALL, acc + i * 4, ORDER);
                }
            }
            default -> throw new IllegalArgumentException(op + " is not defined for F16");
        }
        for (long i = vectorCount; i < count; i++)
        {
            putFloat(acc + i * 4, ReduceF32.apply(op, getFloat(acc + i * 4), getF16(src + i * 2)));
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
