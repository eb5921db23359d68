package mpi;

/** What a communicator does with an error: abort the job (ERRORS_ARE_FATAL, the default) or throw (ERRORS_RETURN). */
public final class Errhandler
{
    final boolean fatal;

    Errhandler(final boolean fatal)
    {
        this.fatal = fatal;
    }
}
