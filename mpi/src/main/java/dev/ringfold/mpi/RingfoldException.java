package dev.ringfold.mpi;

/** The base of every error the runtime raises about communication (not about bad arguments). */
public class RingfoldException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public RingfoldException(final String message)
    {
        super(message);
    }

    public RingfoldException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
