package dev.ringfold.tensors;

/**
 * A flat view (UnsafeBuffer, MemorySegment, ByteBuffer, address range) or a reshape asked of a tensor whose
 * elements are not one dense row-major run, such as a slice along an inner dimension. {@code copy()} makes one.
 */
public final class TensorNotContiguousException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    public TensorNotContiguousException(final String message)
    {
        super(message);
    }
}
