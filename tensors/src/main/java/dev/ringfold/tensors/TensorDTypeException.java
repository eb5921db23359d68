package dev.ringfold.tensors;

/** An operation given a tensor or value of the wrong element type. Names the tensor, expected and given. */
public final class TensorDTypeException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    public TensorDTypeException(final String message)
    {
        super(message);
    }
}
