package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;

/**
 * The argument checks of one communicator's collective calls: each failure names the rank, the communicator, the
 * call and the argument, and throws before the call takes a sequence number, so the communicator stays usable.
 */
final class Arguments
{
    private final Communicator comm;

    Arguments(final Communicator comm)
    {
        this.comm = comm;
    }

    String where(final String op)
    {
        return "rank " + comm.rank() + " of " + comm.name() + ": " + op;
    }

    void count(final String op, final long count, final DType dtype)
    {
        if (dtype == null)
        {
            throw new NullPointerException(where(op) + ": dtype is null");
        }
        if (count < 0)
        {
            throw new IllegalArgumentException(where(op) + ": count=" + count + " must be >= 0");
        }
        if (count * dtype.bytes() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(where(op) + ": " + count + " " + dtype + " elements are more than " +
                Integer.MAX_VALUE + " bytes");
        }
    }

    void reduce(final String op, final long count, final DType dtype, final ReduceOp reduceOp)
    {
        count(op, count, dtype);
        if (reduceOp == null)
        {
            throw new NullPointerException(where(op) + ": op is null");
        }
        if (!reduceOp.supports(dtype))
        {
            throw new IllegalArgumentException(where(op) + ": " + reduceOp + " is not defined for " + dtype +
                " (bitwise ops need an integer type)");
        }
    }

    void root(final String op, final int root)
    {
        if (root < 0 || root >= comm.size())
        {
            throw new IllegalArgumentException(where(op) + ": root=" + root + " is outside [0, " + comm.size() + ")");
        }
    }

    /** {@code count} elements of {@code array} from {@code offset} exist. */
    void array(final String op, final String name, final Object array, final int offset, final long count)
    {
        if (array == null)
        {
            throw new NullPointerException(where(op) + ": " + name + " is null");
        }
        final int length = java.lang.reflect.Array.getLength(array);
        if (count < 0 || offset < 0 || offset + count > length)
        {
            throw new IndexOutOfBoundsException(where(op) + ": " + name + " offset=" + offset + " count=" + count +
                " does not fit an array of length " + length);
        }
    }

    /** The address of a contiguous tensor's data. */
    long contiguous(final String op, final Tensor tensor)
    {
        if (tensor == null)
        {
            throw new NullPointerException(where(op) + ": the tensor is null");
        }
        if (!tensor.isContiguous())
        {
            throw new IllegalArgumentException(where(op) + ": " + tensor.describe() +
                " is not contiguous; reduce a contiguous copy (Tensor.copy())");
        }
        return tensor.address(); // throws if the tensor is closed
    }

    /** The bytes of each rank's block when every rank has {@code count} elements. */
    long[] uniform(final String op, final long count, final DType dtype)
    {
        count(op, count, dtype);
        final long[] b = new long[comm.size()];
        java.util.Arrays.fill(b, count * dtype.bytes());
        return b;
    }

    /** The byte offsets of rank r's block, {@code r * count} elements. */
    long[] offsets(final long count, final DType dtype)
    {
        final long[] o = new long[comm.size()];
        for (int r = 0; r < o.length; r++)
        {
            o[r] = r * count * dtype.bytes();
        }
        return o;
    }

    /** Per-rank element counts or displacements in bytes, one entry per rank, none negative. */
    long[] bytes(final String op, final long[] elements, final DType dtype)
    {
        if (dtype == null)
        {
            throw new NullPointerException(where(op) + ": dtype is null");
        }
        if (elements == null || elements.length != comm.size())
        {
            throw new IllegalArgumentException(where(op) + ": counts and displacements need one entry per rank (" +
                comm.size() + "), got " + (elements == null ? "null" : String.valueOf(elements.length)));
        }
        final long[] b = new long[elements.length];
        for (int r = 0; r < b.length; r++)
        {
            if (elements[r] < 0)
            {
                throw new IllegalArgumentException(where(op) + ": entry " + r + " is " + elements[r] + ", must be >= 0");
            }
            b[r] = elements[r] * dtype.bytes();
        }
        return b;
    }
}
