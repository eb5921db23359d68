package dev.ringfold.tensors.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * How kernels reach memory: one segment that spans the whole address space, so an absolute address is an offset
 * into it. The Vector API loads and stores through a segment; making one per call ({@code ofAddress(..).reinterpret})
 * would allocate on every call, while this one is made once and its bounds check ({@code < Long.MAX_VALUE}) folds
 * away. As with any kernel that takes raw addresses, staying inside the caller's buffers is the caller's business.
 */
final class Memory
{
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** Tensors are in the platform's order; off-heap data is shared with native code and other processes. */
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    // Unaligned layouts: kernels take any address (collectives reduce chunks at arbitrary byte offsets).
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    private Memory()
    {
    }

    static float getFloat(final long address)
    {
        return ALL.get(F32, address);
    }

    static void putFloat(final long address, final float value)
    {
        ALL.set(F32, address, value);
    }

    static double getDouble(final long address)
    {
        return ALL.get(F64, address);
    }

    static void putDouble(final long address, final double value)
    {
        ALL.set(F64, address, value);
    }

    static int getInt(final long address)
    {
        return ALL.get(I32, address);
    }

    static void putInt(final long address, final int value)
    {
        ALL.set(I32, address, value);
    }

    static long getLong(final long address)
    {
        return ALL.get(I64, address);
    }

    static void putLong(final long address, final long value)
    {
        ALL.set(I64, address, value);
    }

    static short getShort(final long address)
    {
        return ALL.get(I16, address);
    }

    static void putShort(final long address, final short value)
    {
        ALL.set(I16, address, value);
    }

    static byte getByte(final long address)
    {
        return ALL.get(I8, address);
    }

    static void putByte(final long address, final byte value)
    {
        ALL.set(I8, address, value);
    }

    static void copy(final long src, final long dst, final long bytes)
    {
        MemorySegment.copy(ALL, src, ALL, dst, bytes);
    }

    static void checkCount(final long count)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("negative element count: " + count);
        }
    }
}
