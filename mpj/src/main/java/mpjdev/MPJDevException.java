package mpjdev;

/**
 * MPJ Express's device-layer error, which {@code mpi.MPIException} extends there and here, so that a program
 * catching it catches every error of the mpiJava API. Unchecked (MPJ Express's extends a RuntimeException too).
 */
public class MPJDevException extends RuntimeException
{
    public MPJDevException()
    {
        super();
    }

    public MPJDevException(final Throwable cause)
    {
        super(cause);
    }

    public MPJDevException(final String message)
    {
        super(message);
    }

    protected MPJDevException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
