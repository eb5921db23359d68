package dev.ringfold.tensors;

/** A shape that does not fit: wrong element count, mismatched operands, a negative extent. Names the tensor. */
public final class TensorShapeException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    public TensorShapeException(final String message)
    {
        super(message);
    }
}
