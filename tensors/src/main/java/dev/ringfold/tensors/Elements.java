package dev.ringfold.tensors;

import dev.ringfold.tensors.kernels.HalfFloats;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Reads and writes one element of any dtype at a byte offset of a segment, in native order (little-endian on
 * every platform Arrow supports, so it is also Arrow's order). Unaligned layouts: a tensor may start at any byte
 * of its buffer.
 */
final class Elements
{
    private Elements()
    {
    }

    static double getDouble(final MemorySegment s, final long offset, final DType dtype)
    {
        return switch (dtype)
        {
            case F32 -> s.get(JAVA_FLOAT_UNALIGNED, offset);
            case F64 -> s.get(JAVA_DOUBLE_UNALIGNED, offset);
            case I32 -> s.get(JAVA_INT_UNALIGNED, offset);
            case I64 -> s.get(JAVA_LONG_UNALIGNED, offset);
            case BF16 -> HalfFloats.bf16ToFloat(s.get(JAVA_SHORT_UNALIGNED, offset));
            case F16 -> HalfFloats.f16ToFloat(s.get(JAVA_SHORT_UNALIGNED, offset));
            case I8 -> s.get(JAVA_BYTE, offset);
            case U8 -> s.get(JAVA_BYTE, offset) & 0xFF;
        };
    }

    /** Integer dtypes only (the caller checks). */
    static long getLong(final MemorySegment s, final long offset, final DType dtype)
    {
        return switch (dtype)
        {
            case I32 -> s.get(JAVA_INT_UNALIGNED, offset);
            case I64 -> s.get(JAVA_LONG_UNALIGNED, offset);
            case I8 -> s.get(JAVA_BYTE, offset);
            case U8 -> s.get(JAVA_BYTE, offset) & 0xFF;
            default -> throw new IllegalArgumentException("not an integer dtype: " + dtype);
        };
    }

    /** Floating dtypes only (the caller checks). BF16 and F16 round the float value to nearest even. */
    static void putDouble(final MemorySegment s, final long offset, final DType dtype, final double value)
    {
        switch (dtype)
        {
            case F32 -> s.set(JAVA_FLOAT_UNALIGNED, offset, (float)value);
            case F64 -> s.set(JAVA_DOUBLE_UNALIGNED, offset, value);
            case BF16 -> s.set(JAVA_SHORT_UNALIGNED, offset, HalfFloats.floatToBf16((float)value));
            case F16 -> s.set(JAVA_SHORT_UNALIGNED, offset, HalfFloats.floatToF16((float)value));
            default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
        }
    }

    /** Integer dtypes only, value already range-checked. */
    static void putLong(final MemorySegment s, final long offset, final DType dtype, final long value)
    {
        switch (dtype)
        {
            case I32 -> s.set(JAVA_INT_UNALIGNED, offset, (int)value);
            case I64 -> s.set(JAVA_LONG_UNALIGNED, offset, value);
            case I8, U8 -> s.set(JAVA_BYTE, offset, (byte)value);
            default -> throw new IllegalArgumentException("not an integer dtype: " + dtype);
        }
    }

    static long minValue(final DType dtype)
    {
        return switch (dtype)
        {
            case I8 -> Byte.MIN_VALUE;
            case U8 -> 0;
            case I32 -> Integer.MIN_VALUE;
            default -> Long.MIN_VALUE;
        };
    }

    static long maxValue(final DType dtype)
    {
        return switch (dtype)
        {
            case I8 -> Byte.MAX_VALUE;
            case U8 -> 255;
            case I32 -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
    }

    static boolean fits(final DType dtype, final long value)
    {
        return value >= minValue(dtype) && value <= maxValue(dtype);
    }
}
