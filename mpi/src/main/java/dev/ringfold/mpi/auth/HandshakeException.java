package dev.ringfold.mpi.auth;

import java.io.IOException;

/** A connection that did not prove the job secret; the message is the one-line reason. */
public final class HandshakeException extends IOException
{
    public HandshakeException(final String reason)
    {
        super(reason);
    }

    public HandshakeException(final String reason, final Throwable cause)
    {
        super(reason, cause);
    }
}
