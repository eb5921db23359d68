package dev.ringfold.tensors.kernels;

import dev.ringfold.mpi.JvmFlags;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

import static dev.ringfold.tensors.kernels.Memory.checkCount;

/**
 * Element-wise reductions over raw off-heap regions: absolute addresses and element counts, any alignment, data
 * in the platform's byte order. The collectives call these chunk by chunk; a tensor is just its whole region.
 *
 * <p>Numeric rules (docs/kernels.md has the full account):
 * <ul>
 *   <li>Every result element depends only on the same element of the inputs, combined in a fixed order: in place
 *       {@code dst = dst op src}; out of place {@code dst = a op b}; {@link #reduceAll} {@code ((s0 op s1) op s2)
 *       ...}, source 0 first. Vector lanes and the scalar tail do the same arithmetic (no FMA, no reassociation),
 *       so results are bit-identical to a plain scalar loop, F32/F64 SUM included.</li>
 *   <li>Integers wrap (two's complement). MIN/MAX of floats follow {@link Math#min}/{@link Math#max}: NaN wins,
 *       -0.0 is below +0.0. U8 compares and divides unsigned.</li>
 *   <li>AVG is SUM here: the kernels sum and the caller, who knows how many contributions there were, calls
 *       {@link #divide} once at the end (floats: a true division; integers: truncated toward zero, applied to
 *       the wrapped sum).</li>
 *   <li>BF16/F16 are widened to F32 (exact), combined in F32 and rounded to nearest even once per call. Across
 *       several calls use {@link #reduceAll}, which rounds once for all its sources, or an F32 accumulator:
 *       {@link #widenToF32}, {@link #accumulateToF32} per contribution, {@link #roundFromF32} once.</li>
 * </ul>
 * Regions may be the same (dst == a, dst == one of the sources) but must not otherwise overlap. Nothing here
 * allocates.
 *
 * <p>Where the JVM was started without the Vector API module (ranks of programs that use only the mpi APIs: the
 * module turns off the AOT cache's archived module graph and linked classes, which costs start-up), F32, F64, the
 * integers and U8 run the plain Java loops that serve the vector loops as their tails (ScalarF32 and the others),
 * with the same bits; BF16 and F16, whose loops are vector ones only, throw an {@link IllegalStateException} that
 * names the flag.
 */
public final class ReduceKernels
{
    /**
     * Decided once: whether this JVM has the Vector API module, and so the vector loops (ReduceF32 and the others)
     * or the plain Java ones (ScalarF32 and the others). Without the module, no code path of F32, F64, I32, I64, I8
     * or U8 may name a class that links the Vector API: verifying it would throw a NoClassDefFoundError.
     */
    private static final boolean VECTOR = JvmFlags.hasVectorApi();

    // Each dtype's loops live in their own class (ReduceF32, ReduceF64, ...), initialised when a call first needs
    // that dtype: a program that reduces floats loads the float kernels and their vector species only, not the
    // Vector API classes of every type (that cost a program's first all-reduce about 150 ms; BENCHMARKS.md,
    // "First calls"). One call site per kind of kernel: whatever a program uses, C2 inlines at most two loops into
    // it and calls the others (see ReduceF32).

    private ReduceKernels()
    {
    }

    /** dst = a op b loops of {@code dtype} by {@code ReduceOp.ordinal()}. */
    private static Loops.Binary[] binary(final DType dtype)
    {
        return switch (dtype)
        {
            case F32 -> VECTOR ? ReduceF32.BINARY : ScalarF32.Tables.BINARY;
            case F64 -> VECTOR ? ReduceF64.BINARY : ScalarF64.Tables.BINARY;
            case I32 -> VECTOR ? ReduceI32.BINARY : ScalarI32.Tables.BINARY;
            case I64 -> VECTOR ? ReduceI64.BINARY : ScalarI64.Tables.BINARY;
            case I8 -> VECTOR ? ReduceI8.I8_BINARY : ScalarI8.Tables.I8_BINARY;
            case U8 -> VECTOR ? ReduceI8.U8_BINARY : ScalarI8.Tables.U8_BINARY;
            case BF16 -> ReduceHalf.BF16_BINARY;
            case F16 -> ReduceHalf.F16_BINARY;
        };
    }

