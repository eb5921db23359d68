package dev.ringfold.mpi.bootstrap;

import java.io.IOException;

/**
 * The rendezvous went away without saying why: it refused the connection though it listened before the rank was
 * started, or closed it in the middle of a round. Where the launcher hosts it, the launcher is gone.
 */
public final class RendezvousLostException extends IOException
{
    private static final long serialVersionUID = 1L;

    public RendezvousLostException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
