package dev.ringfold.tensors;

/**
 * A checkpoint file that cannot be read as one: damaged (cut short, bytes changed) or not written by
 * {@link Checkpoint#write}. Names the file and what failed; nothing of the read stays allocated.
 */
public final class CheckpointFormatException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
