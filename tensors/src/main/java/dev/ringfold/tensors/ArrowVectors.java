package dev.ringfold.tensors;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Tensors as Arrow vectors and back, without copying: a vector made from a tensor loads the tensor's bytes as
 * its data buffer (an Arrow retain), and a tensor made from a vector wraps the vector's data buffer (a retain
 * too). Either side can be closed first; the bytes live until both are.
 * <p>
 * Rank 0 and 1 map to the dtype's fixed-width vector ({@code Float4Vector} for F32 ...); rank r &gt;= 2 to
 * {@code FixedSizeListVector}s nested r - 1 deep, the outer one with shape[0] rows. Arrow has no bfloat16: BF16
 * is an unsigned 16-bit vector whose field says {@code ringfold.dtype=BF16}. Arrow allocates the (all-valid)
 * validity bitmaps, a bit per element, from the tensor's allocator.
 */
public final class ArrowVectors
{
    /** Field metadata key naming the tensor dtype where the Arrow type alone cannot (BF16), and in checkpoints. */
    public static final String DTYPE_KEY = "ringfold.dtype";

    private ArrowVectors()
    {
    }

    /** The Arrow type of a dtype's elements (BF16 shares UInt2 with a metadata mark). */
    public static ArrowType arrowType(final DType dtype)
    {
        return switch (dtype)
        {
            case F32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case F64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case F16 -> new ArrowType.FloatingPoint(FloatingPointPrecision.HALF);
            case BF16 -> new ArrowType.Int(16, false);
            case I32 -> new ArrowType.Int(32, true);
            case I64 -> new ArrowType.Int(64, true);
            case I8 -> new ArrowType.Int(8, true);
            case U8 -> new ArrowType.Int(8, false);
        };
    }

    /** The dtype of a fixed-width field's values, or a {@link TensorDTypeException} naming the Arrow type. */
    public static DType dtype(final Field field)
    {
        final String marked = field.getMetadata() == null ? null : field.getMetadata().get(DTYPE_KEY);
        final ArrowType type = field.getType();
        if (type instanceof ArrowType.Int i && i.getBitWidth() == 16 && !i.getIsSigned() && "BF16".equals(marked))
        {
            return DType.BF16;
        }
        if (type instanceof ArrowType.FloatingPoint fp)
        {
            return switch (fp.getPrecision())
            {
                case SINGLE -> DType.F32;
                case DOUBLE -> DType.F64;
                case HALF -> DType.F16;
            };
        }
        if (type instanceof ArrowType.Int i)
        {
            if (i.getIsSigned())
            {
                switch (i.getBitWidth())
                {
                    case 8: return DType.I8;
                    case 32: return DType.I32;
                    case 64: return DType.I64;
                    default: break;
                }
            }
            else if (i.getBitWidth() == 8)
            {
                return DType.U8;
            }
        }
        throw new TensorDTypeException("Arrow field '" + field.getName() + "' of type " + type +
            " has no tensor dtype: expected float, double, halffloat, int8/32/64, uint8 (or uint16 marked " +
            DTYPE_KEY + "=BF16)");
    }

    // --------------------------------------------------------------------------------------- tensor to vector

    /** A vector over the tensor's bytes: a fixed-width vector for rank 0 and 1, nested fixed-size lists above. */
    public static FieldVector toVector(final Tensor tensor, final String name)
    {
        final long[] shape = tensor.shape();
        final FieldVector vector = field(name, tensor.dtype(), shape, 1).createVector(allocatorOf(tensor));
        try
        {
            load(vector, data(tensor, "toVector"), shape.length == 0 ? 1 : shape[0]);
            return vector;
        }
        catch (final RuntimeException ex)
        {
            vector.close();
            throw ex;
        }
    }

    /** An F32 tensor's elements, flat in row-major order, as a Float4Vector over the same bytes. */
    public static Float4Vector toFloat4Vector(final Tensor tensor, final String name)
    {
        requireDType(tensor, DType.F32, "toFloat4Vector");
        final Float4Vector vector = new Float4Vector(name, allocatorOf(tensor));
        loadFlat(vector, tensor, "toFloat4Vector");
        return vector;
    }

    /** An F64 tensor's elements, flat in row-major order, as a Float8Vector over the same bytes. */
    public static Float8Vector toFloat8Vector(final Tensor tensor, final String name)
    {
        requireDType(tensor, DType.F64, "toFloat8Vector");
        final Float8Vector vector = new Float8Vector(name, allocatorOf(tensor));
        loadFlat(vector, tensor, "toFloat8Vector");
        return vector;
    }

    /** A tensor of rank 2 or more as fixed-size lists: shape[0] rows of shape[1] ... over the same bytes. */
    public static FixedSizeListVector toFixedSizeListVector(final Tensor tensor, final String name)
    {
        if (tensor.rank() < 2)
        {
            throw new TensorShapeException("toFixedSizeListVector of " + tensor.describe() +
                ": expected rank 2 or more, given rank " + tensor.rank() + " (use toVector)");
        }
        return (FixedSizeListVector)toVector(tensor, name);
    }

