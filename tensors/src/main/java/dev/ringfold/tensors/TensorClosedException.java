package dev.ringfold.tensors;

/** A tensor used after its close, or after the Arrow allocator it lives in was closed. */
public final class TensorClosedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    TensorClosedException(final String message)
    {
        super(message);
    }
}
