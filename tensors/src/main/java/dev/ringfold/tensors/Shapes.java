package dev.ringfold.tensors;

/** Shape arithmetic shared by the factories and views: validation, element counts, row-major strides, names. */
final class Shapes
{
    private Shapes()
    {
    }

    /** A copy of the shape after checking every extent is >= 0 and the element count fits in a long. */
    static long[] checked(final DType dtype, final long[] shape, final String what)
    {
        if (dtype == null)
        {
            throw new NullPointerException(what + ": dtype is null");
        }
        if (shape == null)
        {
            throw new NullPointerException(what + ": shape is null");
        }
        long count = 1;
        for (final long extent : shape)
        {
            if (extent < 0)
            {
                throw new TensorShapeException(what + ": shape " + format(shape) + " has a negative extent");
            }
            count = Math.multiplyExact(count, extent);
        }
        Math.multiplyExact(count, (long)dtype.bytes()); // the byte size must fit a long too
        return shape.clone();
    }

    static long count(final long[] shape)
    {
        long count = 1;
        for (final long extent : shape)
        {
            count *= extent;
        }
        return count;
    }

    static long[] rowMajorStrides(final long[] shape)
    {
        final long[] strides = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= Math.max(1, shape[d]);
        }
        return strides;
    }

    /** Row-major dense: each stride is the product of the extents after it, ignoring extents of one. */
    static boolean isContiguous(final long[] shape, final long[] strides)
    {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--)
        {
            if (shape[d] == 0)
            {
                return true;
            }
            if (shape[d] != 1 && strides[d] != expected)
            {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** "[3,4]"; "[]" for a scalar. */
    static String format(final long[] shape)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int d = 0; d < shape.length; d++)
        {
            if (d > 0)
            {
                sb.append(',');
            }
            sb.append(shape[d]);
        }
        return sb.append(']').toString();
    }

    /** "F32[3,4]". */
    static String format(final DType dtype, final long[] shape)
    {
        return dtype.name() + format(shape);
    }

    /** "tensor 'w' F32[3,4]" or "tensor F32[3,4]": how every message names a tensor. */
    static String describe(final String name, final DType dtype, final long[] shape)
    {
        return name == null ? "tensor " + format(dtype, shape) : "tensor '" + name + "' " + format(dtype, shape);
    }

    /**
     * A shape for a reshape of {@code count} elements: at most one -1, inferred; the product must be the count.
     */
    static long[] resolveReshape(final String who, final long count, final long[] requested)
    {
        if (requested == null)
        {
            throw new NullPointerException(who + ": reshape to a null shape");
        }
        final long[] shape = requested.clone();
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < shape.length; d++)
        {
            if (shape[d] == -1 && inferred < 0)
            {
                inferred = d;
            }
            else if (shape[d] < 0)
            {
                throw new TensorShapeException(who + ": cannot reshape to " + format(requested) +
                    ": extents must be >= 0, with at most one -1 to infer");
            }
            else
            {
                known = Math.multiplyExact(known, shape[d]);
            }
        }
        if (inferred >= 0)
        {
            if (known == 0 || count % known != 0)
            {
                throw new TensorShapeException(who + " (" + count + " elements): cannot reshape to " +
                    format(requested) + ": no extent for -1 makes " + count + " elements");
            }
            shape[inferred] = count / known;
            known = count;
        }
        if (known != count)
        {
            throw new TensorShapeException(who + " (" + count + " elements): cannot reshape to " +
                format(requested) + " (" + known + " elements)");
        }
        return shape;
    }
}
