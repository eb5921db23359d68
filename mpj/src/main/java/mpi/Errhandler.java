package mpi;

/** MPI.ERRORS_ARE_FATAL or MPI.ERRORS_RETURN; errors are thrown as MPIException either way, as in MPJ Express. */
public class Errhandler
{
    static final int FATAL = 1;
    static final int RETURN = 0;
    final int code;

    Errhandler(final int code)
    {
        this.code = code;
    }
}
