package dev.ringfold.tensors;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every misuse is a specific exception that names the tensor, expected and given, and nothing is written. */
class BadInputTest
{
    @RegisterExtension
    final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    private static void mentions(final Exception e, final String... fragments)
    {
        for (final String f : fragments)
        {
            assertTrue(e.getMessage().contains(f), () -> "'" + f + "' not in: " + e.getMessage());
        }
    }

    @Test
    void shapeMismatchInCopyWritesNothing()
    {
        try (Tensor dst = Tensors.fromArray(allocator, new float[] {1, 2, 3, 4, 5, 6}, 2, 3).name("dst");
             Tensor src = Tensors.zeros(allocator, DType.F32, 3, 2).name("src"))
        {
            final TensorShapeException e = assertThrows(TensorShapeException.class, () -> dst.copyFrom(src));
            mentions(e, "tensor 'dst' F32[2,3]", "tensor 'src' F32[3,2]", "expected shape [2,3], given [3,2]");
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, dst.toFloatArray());
        }
    }

    @Test
    void dtypeMismatchInCopyWritesNothing()
    {
        try (Tensor dst = Tensors.fromArray(allocator, new float[] {1, 2}).name("dst");
             Tensor src = Tensors.zeros(allocator, DType.F64, 2))
        {
            final TensorDTypeException e = assertThrows(TensorDTypeException.class, () -> dst.copyFrom(src));
            mentions(e, "tensor 'dst' F32[2]", "tensor F64[2]", "expected dtype F32, given F64");
            assertArrayEquals(new float[] {1, 2}, dst.toFloatArray());
        }
    }

    @Test
    void arrayLengthMismatchAllocatesNothing()
    {
        final TensorShapeException e = assertThrows(TensorShapeException.class,
            () -> Tensors.fromArray(allocator, new double[5], 2, 3));
        mentions(e, "F64[2,3]", "expected 6 elements, given 5");
        assertEquals(0, allocator.getAllocatedMemory());
        final TensorDTypeException range = assertThrows(TensorDTypeException.class,
            () -> Tensors.fromLongs(allocator, DType.U8, new long[] {1, 256, 3}));
        mentions(range, "element 1 is 256", "U8 [0, 255]");
        assertEquals(0, allocator.getAllocatedMemory());
        assertThrows(TensorShapeException.class, () -> Tensors.allocate(allocator, DType.I32, 2, -1));
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void outOfRangeSlicesAndIndices()
    {
        try (Tensor t = Tensors.zeros(allocator, DType.I32, 3, 4).name("m"))
        {
            mentions(assertThrows(TensorIndexException.class, () -> t.slice(1, 2, 5)),
                "slice [2, 5) of dimension 1 of tensor 'm' I32[3,4]", "[0, 4]");
            mentions(assertThrows(TensorIndexException.class, () -> t.slice(0, 2, 1)), "slice [2, 1)");
            mentions(assertThrows(TensorIndexException.class, () -> t.slice(2, 0, 1)),
                "dimension 2 is outside [0, 2)");
            mentions(assertThrows(TensorIndexException.class, () -> t.setLong(5, 3, 0)),
                "index [3, 0] into tensor 'm' I32[3,4]", "coordinate 0 must lie in [0, 3)");
            mentions(assertThrows(TensorIndexException.class, () -> t.getLong(1)),
                "expected 2 coordinates, given 1");
            mentions(assertThrows(TensorShapeException.class, () -> t.reshape(5, 3)),
                "tensor 'm' I32[3,4] (12 elements)", "[5,3] (15 elements)");
            mentions(assertThrows(TensorShapeException.class, () -> t.reshape(-1, 5)), "no extent for -1");
            mentions(assertThrows(TensorDTypeException.class, () -> t.setLong(1L << 40, 0, 0)),
                "does not fit I32");
            mentions(assertThrows(TensorDTypeException.class, () -> t.fill(0.5)), "expected a floating dtype");
            mentions(assertThrows(TensorDTypeException.class, t::toByteArray), "expected I8 or U8, given I32");
            assertArrayEquals(new int[12], t.toIntArray());
        }
    }

    @Test
    void useAfterClose()
    {
        final Tensor t = Tensors.zeros(allocator, DType.F32, 2).name("gone");
        t.close();
        t.close(); // idempotent
        assertEquals(0, allocator.getAllocatedMemory());
        mentions(assertThrows(TensorClosedException.class, t::unsafeBuffer), "unsafeBuffer on tensor 'gone' F32[2]",
            "closed");
        assertThrows(TensorClosedException.class, t::segment);
        assertThrows(TensorClosedException.class, () -> t.getDouble(0));
        assertThrows(TensorClosedException.class, () -> t.setDouble(1, 0));
        assertThrows(TensorClosedException.class, () -> t.slice(0, 0, 1));
        assertThrows(TensorClosedException.class, t::view);
        assertThrows(TensorClosedException.class, t::toFloatArray);
        try (Tensor live = Tensors.zeros(allocator, DType.F32, 2))
        {
            mentions(assertThrows(TensorClosedException.class, () -> live.copyFrom(t)), "as the source");
        }
    }

    @Test
    void tensorFromAClosedAllocator()
    {
        final BufferAllocator root = new RootAllocator();
        final BufferAllocator child = root.newChildAllocator("layer1", 0, Long.MAX_VALUE);
        final Tensor t = Tensors.zeros(child, DType.F32, 4).name("act");
        // Arrow reports the leak: the tensor was still open
        mentions(assertThrows(IllegalStateException.class, child::close), "Memory was leaked", "layer1");
        mentions(assertThrows(TensorClosedException.class, () -> t.getDouble(0)),
            "getDouble on tensor 'act' F32[4]", "allocator 'layer1' is closed");
        mentions(assertThrows(TensorClosedException.class, t::unsafeBuffer), "allocator 'layer1' is closed");
        mentions(assertThrows(TensorClosedException.class, () -> Tensors.zeros(child, DType.F32, 4)),
            "allocator 'layer1' is closed");
        t.close(); // does not throw; the bytes stay leaked, as Arrow reported
        assertTrue(t.isClosed());
        System.out.println("root after the child leaked: " + root.getAllocatedMemory());
    }

    @Test
    void arrowLimitsApplyToTensors()
    {
        try (BufferAllocator small = allocator.newChildAllocator("small", 0, 1024))
        {
            assertThrows(org.apache.arrow.memory.OutOfMemoryException.class,
                () -> Tensors.allocate(small, DType.F64, 1024));
            assertEquals(0, small.getAllocatedMemory());
        }
    }

    @Test
    void overTwoGigabytesHasASegmentButNoUnsafeBuffer()
    {
        // virtual memory only: allocate() does not touch the bytes
        try (Tensor big = Tensors.allocate(allocator, DType.I8, (1L << 31) + 8).name("huge"))
        {
            mentions(assertThrows(IllegalStateException.class, big::unsafeBuffer), "tensor 'huge' I8[2147483656]",
                "at most 2147483647", "use segment()");
            assertThrows(IllegalStateException.class, big::byteBuffer);
            assertEquals((1L << 31) + 8, big.segment().byteSize());
            try (Tensor head = big.slice(0, 0, 1 << 20))
            {
                assertEquals(1 << 20, head.unsafeBuffer().capacity());
            }
        }
    }
}
