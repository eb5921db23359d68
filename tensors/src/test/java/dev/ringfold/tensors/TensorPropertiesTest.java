package dev.ringfold.tensors;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized properties across every dtype, odd and empty extents, and tensors at unaligned byte offsets of
 * their buffer. Each case is one seed (see {@link Seeds}); each runs in its own allocator, which must be back
 * to zero at the end ({@link LeakCheckingAllocator}).
 */
@ExtendWith(Seeds.Report.class)
class TensorPropertiesTest
{
    @RegisterExtension
    final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    static LongStream seeds()
    {
        return Seeds.seeds();
    }

    /** Every index of a shape in row-major order. */
    static List<long[]> indices(final long[] shape)
    {
        final List<long[]> out = new ArrayList<>();
        final long count = Shapes.count(shape);
        final long[] index = new long[shape.length];
        for (long i = 0; i < count; i++)
        {
            out.add(index.clone());
            for (int d = shape.length - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }
                index[d] = 0;
            }
        }
        return out;
    }

    static void set(final Tensor t, final double value, final long... index)
    {
        if (t.dtype().isFloatingPoint())
        {
            t.setDouble(value, index);
        }
        else
        {
            t.setLong((long)value, index);
        }
    }

    /** A tensor over an ArrowBuf of its own at an unaligned offset, with guard bytes before and after. */
    private static Tensor unaligned(final BufferAllocator allocator, final Gen gen, final DType dtype,
        final long[] shape)
    {
        final int offset = gen.offset();
        final long bytes = Shapes.count(shape) * dtype.bytes();
        try (ArrowBuf buf = allocator.buffer(offset + bytes + 8))
        {
            buf.setZero(0, buf.capacity());
            return Tensors.wrap(buf, offset, dtype, shape); // the tensor's reference outlives ours
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void elementsWrittenAreElementsRead(final long seed)
    {
        final Gen gen = new Gen(seed);
        final DType dtype = gen.dtype();
        final long[] shape = gen.shape();
        final double[] values = gen.values(dtype, Shapes.count(shape));
        try (Tensor t = unaligned(allocator, gen, dtype, shape))
        {
            final List<long[]> all = indices(shape);
            for (int i = 0; i < values.length; i++)
            {
                set(t, values[i], all.get(i));
            }
            for (int i = 0; i < values.length; i++)
            {
                assertEquals(values[i], t.getDouble(all.get(i)), () -> t + " at " + Arrays.toString(all.get(0)));
            }
            assertArrayEquals(values, t.toDoubleArray());
            if (dtype.isInteger())
            {
                assertArrayEquals(Arrays.stream(values).mapToLong(v -> (long)v).toArray(), t.toLongArray());
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void arraysRoundTrip(final long seed)
    {
        final Gen gen = new Gen(seed);
        final DType dtype = gen.dtype();
        final long[] shape = gen.shape();
        final double[] values = gen.values(dtype, Shapes.count(shape));
        try (Tensor t = fromValues(allocator, dtype, values, shape))
        {
            assertEquals(dtype, t.dtype());
            // a shape left out (or empty) means one dimension as long as the array
            assertArrayEquals(shape.length == 0 ? new long[] {values.length} : shape, t.shape());
            assertArrayEquals(values, t.toDoubleArray());
            switch (dtype)
            {
                case F32 -> assertArrayEquals(toFloats(values), t.toFloatArray());
                case I32 -> assertArrayEquals(Arrays.stream(values).mapToInt(v -> (int)v).toArray(), t.toIntArray());
                case I8 -> assertArrayEquals(toBytes(values), t.toByteArray());
                default ->
                {
                }
            }
        }
    }

    private static Tensor fromValues(final BufferAllocator allocator, final DType dtype, final double[] values,
        final long[] shape)
    {
        return switch (dtype)
        {
            case F32 -> Tensors.fromArray(allocator, toFloats(values), shape);
            case F64 -> Tensors.fromArray(allocator, values, shape);
            case BF16, F16 -> Tensors.fromFloats(allocator, dtype, toFloats(values), shape);
            case I32 -> Tensors.fromArray(allocator, Arrays.stream(values).mapToInt(v -> (int)v).toArray(), shape);
            case I64 -> Tensors.fromArray(allocator, Arrays.stream(values).mapToLong(v -> (long)v).toArray(), shape);
            case I8 -> Tensors.fromArray(allocator, toBytes(values), shape);
            case U8 -> Tensors.fromLongs(allocator, dtype, Arrays.stream(values).mapToLong(v -> (long)v).toArray(),
                shape);
        };
    }

    private static float[] toFloats(final double[] values)
    {
        final float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = (float)values[i];
        }
        return out;
    }

    private static byte[] toBytes(final double[] values)
    {
        final byte[] out = new byte[values.length];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = (byte)values[i];
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void slicesOfSlicesIndexTheParent(final long seed)
    {
        final Gen gen = new Gen(seed);
        final DType dtype = gen.dtype();
        final long[] shape = gen.nonEmptyShape();
        try (Tensor parent = unaligned(allocator, gen, dtype, shape))
        {
            final List<long[]> all = indices(shape);
            for (final long[] index : all)
            {
                set(parent, gen.value(dtype), index);
            }
            final int d1 = gen.random().nextInt(shape.length);
            final long from1 = gen.random().nextLong(shape[d1] + 1);
            final long to1 = from1 + gen.random().nextLong(shape[d1] - from1 + 1);
            try (Tensor first = parent.slice(d1, from1, to1))
            {
                final int d2 = gen.random().nextInt(shape.length);
                final long extent = first.shape(d2);
                final long from2 = gen.random().nextLong(extent + 1);
                final long to2 = from2 + gen.random().nextLong(extent - from2 + 1);
                try (Tensor second = first.slice(d2, from2, to2))
                {
                    final long[] offsets = new long[shape.length];
                    offsets[d1] += from1;
                    offsets[d2] += from2;
                    final List<long[]> inner = indices(second.shape());
                    final double[] expected = new double[inner.size()];
                    for (int i = 0; i < expected.length; i++)
                    {
                        final long[] outer = inner.get(i).clone();
                        for (int d = 0; d < outer.length; d++)
                        {
                            outer[d] += offsets[d];
                        }
                        expected[i] = parent.getDouble(outer);
                        assertEquals(expected[i], second.getDouble(inner.get(i)));
                    }
                    assertArrayEquals(expected, second.toDoubleArray());
                    assertEquals(Shapes.isContiguous(second.shape(), second.strides()), second.isContiguous());
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void copyFromAStridedViewWritesOnlyTheTarget(final long seed)
    {
        final Gen gen = new Gen(seed);
        final DType dtype = gen.dtype();
        final long[] shape = gen.nonEmptyShape();
        try (Tensor src = unaligned(allocator, gen, dtype, shape);
             Tensor dst = unaligned(allocator, gen, dtype, shape))
        {
            for (final long[] index : indices(shape))
            {
                set(src, gen.value(dtype), index);
                set(dst, gen.value(dtype), index);
            }
            final int dim = gen.random().nextInt(shape.length);
            final long from = gen.random().nextLong(shape[dim]);
            final long to = from + 1 + gen.random().nextLong(shape[dim] - from);
            final double[] before = dst.toDoubleArray();
            final byte[] guard = bytes(dst.arrowBuf());
            try (Tensor s = src.slice(dim, from, to); Tensor d = dst.slice(dim, from, to))
            {
                d.copyFrom(s);
                assertArrayEquals(s.toDoubleArray(), d.toDoubleArray());
            }
            final List<long[]> all = indices(shape);
            final double[] after = dst.toDoubleArray();
            for (int i = 0; i < all.size(); i++)
            {
                final long[] index = all.get(i);
                final boolean inside = index[dim] >= from && index[dim] < to;
                assertEquals(inside ? src.getDouble(index) : before[i], after[i]);
            }
            // bytes of the buffer before and after the tensor are untouched
            final byte[] now = bytes(dst.arrowBuf());
            final long start = dst.byteOffset();
            for (int i = 0; i < now.length; i++)
            {
                if (i < start || i >= start + dst.byteSize())
                {
                    assertEquals(guard[i], now[i], "guard byte " + i);
                }
            }
        }
    }

    private static byte[] bytes(final ArrowBuf buf)
    {
        final byte[] out = new byte[(int)buf.capacity()];
        buf.getBytes(0, out);
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void reshapeKeepsRowMajorOrderAndFlatViewsAgree(final long seed)
    {
        final Gen gen = new Gen(seed);
        final DType dtype = gen.dtype();
        final long[] shape = gen.shape();
        try (Tensor t = unaligned(allocator, gen, dtype, shape))
        {
            for (final long[] index : indices(shape))
            {
                set(t, gen.value(dtype), index);
            }
            final long count = t.elementCount();
            final long[] target = count == 0 ? new long[] {0, 3} : new long[] {-1, divisor(gen, count)};
            try (Tensor r = t.reshape(target); Tensor flat = r.reshape(count))
            {
                assertEquals(t.address(), r.address());
                assertArrayEquals(t.toDoubleArray(), r.toDoubleArray());
                assertArrayEquals(t.toDoubleArray(), flat.toDoubleArray());
                for (long i = 0; i < count; i++)
                {
                    assertEquals(t.toDoubleArray()[(int)i], flat.getDouble(i));
                }
            }
            final byte[] viaUnsafe = new byte[(int)t.byteSize()];
            t.unsafeBuffer().getBytes(0, viaUnsafe);
            final MemorySegment seg = t.segment();
            final ByteBuffer bb = t.byteBuffer();
            for (int i = 0; i < viaUnsafe.length; i++)
            {
                assertEquals(viaUnsafe[i], seg.get(JAVA_BYTE, i));
                assertEquals(viaUnsafe[i], bb.get(i));
                assertEquals(viaUnsafe[i], t.arrowBuf().getByte(t.byteOffset() + i));
            }
        }
    }

    private static long divisor(final Gen gen, final long count)
    {
        final List<Long> divisors = new ArrayList<>();
        for (long d = 1; d <= count; d++)
        {
            if (count % d == 0)
            {
                divisors.add(d);
            }
        }
        return divisors.get(gen.random().nextInt(divisors.size()));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void viewsHoldTheBytesUntilTheLastCloses(final long seed)
    {
        final Gen gen = new Gen(seed);
        final DType dtype = gen.dtype();
        final long[] shape = gen.nonEmptyShape();
        final Tensor parent = Tensors.zeros(allocator, dtype, shape);
        final List<Tensor> views = new ArrayList<>();
        for (int i = 0; i < 1 + gen.random().nextInt(4); i++)
        {
            final int dim = gen.random().nextInt(shape.length);
            views.add(gen.random().nextBoolean() ? parent.slice(dim, 0, shape[dim]) : parent.view());
        }
        final long used = allocator.getAllocatedMemory();
        parent.close();
        java.util.Collections.shuffle(views, gen.random());
        for (final Tensor v : views)
        {
            assertEquals(used, allocator.getAllocatedMemory());
            assertTrue(v.elementCount() > 0);
            v.close();
        }
        assertEquals(0, allocator.getAllocatedMemory());
    }
}
