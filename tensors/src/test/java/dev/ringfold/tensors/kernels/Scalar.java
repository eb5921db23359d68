package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.util.SplittableRandom;

/**
 * Plain scalar references for the kernel tests, written independently of the kernels: element by element, values
 * held as raw bits in a long, F16 through the JDK's own conversions, BF16 rounding decided with exact decimals.
 */
final class Scalar
{
    static final DType[] ALL_TYPES = DType.values();

    private Scalar()
    {
    }

    /** Off-heap buffer with a base address that is deliberately misaligned by {@code misalign} bytes. */
    static long allocate(final Arena arena, final long bytes, final int misalign)
    {
        return arena.allocate(bytes + 64, 64).address() + misalign;
    }

    static MemorySegment at(final long address, final long bytes)
    {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    static long get(final DType dtype, final long address, final long index)
    {
        final MemorySegment s = at(address + index * dtype.bytes(), dtype.bytes());
        return switch (dtype.bytes())
        {
            case 1 -> s.get(ValueLayout.JAVA_BYTE, 0);
            case 2 -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
            case 4 -> s.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            default -> s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        };
    }

    static void put(final DType dtype, final long address, final long index, final long bits)
    {
        final MemorySegment s = at(address + index * dtype.bytes(), dtype.bytes());
        switch (dtype.bytes())
        {
            case 1 -> s.set(ValueLayout.JAVA_BYTE, 0, (byte)bits);
            case 2 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short)bits);
            case 4 -> s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int)bits);
            default -> s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, bits);
        }
    }

    /** Random raw bits for one element: finite values mostly, with NaN, infinities, zeros and subnormals mixed in. */
    static long randomBits(final DType dtype, final SplittableRandom random)
    {
        final int pick = random.nextInt(40);
        return switch (dtype)
        {
            case F32 -> Float.floatToRawIntBits(special(pick, random, (float)random.nextGaussian(), Float.MIN_VALUE));
            case F64 -> Double.doubleToRawLongBits(specialD(pick, random.nextGaussian() * 1e3));
            case BF16 -> HalfFloatsReference.bf16(special(pick, random, (float)random.nextGaussian() * 10, 1e-39f));
            case F16 -> Float.floatToFloat16(special(pick, random, (float)random.nextGaussian() * 10, 1e-7f));
            case I32 -> random.nextInt();
            case I64 -> random.nextLong();
            case I8, U8 -> (byte)random.nextInt();
        };
    }

    private static float special(final int pick, final SplittableRandom random, final float usual, final float tiny)
    {
        return switch (pick)
        {
            case 0 -> Float.NaN;
            case 1 -> Float.POSITIVE_INFINITY;
            case 2 -> Float.NEGATIVE_INFINITY;
            case 3 -> 0.0f;
            case 4 -> -0.0f;
            case 5 -> tiny * random.nextInt(-50, 50);
            default -> usual;
        };
    }

    private static double specialD(final int pick, final double usual)
    {
        return switch (pick)
        {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> Double.NEGATIVE_INFINITY;
            case 3 -> 0.0;
            case 4 -> -0.0;
            case 5 -> Double.MIN_VALUE * 7;
            default -> usual;
        };
    }

    static void fillRandom(final DType dtype, final long address, final long count, final SplittableRandom random)
    {
        for (long i = 0; i < count; i++)
        {
            put(dtype, address, i, randomBits(dtype, random));
        }
    }

    /** Widened value of a floating-point element (F16 through the JDK, BF16 by shifting). */
    static float widen(final DType dtype, final long bits)
    {
        return switch (dtype)
        {
            case F32 -> Float.intBitsToFloat((int)bits);
            case BF16 -> Float.intBitsToFloat(((int)bits & 0xffff) << 16);
            case F16 -> Float.float16ToFloat((short)bits);
            default -> throw new IllegalArgumentException(dtype.name());
        };
    }

    static long narrow(final DType dtype, final float value)
    {
        return switch (dtype)
        {
            case F32 -> Float.floatToRawIntBits(value);
            case BF16 -> HalfFloatsReference.bf16(value);
            case F16 -> Float.floatToFloat16(value);
            default -> throw new IllegalArgumentException(dtype.name());
        };
    }

    static float op(final ReduceOp op, final float x, final float y)
    {
        return switch (op)
        {
            case SUM, AVG -> x + y;
            case PROD -> x * y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    /** One step of the reduction on raw bits: full-precision types only (BF16/F16 go through {@link #op}). */
    static long op(final ReduceOp op, final DType dtype, final long x, final long y)
    {
        return switch (dtype)
        {
            case F32 -> Float.floatToRawIntBits(op(op, Float.intBitsToFloat((int)x), Float.intBitsToFloat((int)y)));
            case F64 -> Double.doubleToRawLongBits(opD(op, Double.longBitsToDouble(x), Double.longBitsToDouble(y)));
            case I32 -> (int)opL(op, false, x, y);
            case I64 -> opL(op, false, x, y);
            case I8 -> (byte)opL(op, false, x, y);
            case U8 -> (byte)opL(op, true, x & 0xff, y & 0xff);
            default -> throw new IllegalArgumentException(dtype.name());
        };
    }

    private static double opD(final ReduceOp op, final double x, final double y)
    {
        return switch (op)
        {
            case SUM, AVG -> x + y;
            case PROD -> x * y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    private static long opL(final ReduceOp op, final boolean unsigned, final long x, final long y)
    {
        return switch (op)
        {
            case SUM, AVG -> x + y;
            case PROD -> x * y;
            case MIN -> unsigned ? Long.min(x, y) : Math.min(x, y);
            case MAX -> unsigned ? Long.max(x, y) : Math.max(x, y);
            case BAND -> x & y;
            case BOR -> x | y;
            case BXOR -> x ^ y;
        };
    }

    /** Bits equal, or both NaN (payloads of NaN results are not specified). */
    static boolean same(final DType dtype, final long expected, final long actual)
    {
        final long mask = dtype.bytes() == 8 ? -1L : (1L << (8 * dtype.bytes())) - 1;
        if (((expected ^ actual) & mask) == 0)
        {
            return true;
        }
        return switch (dtype)
        {
            case F32 -> Float.isNaN(Float.intBitsToFloat((int)expected)) && Float.isNaN(Float.intBitsToFloat((int)actual));
            case F64 -> Double.isNaN(Double.longBitsToDouble(expected)) && Double.isNaN(Double.longBitsToDouble(actual));
            case BF16, F16 -> Float.isNaN(widen(dtype, expected)) && Float.isNaN(widen(dtype, actual));
            default -> false;
        };
    }

    /** Independent BF16 rounding: pick the nearer of the two neighbours with exact decimals, ties to the even one. */
    static final class HalfFloatsReference
    {
        private HalfFloatsReference()
        {
        }

        static short bf16(final float value)
        {
            if (Float.isNaN(value))
            {
                return (short)((Float.floatToRawIntBits(value) >>> 16) | 0x40);
            }
            if (Float.isInfinite(value))
            {
                return (short)(Float.floatToRawIntBits(value) >>> 16);
            }
            final int bits = Float.floatToRawIntBits(value);
            final int down = bits >>> 16;
            final int up = down + 1;
            final BigDecimal exact = new BigDecimal(value);
            final BigDecimal low = new BigDecimal(Float.intBitsToFloat(down << 16));
            final float upValue = Float.intBitsToFloat(up << 16);
            // Above the largest finite BF16 the upper neighbour is infinity: compare with where it would be.
            final BigDecimal high = Float.isInfinite(upValue)
                ? new BigDecimal(Float.intBitsToFloat(down << 16)).multiply(BigDecimal.valueOf(2))
                    .subtract(new BigDecimal(Float.intBitsToFloat((down - 1) << 16)))
                : new BigDecimal(upValue);
            final int c = exact.subtract(low).abs().compareTo(exact.subtract(high).abs());
            if (c < 0 || (c == 0 && (down & 1) == 0))
            {
                return (short)down;
            }
            return (short)up;
        }
    }
}
