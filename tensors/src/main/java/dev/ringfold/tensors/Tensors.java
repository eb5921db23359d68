package dev.ringfold.tensors;

import dev.ringfold.tensors.kernels.HalfFloats;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Making tensors: in an Arrow allocator, over an existing Arrow buffer, or from Java arrays. A shape left out of
 * the array factories means one dimension as long as the array. Arguments are checked before anything is
 * allocated, so a bad call leaves the allocator as it was.
 */
public final class Tensors
{
    private Tensors()
    {
    }

    /** A contiguous tensor whose bytes are whatever the allocator handed out (Arrow does not clear memory). */
    public static Tensor allocate(final BufferAllocator allocator, final DType dtype, final long... shape)
    {
        final long[] checked = Shapes.checked(dtype, shape, "allocate " + dtype + "[]");
        final long bytes = Shapes.count(checked) * dtype.bytes();
        checkAllocator(allocator, "allocate " + Shapes.format(dtype, checked));
        final ArrowBuf buffer = allocator.buffer(bytes);
        return new Tensor(allocator, buffer, 0, dtype, checked, Shapes.rowMajorStrides(checked), null);
    }

    /** A contiguous tensor of zeros (every dtype's zero is all bits clear). */
    public static Tensor zeros(final BufferAllocator allocator, final DType dtype, final long... shape)
    {
        final Tensor t = allocate(allocator, dtype, shape);
        t.segment().fill((byte)0);
        return t;
    }

    /**
     * A tensor over bytes of an existing Arrow buffer from {@code byteOffset} (any offset: elements need no
     * alignment), contiguous. It takes a reference of its own: closing the tensor and closing the buffer are
     * separate, and the bytes live until both are done.
     */
    public static Tensor wrap(final ArrowBuf buffer, final long byteOffset, final DType dtype, final long... shape)
    {
        if (buffer == null)
        {
            throw new NullPointerException("wrap: buffer is null");
        }
        final long[] checked = Shapes.checked(dtype, shape, "wrap " + dtype + "[]");
        final long bytes = Shapes.count(checked) * dtype.bytes();
        if (byteOffset < 0 || byteOffset > buffer.capacity() || bytes > buffer.capacity() - byteOffset)
        {
            throw new TensorIndexException("wrap " + Shapes.format(dtype, checked) + " at byte " + byteOffset +
                " of a " + buffer.capacity() + "-byte ArrowBuf: needs bytes [" + byteOffset + ", " +
                (byteOffset + bytes) + ")");
        }
        final ReferenceManager references = buffer.getReferenceManager();
        // Arrow's shared empty buffer has no allocator and ignores retain/release
        final BufferAllocator allocator = references == ReferenceManager.NO_OP ? null : references.getAllocator();
        if (allocator != null)
        {
            checkAllocator(allocator, "wrap " + Shapes.format(dtype, checked));
        }
        if (references != ReferenceManager.NO_OP && references.getRefCount() <= 0)
        {
            throw new TensorClosedException("wrap " + Shapes.format(dtype, checked) + ": the ArrowBuf is released");
        }
        references.retain();
        return new Tensor(allocator, buffer, byteOffset, dtype, checked, Shapes.rowMajorStrides(checked), null);
    }

    // ------------------------------------------------------------------------------------------- from arrays

    public static Tensor fromArray(final BufferAllocator allocator, final float[] data, final long... shape)
    {
        return copyOf(allocator, DType.F32, JAVA_FLOAT_UNALIGNED, data, data == null ? -1 : data.length, shape);
    }

    public static Tensor fromArray(final BufferAllocator allocator, final double[] data, final long... shape)
    {
        return copyOf(allocator, DType.F64, JAVA_DOUBLE_UNALIGNED, data, data == null ? -1 : data.length, shape);
    }

    public static Tensor fromArray(final BufferAllocator allocator, final int[] data, final long... shape)
    {
        return copyOf(allocator, DType.I32, JAVA_INT_UNALIGNED, data, data == null ? -1 : data.length, shape);
    }

    public static Tensor fromArray(final BufferAllocator allocator, final long[] data, final long... shape)
    {
        return copyOf(allocator, DType.I64, JAVA_LONG_UNALIGNED, data, data == null ? -1 : data.length, shape);
    }

    /** I8 elements. For U8 use {@link #fromLongs} or {@link #fromBytes}. */
    public static Tensor fromArray(final BufferAllocator allocator, final byte[] data, final long... shape)
    {
        return fromBytes(allocator, DType.I8, data, shape);
    }