    /** dst = ((s0 op s1) op s2) ... loops of {@code dtype} by {@code ReduceOp.ordinal()}. */
    private static Loops.Multi[] multi(final DType dtype)
    {
        return switch (dtype)
        {
            case F32 -> VECTOR ? ReduceF32.MULTI : ScalarF32.Tables.MULTI;
            case F64 -> VECTOR ? ReduceF64.MULTI : ScalarF64.Tables.MULTI;
            case I32 -> VECTOR ? ReduceI32.MULTI : ScalarI32.Tables.MULTI;
            case I64 -> VECTOR ? ReduceI64.MULTI : ScalarI64.Tables.MULTI;
            case I8 -> VECTOR ? ReduceI8.I8_MULTI : ScalarI8.Tables.I8_MULTI;
            case U8 -> VECTOR ? ReduceI8.U8_MULTI : ScalarI8.Tables.U8_MULTI;
            case BF16 -> ReduceHalf.BF16_MULTI;
            case F16 -> ReduceHalf.F16_MULTI;
        };
    }

    /** In place: {@code dst[i] = dst[i] op src[i]} for {@code count} elements of {@code dtype}. */
    public static void reduce(
        final ReduceOp op, final DType dtype, final long dst, final long src, final long count)
    {
        reduce(op, dtype, dst, dst, src, count);
    }

    /** Out of place: {@code dst[i] = a[i] op b[i]}; dst may be a or b. */
    public static void reduce(
        final ReduceOp op, final DType dtype, final long dst, final long a, final long b, final long count)
    {
        check(op, dtype, count);
        binary(dtype)[op.ordinal()].run(dst, a, b, count);
    }

    /** In place over a byte range: {@code bytes} must be a whole number of elements. */
    public static void reduceBytes(
        final ReduceOp op, final DType dtype, final long dst, final long src, final long bytes)
    {
        reduce(op, dtype, dst, dst, src, elements(dtype, bytes));
    }

    /**
     * {@code dst[i] = ((srcs[0][i] op srcs[1][i]) op srcs[2][i]) ...}: reads every source once and writes dst once,
     * which is what a shared-memory all-reduce over k mapped buffers needs. BF16/F16 accumulate in F32 across all
     * the sources and round once. dst may be one of the sources.
     */
    public static void reduceAll(
        final ReduceOp op, final DType dtype, final long dst, final long[] srcs, final long count)
    {
        check(op, dtype, count);
        if (srcs.length == 0)
        {
            throw new IllegalArgumentException("reduceAll needs at least one source");
        }
        multi(dtype)[op.ordinal()].run(dst, srcs, count);
    }

    /** {@code f32Dst[i] = (float)src[i]}, exact, for F32, BF16 or F16 sources: starts an F32 accumulator. */
    public static void widenToF32(final DType dtype, final long f32Dst, final long src, final long count)
    {
        check(dtype, count);
        accumulationType(dtype);
        switch (dtype)
        {
            case BF16 -> ReduceHalf.toF32Bf16(f32Dst, src, count);
            case F16 -> ReduceHalf.toF32F16(f32Dst, src, count);
            default -> Memory.copy(src, f32Dst, count * Float.BYTES);
        }
    }

    /** {@code f32Acc[i] = f32Acc[i] op (float)src[i]}: no rounding to the source's type. */
    public static void accumulateToF32(
        final ReduceOp op, final DType dtype, final long f32Acc, final long src, final long count)
    {
        check(op, dtype, count);
        accumulationType(dtype);
        switch (dtype)
        {
            case BF16 -> ReduceHalf.BF16_ACCUMULATE[op.ordinal()].run(f32Acc, 0, src, count);
            case F16 -> ReduceHalf.F16_ACCUMULATE[op.ordinal()].run(f32Acc, 0, src, count);
            default -> binary(DType.F32)[op.ordinal()].run(f32Acc, f32Acc, src, count); // acc = acc op src
        }
    }

    /** {@code dst[i] = round(f32Src[i])} to nearest even: the one rounding of an F32 accumulation. */
    public static void roundFromF32(final DType dtype, final long dst, final long f32Src, final long count)
    {
        check(dtype, count);
        accumulationType(dtype);
        switch (dtype)
        {
            case BF16 -> ReduceHalf.fromF32Bf16(dst, f32Src, count);
            case F16 -> ReduceHalf.fromF32F16(dst, f32Src, count);
            default -> Memory.copy(f32Src, dst, count * Float.BYTES);
        }
    }

