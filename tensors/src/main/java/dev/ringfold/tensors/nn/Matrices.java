package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.TensorDTypeException;
import dev.ringfold.tensors.TensorNotContiguousException;
import dev.ringfold.tensors.TensorShapeException;

/** The argument checks every layer makes on the matrices it is given. */
final class Matrices
{
    private Matrices()
    {
    }

    /** {@code tensor} must be a contiguous F32 [n, features] with n >= rows; returns its address. */
    static long check(final String what, final Tensor tensor, final int features, final int rows)
    {
        if (tensor.dtype() != DType.F32)
        {
            throw new TensorDTypeException(what + ": expected F32, got " + tensor.describe());
        }
        if (!tensor.isContiguous())
        {
            throw new TensorNotContiguousException(what + ": expected a contiguous tensor, got " + tensor.describe());
        }
        if (tensor.rank() != 2 || tensor.shape(1) != features || tensor.shape(0) < rows)
        {
            throw new TensorShapeException(what + ": expected F32[>=" + rows + "," + features + "], got " +
                tensor.describe());
        }
        return tensor.address();
    }

    /** {@code labels} must be a contiguous I32 vector of at least rows elements; returns its address. */
    static long checkLabels(final Tensor labels, final int rows)
    {
        if (labels.dtype() != DType.I32 || !labels.isContiguous() || labels.rank() != 1 || labels.shape(0) < rows)
        {
            throw new TensorShapeException("labels: expected a contiguous I32[>=" + rows + "], got " +
                labels.describe());
        }
        return labels.address();
    }

    static void checkRows(final int rows, final int maxBatch)
    {
        if (rows < 1 || rows > maxBatch)
        {
            throw new IllegalArgumentException("rows must be in 1.." + maxBatch + " (the activations' max batch): " +
                rows);
        }
    }

    static void checkSize(final String what, final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(what + " must be at least 1: " + value);
        }
    }
}
