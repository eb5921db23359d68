package mpi;

/** Every error of the mpiJava API. Unchecked, as in MPJ Express (there it extends a RuntimeException too). */
public class MPIException extends RuntimeException
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