    /**
     * {@code x[i] = x[i] / divisor}: the step that turns an AVG's sum into the average. Floats divide (BF16/F16 in
     * F32, rounded once); integers truncate toward zero (U8 unsigned).
     */
    public static void divide(final DType dtype, final long x, final long count, final long divisor)
    {
        check(dtype, count);
        if (divisor <= 0)
        {
            throw new IllegalArgumentException("divisor must be positive: " + divisor);
        }
        switch (dtype)
        {
            case F32 -> divideF32(x, count, (float)divisor);
            case F64 -> divideF64(x, count, divisor);
            case I32 -> ScalarI32.divide(x, 0, count * Integer.BYTES, divisor);
            case I64 -> ScalarI64.divide(x, 0, count * Long.BYTES, divisor);
            case I8 -> ScalarI8.divide(false, x, 0, count * Byte.BYTES, divisor);
            case U8 -> ScalarI8.divide(true, x, 0, count * Byte.BYTES, divisor);
            case BF16 -> ReduceHalf.divideBf16(x, count, (float)divisor);
            case F16 -> ReduceHalf.divideF16(x, count, (float)divisor);
        }
    }

    /** {@code x[i] = x[i] * factor} for floating-point types (F32, BF16 and F16 multiply by {@code (float)factor}). */
    public static void scale(final DType dtype, final long x, final long count, final double factor)
    {
        check(dtype, count);
        if (dtype.isInteger())
        {
            throw new IllegalArgumentException("scale is for floating-point types, not " + dtype);
        }
        switch (dtype)
        {
            case F32 -> scaleF32(x, count, (float)factor);
            case F64 -> scaleF64(x, count, factor);
            case BF16 -> ReduceHalf.scaleBf16(x, count, (float)factor);
            case F16 -> ReduceHalf.scaleF16(x, count, (float)factor);
            default -> throw new IllegalStateException("unreachable: " + dtype);
        }
    }

    // F32 and F64 division and scaling: the vector loops, or the plain Java ones over the whole region. (The
    // integers divide in plain Java on both paths: x86 has no integer vector division.)

    private static void divideF32(final long x, final long count, final float divisor)
    {
        if (VECTOR)
        {
            ReduceF32.divide(x, count, divisor);
        }
        else
        {
            ScalarF32.divide(x, 0, count * Float.BYTES, divisor);
        }
    }

    private static void divideF64(final long x, final long count, final double divisor)
    {
        if (VECTOR)
        {
            ReduceF64.divide(x, count, divisor);
        }
        else
        {
            ScalarF64.divide(x, 0, count * Double.BYTES, divisor);
        }
    }

    private static void scaleF32(final long x, final long count, final float factor)
    {
        if (VECTOR)
        {
            ReduceF32.scale(x, count, factor);
        }
        else
        {
            ScalarF32.scale(x, 0, count * Float.BYTES, factor);
        }
    }

    private static void scaleF64(final long x, final long count, final double factor)
    {
        if (VECTOR)
        {
            ReduceF64.scale(x, count, factor);
        }
        else
        {
            ScalarF64.scale(x, 0, count * Double.BYTES, factor);
        }
    }

    /** Elements in {@code bytes} of {@code dtype}; a partial element is an error (the collectives chunk by elements). */
    public static long elements(final DType dtype, final long bytes)
    {
        if (bytes < 0 || bytes % dtype.bytes() != 0)
        {
            throw new IllegalArgumentException(bytes + " bytes is not a whole number of " + dtype + " elements");
        }
        return bytes / dtype.bytes();
    }

    /**
     * A valid count, and kernels for {@code dtype} in this JVM: BF16 and F16 have vector loops only (ReduceHalf), so
     * without the module they throw the error that names the flag, before anything links ReduceHalf.
     */
    private static void check(final DType dtype, final long count)
    {
        checkCount(count);
        if (!VECTOR && (dtype == DType.BF16 || dtype == DType.F16))
        {
            JvmFlags.requireVectorApi("Ringfold's BF16 and F16 reduction kernels");
        }
    }

    private static void accumulationType(final DType dtype)
    {
        if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16)
        {
            throw new IllegalArgumentException("no F32 accumulation for " + dtype);
        }
    }

    private static void check(final ReduceOp op, final DType dtype, final long count)
    {
        check(dtype, count);
        if (!op.supports(dtype))
        {
            throw new IllegalArgumentException(op + " is not defined for " + dtype);
        }
    }
}
