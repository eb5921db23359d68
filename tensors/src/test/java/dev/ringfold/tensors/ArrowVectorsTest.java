package dev.ringfold.tensors;

import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(Seeds.Report.class)
class ArrowVectorsTest
{
    @RegisterExtension
    final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    static LongStream seeds()
    {
        return Seeds.seeds();
    }

    @Test
    void float4VectorSharesTheTensorsBytes()
    {
        try (Tensor t = Tensors.fromArray(allocator, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             Float4Vector v = ArrowVectors.toFloat4Vector(t, "x"))
        {
            assertEquals(6, v.getValueCount());
            assertEquals(0, v.getNullCount());
            assertEquals(t.address(), v.getDataBuffer().memoryAddress());
            assertEquals(5f, v.get(4));
            v.set(4, -1f);                       // through the vector ...
            assertEquals(-1f, t.getFloat(1, 1)); // ... seen by the tensor
            t.setDouble(9, 0, 0);
            assertEquals(9f, v.get(0));
        }
    }

    @Test
    void theVectorOutlivesTheTensorAndTheTensorTheVector()
    {
        final Tensor t = Tensors.fromArray(allocator, new double[] {1.5, 2.5, 3.5});
        final Float8Vector v = ArrowVectors.toFloat8Vector(t, "d");
        t.close();
        assertEquals(3.5, v.get(2));
        try (Tensor back = ArrowVectors.toTensor(v))
        {
            v.close();
            assertEquals("d", back.name());
            assertArrayEquals(new double[] {1.5, 2.5, 3.5}, back.toDoubleArray());
        }
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void rankTwoIsAFixedSizeList()
    {
        try (Tensor t = Tensors.fromArray(allocator, new int[] {1, 2, 3, 4, 5, 6}, 3, 2);
             FixedSizeListVector v = ArrowVectors.toFixedSizeListVector(t, "m"))
        {
            assertEquals(3, v.getValueCount());
            assertEquals(2, v.getListSize());
            assertEquals(List.of(3, 4), v.getObject(1));
            final IntVector data = assertInstanceOf(IntVector.class, v.getDataVector());
            assertEquals(t.address(), data.getDataBuffer().memoryAddress());
            try (Tensor back = ArrowVectors.toTensor(v))
            {
                assertArrayEquals(new long[] {3, 2}, back.shape());
                assertArrayEquals(t.toIntArray(), back.toIntArray());
                assertEquals(t.address(), back.address());
            }
        }
    }

    @Test
    void bfloat16IsAMarkedUInt2()
    {
        try (Tensor t = Tensors.fromFloats(allocator, DType.BF16, new float[] {1f, -2f, 0.5f});
             FieldVector v = ArrowVectors.toVector(t, "b"))
        {
            assertInstanceOf(UInt2Vector.class, v);
            assertEquals("BF16", v.getField().getMetadata().get(ArrowVectors.DTYPE_KEY));
            try (Tensor back = ArrowVectors.toTensor(v))
            {
                assertEquals(DType.BF16, back.dtype());
                assertArrayEquals(new float[] {1f, -2f, 0.5f}, back.toFloatArray());
            }
        }
        try (UInt2Vector plain = new UInt2Vector("u16", allocator))
        {
            plain.allocateNew(1);
            plain.set(0, 7);
            plain.setValueCount(1);
            assertTrue(assertThrows(TensorDTypeException.class, () -> ArrowVectors.toTensor(plain)).getMessage()
                .contains("has no tensor dtype"));
        }
    }

    @Test
    void badVectorsAndTensors()
    {
        try (Float4Vector withNull = new Float4Vector("n", allocator))
        {
            withNull.allocateNew(2);
            withNull.set(0, 1f);
            withNull.setNull(1);
            withNull.setValueCount(2);
            assertTrue(assertThrows(TensorShapeException.class, () -> ArrowVectors.toTensor(withNull))
                .getMessage().contains("expected no nulls, given 1"));
        }
        try (Tensor t = Tensors.zeros(allocator, DType.F64, 4, 4).name("g"); Tensor cols = t.slice(1, 1, 2))
        {
            assertThrows(TensorDTypeException.class, () -> ArrowVectors.toFloat4Vector(t, "x"));
            try (Tensor row = t.slice(0, 0, 1); Tensor flat = row.reshape(4))
            {
                assertTrue(assertThrows(TensorShapeException.class, () -> ArrowVectors.toFixedSizeListVector(flat,
                    "x")).getMessage().contains("expected rank 2 or more, given rank 1"));
            }
            assertTrue(assertThrows(TensorNotContiguousException.class, () -> ArrowVectors.toVector(cols, "x"))
                .getMessage().contains("tensor 'g' F64[4,1]"));
        }
    }

    /** Any dtype and rank round-trips through a vector without a copy, and every buffer goes back. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anyTensorRoundTripsThroughAVector(final long seed)
    {
        final Gen gen = new Gen(seed);
        final DType dtype = gen.dtype();
        final long[] shape = gen.nonEmptyShape();
        try (Tensor t = Tensors.zeros(allocator, dtype, shape))
        {
            for (final long[] index : TensorPropertiesTest.indices(shape))
            {
                TensorPropertiesTest.set(t, gen.value(dtype), index);
            }
            try (FieldVector v = ArrowVectors.toVector(t, "v"); Tensor back = ArrowVectors.toTensor(v))
            {
                assertEquals(shape[0], v.getValueCount());
                assertEquals(dtype, back.dtype());
                assertArrayEquals(shape, back.shape());
                assertEquals(t.address(), back.address());
                assertArrayEquals(t.toDoubleArray(), back.toDoubleArray());
            }
        }
    }
}
