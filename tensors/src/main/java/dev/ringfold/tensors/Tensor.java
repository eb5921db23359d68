package dev.ringfold.tensors;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A dense tensor: a dtype, a shape and row-major element strides over bytes in an Arrow {@link ArrowBuf}, from a
 * byte offset. The buffer's allocator accounts for the memory, enforces its limits and reports a tensor that was
 * never closed when the allocator closes.
 * <p>
 * Every {@code Tensor} object holds one Arrow reference to its buffer. Views ({@link #slice}, {@link #reshape},
 * {@link #view()}) share the bytes and take a reference of their own, so each view is closed on its own and the
 * memory goes back when the last of them closes. Flat views ({@link #unsafeBuffer()}, {@link #segment()},
 * {@link #byteBuffer()}) copy nothing and are valid only while this tensor is open.
 * <p>
 * Not thread-safe for close: several threads may read and write elements, one closes. Elements are in native
 * byte order, which is little-endian, as Arrow's.
 */
public final class Tensor implements AutoCloseable
{
    private final BufferAllocator allocator;
    private final ArrowBuf buffer;
    private final long byteOffset;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long elementCount;
    private final boolean contiguous;
    private final MemorySegment span;
    private final SharedFile shared;
    private String name;
    private boolean closed;

    /**
     * Takes over one reference to {@code buffer} that the caller holds. Shape and strides are trusted: the
     * factories have checked them, and that every element lies inside the buffer.
     */
    Tensor(final BufferAllocator allocator, final ArrowBuf buffer, final long byteOffset, final DType dtype,
        final long[] shape, final long[] strides, final String name)
    {
        this(allocator, buffer, byteOffset, dtype, shape, strides, name, null);
    }

    /** As above, over a node-shared file's mapping (the buffer is that whole file). */
    @SuppressWarnings("restricted") // reinterpret: the JVM flags grant native access (--enable-native-access)
    Tensor(final BufferAllocator allocator, final ArrowBuf buffer, final long byteOffset, final DType dtype,
        final long[] shape, final long[] strides, final String name, final SharedFile shared)
    {
        this.allocator = allocator;
        this.buffer = buffer;
        this.byteOffset = byteOffset;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.elementCount = Shapes.count(shape);
        this.contiguous = Shapes.isContiguous(shape, strides);
        // a view of raw memory whose lifetime Arrow manages, not the segment API: checkOpen() guards its use
        this.span = MemorySegment.ofAddress(buffer.memoryAddress() + byteOffset).reinterpret(spanBytes(shape, strides, dtype.bytes()));
        this.name = name;
        this.shared = shared;
    }

    /** Bytes from the first element to the end of the last one: where a strided view reaches. */
    static long spanBytes(final long[] shape, final long[] strides, final int elementBytes)
    {
        long last = 0;
        for (int d = 0; d < shape.length; d++)
        {
            if (shape[d] == 0)
            {
                return 0;
            }
            last += (shape[d] - 1) * strides[d];
        }
        return (last + 1) * elementBytes;
    }

    // ------------------------------------------------------------------------------------------------ metadata

    public DType dtype()
    {
        return dtype;
    }

    public int rank()
    {
        return shape.length;
    }

    public long[] shape()
    {
        return shape.clone();
    }

    public long shape(final int dim)
    {
        checkDim(dim, "shape");
        return shape[dim];
    }

    /** Strides in elements, row-major for a freshly made tensor; a slice keeps its parent's. */
    public long[] strides()
    {
        return strides.clone();
    }

    public long elementCount()
    {
        return elementCount;
    }

    /** elementCount() times the dtype's width: the bytes of a contiguous tensor, or of a copy of a strided one. */
    public long byteSize()
    {
        return elementCount * dtype.bytes();
    }

    /** Row-major dense: the elements are one run of {@link #byteSize()} bytes from {@link #address()}. */
    public boolean isContiguous()
    {
        return contiguous;
    }

    /** The name given at creation or with {@link #name(String)}; null if none. Messages and checkpoints use it. */
    public String name()
    {
        return name;
    }

    public Tensor name(final String name)
    {
        this.name = name;
        return this;
    }

    /** How messages name it: {@code tensor 'w' F32[3,4]}, or {@code tensor F32[3,4]} without a name. */
    public String describe()
    {
        return Shapes.describe(name, dtype, shape);
    }

    public BufferAllocator allocator()
    {
        return allocator;
    }

    /** The Arrow buffer the elements live in (not retained: valid while this tensor is open). */
    public ArrowBuf arrowBuf()
    {
        checkOpen("arrowBuf");
        return buffer;
    }

    /** Where element [0,...,0] is in {@link #arrowBuf()}. */
    public long byteOffset()
    {
        return byteOffset;
    }

    public boolean isClosed()
    {
        return closed;
    }

    /** Whether the bytes live in a node-shared file that node peers can map ({@link NodeSharedAllocator}). */
    public boolean isNodeShared()
    {
        return shared != null;
    }

    SharedFile sharedFile()
    {
        return shared;
    }

    // -------------------------------------------------------------------------------------- zero-copy views

    /** The address of element [0,...,0]. */
    public long address()
    {
        checkOpen("address");
        return buffer.memoryAddress() + byteOffset;
    }

    /** An Agrona buffer over the elements, no copy. Contiguous tensors below 2 GiB (an UnsafeBuffer's limit). */
    public UnsafeBuffer unsafeBuffer()
    {
        return unsafeBuffer(new UnsafeBuffer(0, 0));
    }

    /** Points {@code into} at the elements and returns it: the allocation-free form for hot loops. */
    public UnsafeBuffer unsafeBuffer(final UnsafeBuffer into)
    {
        checkFlat("unsafeBuffer");
        if (byteSize() > Integer.MAX_VALUE)
        {
            throw new IllegalStateException(describe() + " is " + byteSize() + " bytes; an Agrona UnsafeBuffer " +
                "holds at most " + Integer.MAX_VALUE + ": use segment(), or slice it below 2 GiB");
        }
        into.wrap(buffer.memoryAddress() + byteOffset, (int)byteSize());
        return into;
    }

    /** A memory segment over the elements, no copy, any size. Contiguous tensors only. */
    public MemorySegment segment()
    {
        checkFlat("segment");
        return span;
    }

    /** A direct ByteBuffer over the elements in native order, no copy. Contiguous tensors below 2 GiB. */
    public ByteBuffer byteBuffer()
    {
        checkFlat("byteBuffer");
        if (byteSize() > Integer.MAX_VALUE)
        {
            throw new IllegalStateException(describe() + " is " + byteSize() + " bytes; a ByteBuffer holds at most " +
                Integer.MAX_VALUE + ": use segment()");
        }
        return span.asByteBuffer().order(ByteOrder.nativeOrder());
    }

    // --------------------------------------------------------------------------------- views sharing the bytes

    /** Another tensor object over the same bytes, with its own reference: close each. */
    public Tensor view()
    {
        checkOpen("view");
        return derive(byteOffset, shape, strides, name);
    }

    /**
     * Elements {@code [from, to)} of dimension {@code dim}, sharing the bytes. A slice of dimension 0 of a
     * contiguous tensor is contiguous; a slice of an inner dimension is strided.
     */
    public Tensor slice(final int dim, final long from, final long to)
    {
        checkOpen("slice");
        checkDim(dim, "slice");
        if (from < 0 || to < from || to > shape[dim])
        {
            throw new TensorIndexException("slice [" + from + ", " + to + ") of dimension " + dim + " of " +
                describe() + ": the range must lie within [0, " + shape[dim] + "]");
        }
        final long[] newShape = shape.clone();
        newShape[dim] = to - from;
        // an empty slice keeps the parent's offset, so it never points past the buffer
        final long newOffset = from == to ? byteOffset : byteOffset + from * strides[dim] * dtype.bytes();
        return derive(newOffset, newShape, strides, name);
    }

    /** The same elements in another shape, sharing the bytes; one extent may be -1 (inferred). Contiguous only. */
    public Tensor reshape(final long... newShape)
    {
        checkOpen("reshape");
        final long[] resolved = Shapes.resolveReshape(describe(), elementCount, newShape);
        if (!contiguous)
        {
            throw new TensorNotContiguousException("cannot reshape " + describe() + " to " +
                Shapes.format(resolved) + " without a copy: it is strided (strides " + Arrays.toString(strides) +
                "); reshape copy() instead");
        }
        return derive(byteOffset, resolved, Shapes.rowMajorStrides(resolved), name);
    }

    private Tensor derive(final long offset, final long[] newShape, final long[] newStrides, final String newName)
    {
        buffer.getReferenceManager().retain();
        return new Tensor(allocator, buffer, offset, dtype, newShape, newStrides, newName, shared);
    }

    // ----------------------------------------------------------------------------------------------- copies

    /** A contiguous copy in the same allocator, with the same name. */
    public Tensor copy()
    {
        return copy(allocator);
    }

    /** A contiguous copy in another allocator, with the same name. */
    public Tensor copy(final BufferAllocator target)
    {
        checkOpen("copy");
        final Tensor copy = Tensors.allocate(target, dtype, shape).name(name);
        try
        {
            return copy.copyFrom(this);
        }
        catch (final RuntimeException ex)
        {
            copy.close();
            throw ex;
        }
    }

    /**
     * Copies {@code source}'s elements into this tensor: same dtype, same shape. Two dense tensors copy as one
     * memmove (overlap is safe); otherwise element by element in row-major order, so strided views of one buffer
     * that overlap may see elements already overwritten. On a mismatch nothing is written.
     */
    public Tensor copyFrom(final Tensor source)
    {
        checkOpen("copyFrom");
        if (source == null)
        {
            throw new NullPointerException("copyFrom into " + describe() + ": source is null");
        }
        source.checkOpen("copyFrom (as the source)");
        if (source.dtype != dtype)
        {
            throw new TensorDTypeException("copy into " + describe() + " from " + source.describe() +
                ": expected dtype " + dtype + ", given " + source.dtype);
        }
        if (!Arrays.equals(source.shape, shape))
        {
            throw new TensorShapeException("copy into " + describe() + " from " + source.describe() +
                ": expected shape " + Shapes.format(shape) + ", given " + Shapes.format(source.shape));
        }
        if (contiguous && source.contiguous)
        {
            MemorySegment.copy(source.span, 0, span, 0, byteSize());
            return this;
        }
        final int width = dtype.bytes();
        final OffsetWalk to = new OffsetWalk(shape, strides, width);
        final OffsetWalk from = new OffsetWalk(source.shape, source.strides, width);
        while (to.hasNext())
        {
            MemorySegment.copy(source.span, from.next(), span, to.next(), width);
        }
        return this;
    }

    /** Sets every element; floating dtypes only (BF16 and F16 round to nearest even). */
    public Tensor fill(final double value)
    {
        checkOpen("fill");
        requireFloating("fill(double)");
        final OffsetWalk walk = new OffsetWalk(shape, strides, dtype.bytes());
        while (walk.hasNext())
        {
            Elements.putDouble(span, walk.next(), dtype, value);
        }
        return this;
    }

    /** Sets every element; integer dtypes need the value in range, floating ones take it as a double. */
    public Tensor fill(final long value)
    {
        checkOpen("fill");
        if (dtype.isFloatingPoint())
        {
            return fill((double)value);
        }
        checkRange(value, "fill");
        final OffsetWalk walk = new OffsetWalk(shape, strides, dtype.bytes());
        while (walk.hasNext())
        {
            Elements.putLong(span, walk.next(), dtype, value);
        }
        return this;
    }

    // ------------------------------------------------------------------------------------ element accessors

    /** Any dtype, as a double (I64 beyond 2^53 rounds). For tests and small use: each call checks its index. */
    public double getDouble(final long... index)
    {
        checkOpen("getDouble");
        return Elements.getDouble(span, offsetOf(index), dtype);
    }

    /** Any dtype, as a float. */
    public float getFloat(final long... index)
    {
        return (float)getDouble(index);
    }

    /** Integer dtypes, exactly (U8 as 0..255). */
    public long getLong(final long... index)
    {
        checkOpen("getLong");
        requireInteger("getLong");
        return Elements.getLong(span, offsetOf(index), dtype);
    }

    /** Floating dtypes only; BF16 and F16 round to nearest even. */
    public Tensor setDouble(final double value, final long... index)
    {
        checkOpen("setDouble");
        requireFloating("setDouble");
        Elements.putDouble(span, offsetOf(index), dtype, value);
        return this;
    }

    /** Integer dtypes need the value in range; floating ones take it as a double. */
    public Tensor setLong(final long value, final long... index)
    {
        checkOpen("setLong");
        final long offset = offsetOf(index);
        if (dtype.isFloatingPoint())
        {
            Elements.putDouble(span, offset, dtype, value);
        }
        else
        {
            checkRange(value, "setLong");
            Elements.putLong(span, offset, dtype, value);
        }
        return this;
    }

    // -------------------------------------------------------------------------------------- to Java arrays

    /** The elements in row-major order, each converted as a cast to float would. Any dtype. */
    public float[] toFloatArray()
    {
        checkOpen("toFloatArray");
        final float[] out = new float[arrayLength("toFloatArray")];
        if (!copiedAsIs(DType.F32, JAVA_FLOAT_UNALIGNED, out, out.length))
        {
            final OffsetWalk walk = new OffsetWalk(shape, strides, dtype.bytes());
            for (int i = 0; i < out.length; i++)
            {
                out[i] = (float)Elements.getDouble(span, walk.next(), dtype);
            }
        }
        return out;
    }

    /** The elements in row-major order as doubles. Any dtype. */
    public double[] toDoubleArray()
    {
        checkOpen("toDoubleArray");
        final double[] out = new double[arrayLength("toDoubleArray")];
        if (!copiedAsIs(DType.F64, JAVA_DOUBLE_UNALIGNED, out, out.length))
        {
            final OffsetWalk walk = new OffsetWalk(shape, strides, dtype.bytes());
            for (int i = 0; i < out.length; i++)
            {
                out[i] = Elements.getDouble(span, walk.next(), dtype);
            }
        }
        return out;
    }

    /** I8, U8 (0..255) and I32 elements, exactly. */
    public int[] toIntArray()
    {
        checkOpen("toIntArray");
        if (dtype != DType.I32 && dtype != DType.I8 && dtype != DType.U8)
        {
            throw new TensorDTypeException("toIntArray of " + describe() + ": expected I8, U8 or I32, given " +
                dtype + (dtype == DType.I64 ? " (use toLongArray)" : " (use toFloatArray or toDoubleArray)"));
        }
        final int[] out = new int[arrayLength("toIntArray")];
        if (!copiedAsIs(DType.I32, JAVA_INT_UNALIGNED, out, out.length))
        {
            final OffsetWalk walk = new OffsetWalk(shape, strides, dtype.bytes());
            for (int i = 0; i < out.length; i++)
            {
                out[i] = (int)Elements.getLong(span, walk.next(), dtype);
            }
        }
        return out;
    }

    /** Integer elements, exactly. */
    public long[] toLongArray()
    {
        checkOpen("toLongArray");
        requireInteger("toLongArray");
        final long[] out = new long[arrayLength("toLongArray")];
        if (!copiedAsIs(DType.I64, JAVA_LONG_UNALIGNED, out, out.length))
        {
            final OffsetWalk walk = new OffsetWalk(shape, strides, dtype.bytes());
            for (int i = 0; i < out.length; i++)
            {
                out[i] = Elements.getLong(span, walk.next(), dtype);
            }
        }
        return out;
    }

    /** I8 elements, or U8 elements as their bit patterns. */
    public byte[] toByteArray()
    {
        checkOpen("toByteArray");
        if (dtype != DType.I8 && dtype != DType.U8)
        {
            throw new TensorDTypeException("toByteArray of " + describe() + ": expected I8 or U8, given " + dtype);
        }
        final byte[] out = new byte[arrayLength("toByteArray")];
        if (!copiedAsIs(dtype, JAVA_BYTE, out, out.length))
        {
            final OffsetWalk walk = new OffsetWalk(shape, strides, 1);
            for (int i = 0; i < out.length; i++)
            {
                out[i] = span.get(JAVA_BYTE, walk.next());
            }
        }
        return out;
    }

    /**
     * A contiguous tensor of dtype asIs: its elements copied into out (a Java array of layout's carrier) in one
     * go, and true. Otherwise false, and the caller converts element by element.
     */
    private boolean copiedAsIs(final DType asIs, final ValueLayout layout, final Object out, final int length)
    {
        if (dtype != asIs || !contiguous)
        {
            return false;
        }
        MemorySegment.copy(span, layout, 0, out, 0, length);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ close

    /**
     * Gives back this object's reference; the bytes go when the last view is closed. Idempotent. A tensor whose
     * allocator was closed first stays leaked: Arrow has reported it, and its books for that allocator are
     * final (it refuses the release when assertions are on and frees the bytes when they are off; this way
     * both behave alike).
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (!AllocatorState.isClosed(allocator))
            {
                buffer.getReferenceManager().release();
            }
        }
    }

    @Override
    public String toString()
    {
        return describe() + (closed ? " (closed)" : "");
    }

    // ------------------------------------------------------------------------------------------------ checks

    void checkOpen(final String operation)
    {
        if (closed)
        {
            throw new TensorClosedException(operation + " on " + describe() + ": the tensor is closed");
        }
        if (AllocatorState.isClosed(allocator))
        {
            throw new TensorClosedException(operation + " on " + describe() + ": its allocator '" +
                allocator.getName() + "' is closed (the tensor leaked: it was not closed before its allocator)");
        }
    }

    private void checkFlat(final String operation)
    {
        checkOpen(operation);
        if (!contiguous)
        {
            throw new TensorNotContiguousException(operation + " of " + describe() + ": the tensor is strided " +
                "(strides " + Arrays.toString(strides) + "), a flat view would show bytes that are not its " +
                "elements; use copy()");
        }
    }

    private void checkDim(final int dim, final String operation)
    {
        if (dim < 0 || dim >= shape.length)
        {
            throw new TensorIndexException(operation + " of " + describe() + ": dimension " + dim +
                " is outside [0, " + shape.length + ")");
        }
    }

    private long offsetOf(final long[] index)
    {
        if (index == null || index.length != shape.length)
        {
            throw new TensorIndexException("index " + (index == null ? "null" : Arrays.toString(index)) + " into " +
                describe() + ": expected " + shape.length + " coordinates, given " +
                (index == null ? 0 : index.length));
        }
        long offset = 0;
        for (int d = 0; d < index.length; d++)
        {
            if (index[d] < 0 || index[d] >= shape[d])
            {
                throw new TensorIndexException("index " + Arrays.toString(index) + " into " + describe() +
                    ": coordinate " + d + " must lie in [0, " + shape[d] + ")");
            }
            offset += index[d] * strides[d];
        }
        return offset * dtype.bytes();
    }

    private void requireFloating(final String operation)
    {
        if (!dtype.isFloatingPoint())
        {
            throw new TensorDTypeException(operation + " on " + describe() + ": expected a floating dtype, given " +
                dtype + " (use the long form)");
        }
    }

    private void requireInteger(final String operation)
    {
        if (!dtype.isInteger())
        {
            throw new TensorDTypeException(operation + " on " + describe() + ": expected an integer dtype, given " +
                dtype + " (use the double form)");
        }
    }

    private void checkRange(final long value, final String operation)
    {
        if (!Elements.fits(dtype, value))
        {
            throw new TensorDTypeException(operation + " on " + describe() + ": value " + value + " does not fit " +
                dtype + " [" + Elements.minValue(dtype) + ", " + Elements.maxValue(dtype) + "]");
        }
    }

    private int arrayLength(final String operation)
    {
        if (elementCount > Integer.MAX_VALUE - 8)
        {
            throw new TensorShapeException(operation + " of " + describe() + ": " + elementCount +
                " elements do not fit a Java array; slice it first");
        }
        return (int)elementCount;
    }
}
