package dev.ringfold.tensors;

/**
 * A node-shared tensor that can no longer be mapped: its file was removed because its last user closed it, its
 * job ended and the launcher cleaned up, or someone deleted it. Mappings made before stay valid; new ones fail.
 */
public final class SharedTensorGoneException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    SharedTensorGoneException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
