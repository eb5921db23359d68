package dev.ringfold.tensors;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest
{
    @RegisterExtension
    final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    @Test
    void metadataOfAFreshTensor()
    {
        try (Tensor t = Tensors.zeros(allocator, DType.F32, 3, 4).name("w"))
        {
            assertEquals(DType.F32, t.dtype());
            assertEquals(2, t.rank());
            assertArrayEquals(new long[] {3, 4}, t.shape());
            assertArrayEquals(new long[] {4, 1}, t.strides());
            assertEquals(12, t.elementCount());
            assertEquals(48, t.byteSize());
            assertTrue(t.isContiguous());
            assertEquals("tensor 'w' F32[3,4]", t.describe());
            assertEquals(0.0, t.getDouble(2, 3));
            assertTrue(allocator.getAllocatedMemory() >= 48);
        }
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void flatViewsShareTheBytes()
    {
        try (Tensor t = Tensors.fromArray(allocator, new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
        {
            final UnsafeBuffer ub = t.unsafeBuffer();
            final MemorySegment seg = t.segment();
            final ByteBuffer bb = t.byteBuffer();
            assertEquals(t.address(), ub.addressOffset());
            assertEquals(t.address(), seg.address());
            assertEquals(24, ub.capacity());
            assertEquals(24, seg.byteSize());
            assertEquals(24, bb.capacity());
            assertTrue(bb.isDirect());

            ub.putFloat(4, 42f); // element [0,1]
            assertEquals(42f, t.getFloat(0, 1));
            assertEquals(42f, seg.get(JAVA_FLOAT_UNALIGNED, 4));
            assertEquals(42f, bb.getFloat(4));
            bb.putFloat(20, -7f); // element [1,2]
            assertEquals(-7f, t.getFloat(1, 2));
            assertEquals(t.address(), t.arrowBuf().memoryAddress() + t.byteOffset());

            final UnsafeBuffer reused = new UnsafeBuffer(new byte[1]);
            assertSame(reused, t.unsafeBuffer(reused));
            assertEquals(42f, reused.getFloat(4));
        }
    }

    @Test
    void slicesAndReshapesAreViewsWithTheirOwnReference()
    {
        final Tensor t = Tensors.fromArray(allocator, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
        final Tensor rows = t.slice(0, 1, 3);
        final Tensor cols = t.slice(1, 1, 3);
        final Tensor flat = t.reshape(-1);
        final long base = t.address();
        t.close(); // the views keep the bytes alive
        assertTrue(allocator.getAllocatedMemory() > 0);

        assertArrayEquals(new long[] {2, 4}, rows.shape());
        assertTrue(rows.isContiguous());
        assertArrayEquals(new int[] {4, 5, 6, 7, 8, 9, 10, 11}, rows.toIntArray());
        assertEquals(base + 16, rows.address());

        assertArrayEquals(new long[] {3, 2}, cols.shape());
        assertFalse(cols.isContiguous());
        assertArrayEquals(new int[] {1, 2, 5, 6, 9, 10}, cols.toIntArray());

        cols.setLong(-1, 2, 1); // element [2,2] of the parent
        assertEquals(-1, flat.getLong(10));
        assertEquals(-1, rows.getLong(1, 2));

        try (Tensor again = rows.reshape(4, 2))
        {
            assertEquals(-1, again.getLong(3, 0));
        }
        rows.close();
        cols.close();
        assertTrue(allocator.getAllocatedMemory() > 0);
        flat.close();
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void stridedViewsRefuseFlatViewsAndReshape()
    {
        try (Tensor t = Tensors.zeros(allocator, DType.F64, 4, 4).name("g");
             Tensor cols = t.slice(1, 0, 2))
        {
            final TensorNotContiguousException e =
                assertThrows(TensorNotContiguousException.class, cols::unsafeBuffer);
            assertTrue(e.getMessage().contains("tensor 'g' F64[4,2]"), e.getMessage());
            assertThrows(TensorNotContiguousException.class, cols::segment);
            assertThrows(TensorNotContiguousException.class, cols::byteBuffer);
            assertThrows(TensorNotContiguousException.class, () -> cols.reshape(8));
            try (Tensor dense = cols.copy())
            {
                assertTrue(dense.isContiguous());
                assertEquals(64, dense.unsafeBuffer().capacity());
                assertEquals("g", dense.name());
            }
        }
    }

    @Test
    void copyFromAndFill()
    {
        try (Tensor a = Tensors.zeros(allocator, DType.I64, 2, 3);
             Tensor b = Tensors.fromArray(allocator, new long[] {1, 2, 3, 4, 5, 6}, 2, 3))
        {
            a.copyFrom(b);
            assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, a.toLongArray());
            try (Tensor col = a.slice(1, 2, 3))
            {
                col.fill(9L);
            }
            assertArrayEquals(new long[] {1, 2, 9, 4, 5, 9}, a.toLongArray());
            try (Tensor left = a.slice(1, 0, 2); Tensor right = b.slice(1, 1, 3))
            {
                left.copyFrom(right); // strided to strided
            }
            assertArrayEquals(new long[] {2, 3, 9, 5, 6, 9}, a.toLongArray());
        }
    }

    @Test
    void halfPrecisionTensorsRoundToNearestEven()
    {
        final float[] data = {1f, 1.00390625f, 1.01171875f, 65504f, 1e-8f, Float.NaN, Float.NEGATIVE_INFINITY};
        try (Tensor bf = Tensors.fromFloats(allocator, DType.BF16, data);
             Tensor h = Tensors.fromFloats(allocator, DType.F16, data))
        {
            final float[] b = bf.toFloatArray();
            assertEquals(1f, b[0]);
            assertEquals(1f, b[1]);          // halfway between 1 and 1+2^-7: ties to even (1)
            assertEquals(1.015625f, b[2]);   // halfway between 1+2^-7 and 1+2^-6: ties to even (1+2^-6)
            assertTrue(Float.isNaN(b[5]));
            assertEquals(Float.NEGATIVE_INFINITY, b[6]);
            final float[] f = h.toFloatArray();
            assertEquals(65504f, f[3]);
            assertEquals(0f, f[4]);
            assertTrue(Float.isNaN(f[5]));
            assertEquals(2, bf.dtype().bytes());
            assertEquals(14, bf.byteSize());
        }
    }

    @Test
    void unsignedAndByteTensors()
    {
        try (Tensor u = Tensors.fromLongs(allocator, DType.U8, new long[] {0, 128, 255});
             Tensor i = Tensors.fromArray(allocator, new byte[] {-128, 0, 127}))
        {
            assertArrayEquals(new int[] {0, 128, 255}, u.toIntArray());
            assertArrayEquals(new byte[] {0, (byte)128, (byte)255}, u.toByteArray());
            assertEquals(DType.I8, i.dtype());
            assertArrayEquals(new long[] {-128, 0, 127}, i.toLongArray());
            assertEquals(255.0, u.getDouble(2));
        }
    }

    @Test
    void wrapAnArrowBufAtAnUnalignedOffset()
    {
        try (ArrowBuf buf = allocator.buffer(64))
        {
            buf.setZero(0, 64);
            try (Tensor t = Tensors.wrap(buf, 3, DType.F64, 2, 3))
            {
                t.setDouble(2.5, 1, 2);
                assertEquals(2.5, buf.getDouble(3 + 5 * 8));
                assertEquals(2, buf.getReferenceManager().getRefCount());
            }
            assertEquals(1, buf.getReferenceManager().getRefCount());
            final TensorIndexException e =
                assertThrows(TensorIndexException.class, () -> Tensors.wrap(buf, 20, DType.F64, 6));
            assertTrue(e.getMessage().contains("needs bytes [20, 68)"), e.getMessage());
        }
    }

    @Test
    void scalarsAndEmptyTensors()
    {
        try (Tensor s = Tensors.zeros(allocator, DType.F32);
             Tensor e = Tensors.zeros(allocator, DType.F32, 0, 5))
        {
            assertEquals(0, s.rank());
            assertEquals(1, s.elementCount());
            s.setDouble(3.5);
            assertEquals(3.5, s.getDouble());
            assertEquals(0, e.elementCount());
            assertEquals(0, e.byteSize());
            assertEquals(0, e.toFloatArray().length);
            assertEquals(0, e.unsafeBuffer().capacity());
            try (Tensor r = e.reshape(5, 0, 3))
            {
                assertEquals(0, r.elementCount());
            }
        }
    }
}