    /** I8 or U8 elements from their bit patterns. */
    public static Tensor fromBytes(final BufferAllocator allocator, final DType dtype, final byte[] data,
        final long... shape)
    {
        if (dtype != DType.I8 && dtype != DType.U8)
        {
            throw new TensorDTypeException("fromBytes: expected dtype I8 or U8, given " + dtype);
        }
        return copyOf(allocator, dtype, JAVA_BYTE, data, data == null ? -1 : data.length, shape);
    }

    /** Any floating dtype from floats: F64 widens exactly, BF16 and F16 round to nearest even. */
    public static Tensor fromFloats(final BufferAllocator allocator, final DType dtype, final float[] data,
        final long... shape)
    {
        if (dtype == null || !dtype.isFloatingPoint())
        {
            throw new TensorDTypeException("fromFloats: expected a floating dtype (F32, F64, BF16, F16), given " +
                dtype);
        }
        if (dtype == DType.F32)
        {
            return fromArray(allocator, data, shape);
        }
        final Tensor t = allocate(allocator, dtype, shapeFor(dtype, data == null ? -1 : data.length, shape));
        final MemorySegment s = t.segment();
        for (int i = 0; i < data.length; i++)
        {
            switch (dtype)
            {
                case F64 -> s.setAtIndex(JAVA_DOUBLE_UNALIGNED, i, data[i]);
                case BF16 -> s.setAtIndex(JAVA_SHORT_UNALIGNED, i, HalfFloats.floatToBf16(data[i]));
                default -> s.setAtIndex(JAVA_SHORT_UNALIGNED, i, HalfFloats.floatToF16(data[i]));
            }
        }
        return t;
    }

    /** Any integer dtype from longs; every value must fit the dtype (checked before anything is allocated). */
    public static Tensor fromLongs(final BufferAllocator allocator, final DType dtype, final long[] data,
        final long... shape)
    {
        if (dtype == null || !dtype.isInteger())
        {
            throw new TensorDTypeException("fromLongs: expected an integer dtype (I8, U8, I32, I64), given " + dtype);
        }
        final long[] checked = shapeFor(dtype, data == null ? -1 : data.length, shape);
        for (int i = 0; i < data.length; i++)
        {
            if (!Elements.fits(dtype, data[i]))
            {
                throw new TensorDTypeException("fromLongs " + Shapes.format(dtype, checked) + ": element " + i +
                    " is " + data[i] + ", outside " + dtype + " [" + Elements.minValue(dtype) + ", " +
                    Elements.maxValue(dtype) + "]");
            }
        }
        final Tensor t = allocate(allocator, dtype, checked);
        final MemorySegment s = t.segment();
        for (int i = 0; i < data.length; i++)
        {
            Elements.putLong(s, (long)i * dtype.bytes(), dtype, data[i]);
        }
        return t;
    }

    /** A tensor holding a copy of a Java array whose elements are the dtype's as they are (layout's carrier). */
    private static Tensor copyOf(final BufferAllocator allocator, final DType dtype, final ValueLayout layout,
        final Object data, final int length, final long[] shape)
    {
        final Tensor t = allocate(allocator, dtype, shapeFor(dtype, length, shape));
        MemorySegment.copy(data, 0, t.segment(), layout, 0, length);
        return t;
    }

    // ------------------------------------------------------------------------------------------------ checks

    private static long[] shapeFor(final DType dtype, final int length, final long[] shape)
    {
        if (length < 0)
        {
            throw new NullPointerException("make a " + dtype + " tensor: the array is null");
        }
        if (shape == null || shape.length == 0)
        {
            return new long[] {length};
        }
        final long[] checked = Shapes.checked(dtype, shape, "make a " + dtype + " tensor");
        if (Shapes.count(checked) != length)
        {
            throw new TensorShapeException("make a " + Shapes.format(dtype, checked) + " tensor from an array: " +
                "expected " + Shapes.count(checked) + " elements, given " + length);
        }
        return checked;
    }

    static void checkAllocator(final BufferAllocator allocator, final String what)
    {
        if (allocator == null)
        {
            throw new NullPointerException(what + ": allocator is null");
        }
        if (AllocatorState.isClosed(allocator))
        {
            throw new TensorClosedException(what + ": allocator '" + allocator.getName() + "' is closed");
        }
    }
}