    private static void loadFlat(final FieldVector vector, final Tensor tensor, final String operation)
    {
        try
        {
            load(vector, data(tensor, operation), tensor.elementCount());
        }
        catch (final RuntimeException ex)
        {
            vector.close();
            throw ex;
        }
    }

    /** The Arrow field of a tensor of this dtype and shape, dims from {@code dim} on inside each row. */
    static Field field(final String name, final DType dtype, final long[] shape, final int dim)
    {
        if (dim >= shape.length)
        {
            final Map<String, String> mark = dtype == DType.BF16 ? Map.of(DTYPE_KEY, "BF16") : null;
            return new Field(name, new FieldType(false, arrowType(dtype), null, mark), null);
        }
        final Field child = field(BaseRepeatedValueVector.DATA_VECTOR_NAME, dtype, shape, dim + 1);
        return new Field(name, FieldType.notNullable(new ArrowType.FixedSizeList(listSize(shape[dim], shape))),
            List.of(child));
    }

    private static int listSize(final long extent, final long[] shape)
    {
        if (extent > Integer.MAX_VALUE)
        {
            throw new TensorShapeException("shape " + Shapes.format(shape) + ": extent " + extent +
                " exceeds an Arrow fixed-size list's int size");
        }
        return (int)extent;
    }

    /** Loads {@code count} rows at this level, then the children, the leaf taking {@code data}. */
    static void load(final FieldVector vector, final ArrowBuf data, final long count)
    {
        if (count > Integer.MAX_VALUE)
        {
            throw new TensorShapeException("Arrow vector '" + vector.getName() + "': " + count +
                " values exceed an Arrow vector's int length");
        }
        if (vector instanceof FixedSizeListVector list)
        {
            // a null validity buffer with no nulls: Arrow allocates an all-valid bitmap
            list.loadFieldBuffers(new ArrowFieldNode(count, 0), Arrays.asList((ArrowBuf)null));
            load(list.getDataVector(), data, count * list.getListSize());
        }
        else
        {
            vector.loadFieldBuffers(new ArrowFieldNode(count, 0), Arrays.asList(null, data)); // retains data
        }
    }

    /** The tensor's bytes as an ArrowBuf slice (no reference taken: the vector's load retains). */
    private static ArrowBuf data(final Tensor tensor, final String operation)
    {
        tensor.checkOpen(operation);
        if (!tensor.isContiguous())
        {
            throw new TensorNotContiguousException(operation + " of " + tensor.describe() +
                ": an Arrow vector needs the elements dense; use copy()");
        }
        return tensor.arrowBuf().slice(tensor.byteOffset(), tensor.byteSize());
    }

    private static BufferAllocator allocatorOf(final Tensor tensor)
    {
        if (tensor.allocator() == null)
        {
            throw new IllegalArgumentException(tensor.describe() + " has no Arrow allocator (it wraps Arrow's " +
                "shared empty buffer) to make a vector with");
        }
        return tensor.allocator();
    }

    private static void requireDType(final Tensor tensor, final DType dtype, final String operation)
    {
        if (tensor.dtype() != dtype)
        {
            throw new TensorDTypeException(operation + " of " + tensor.describe() + ": expected dtype " + dtype +
                ", given " + tensor.dtype());
        }
    }

    // --------------------------------------------------------------------------------------- vector to tensor

    /**
     * A tensor over a vector's data buffer, named after the vector: shape [valueCount] for a fixed-width vector,
     * [valueCount, listSize, ...] for nested fixed-size lists. No nulls allowed (a tensor has no validity).
     */
    public static Tensor toTensor(final ValueVector vector)
    {
        if (vector == null)
        {
            throw new NullPointerException("toTensor: vector is null");
        }
        int rank = 1;
        for (ValueVector v = vector; v instanceof FixedSizeListVector list; v = list.getDataVector())
        {
            rank++;
        }
        final long[] shape = new long[rank];
        ValueVector v = vector;
        shape[0] = vector.getValueCount();
        for (int d = 1; d < rank; d++)
        {
            checkNoNulls(v);
            final FixedSizeListVector list = (FixedSizeListVector)v;
            shape[d] = list.getListSize();
            v = list.getDataVector();
        }
        checkNoNulls(v);
        if (v instanceof BitVector || !(v instanceof BaseFixedWidthVector leaf))
        {
            throw new TensorDTypeException("toTensor of Arrow vector '" + vector.getName() + "': expected " +
                "fixed-width numbers (or fixed-size lists of them), given " + v.getField().getType());
        }
        final DType dtype = dtype(leaf.getField());
        final long needed = Shapes.count(shape);
        if (leaf.getValueCount() < needed)
        {
            throw new TensorShapeException("toTensor of Arrow vector '" + vector.getName() + "' as " +
                Shapes.format(dtype, shape) + ": expected " + needed + " values in its data vector, given " +
                leaf.getValueCount());
        }
        return Tensors.wrap(leaf.getDataBuffer(), 0, dtype, shape).name(vector.getName());
    }

    private static void checkNoNulls(final ValueVector v)
    {
        final int nulls = v.getNullCount();
        if (nulls != 0)
        {
            throw new TensorShapeException("toTensor of Arrow vector '" + v.getName() + "': expected no nulls, " +
                "given " + nulls + " (a tensor has no validity bitmap)");
        }
    }
}
