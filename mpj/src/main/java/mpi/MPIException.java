package mpi;

/** Every error of the mpiJava API. Unchecked, and an mpjdev.MPJDevException, as in MPJ Express. */
public class MPIException extends mpjdev.MPJDevException
{
    public MPIException()
    {
        super();
    }

    public MPIException(final String message)
    {
        super(message);
    }

    public MPIException(final Throwable cause)
    {
        super(cause.getMessage(), cause);
    }
}
