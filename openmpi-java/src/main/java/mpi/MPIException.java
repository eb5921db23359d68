package mpi;

/** An MPI error: its class ({@code MPI.ERR_RANK} ...) and code, and a message that starts with Open MPI's text. */
public final class MPIException extends Exception
{
    private final int errorCode;
    private final int errorClass;

    protected MPIException(final int code, final int clazz, final String message)
    {
        super(message);
        errorCode = code;
        errorClass = clazz;
    }

    public MPIException(final String message)
    {
        super(message);
        errorCode = 0;
        errorClass = 0;
    }

    public MPIException(final Throwable cause)
    {
        super(cause);
        setStackTrace(cause.getStackTrace());
        errorCode = 0;
        errorClass = 0;
    }

    public int getErrorCode()
    {
        return errorCode;
    }

    public int getErrorClass()
    {
        return errorClass;
    }
}
