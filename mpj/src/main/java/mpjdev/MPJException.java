package mpjdev;

/** MPJ Express's other unchecked error type, kept for programs that catch it; Ringfold throws mpi.MPIException. */
public class MPJException extends RuntimeException
{
    public MPJException(final String message)
    {
        super(message);
    }
}
