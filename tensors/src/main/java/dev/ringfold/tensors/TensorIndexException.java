package dev.ringfold.tensors;

/** An index, slice or byte range outside a tensor or its buffer. Names the tensor and the valid range. */
public final class TensorIndexException extends IndexOutOfBoundsException
{
    private static final long serialVersionUID = 1L;

    TensorIndexException(final String message)
    {
        super(message);
    }
}
