package dev.ringfold.tensors;

/**
 * The byte offsets of a strided tensor's elements, from its first element, in row-major order: an odometer over
 * the index. Used where a view is not one dense run (copies, fills, conversions to arrays).
 */
final class OffsetWalk
{
    private final long[] shape;
    private final long[] byteStrides;
    private final long[] index;
    private long offset;
    private long remaining;

    OffsetWalk(final long[] shape, final long[] strides, final int elementBytes)
    {
        this.shape = shape;
        this.byteStrides = new long[strides.length];
        for (int d = 0; d < strides.length; d++)
        {
            byteStrides[d] = strides[d] * elementBytes;
        }
        this.index = new long[shape.length];
        this.remaining = Shapes.count(shape);
    }

    boolean hasNext()
    {
        return remaining > 0;
    }

    long next()
    {
        final long current = offset;
        remaining--;
        for (int d = shape.length - 1; d >= 0; d--)
        {
            if (++index[d] < shape[d])
            {
                offset += byteStrides[d];
                break;
            }
            offset -= (shape[d] - 1) * byteStrides[d];
            index[d] = 0;
        }
        return current;
    }
}
