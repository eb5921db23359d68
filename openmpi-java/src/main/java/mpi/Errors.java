package mpi;

import dev.ringfold.mpi.CommunicatorClosedException;
import dev.ringfold.mpi.DeadlineExceededException;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.TruncationException;

import java.io.PrintStream;

/**
 * Turns a failed call into what Open MPI does with it: under {@link MPI#ERRORS_RETURN} an {@link MPIException} with
 * the error class and Open MPI's text for it (then what exactly was wrong: which call, rank, argument), under
 * {@link MPI#ERRORS_ARE_FATAL} the same report on stderr and the end of the job.
 */
final class Errors
{
    private Errors()
    {
    }

    /** Open MPI's MPI_Error_string for each class this layer raises. */
    static String text(final int errorClass)
    {
        return switch (errorClass)
        {
            case MPI.ERR_BUFFER -> "MPI_ERR_BUFFER: invalid buffer pointer";
            case MPI.ERR_COUNT -> "MPI_ERR_COUNT: invalid count argument";
            case MPI.ERR_TYPE -> "MPI_ERR_TYPE: invalid datatype";
            case MPI.ERR_TAG -> "MPI_ERR_TAG: invalid tag";
            case MPI.ERR_COMM -> "MPI_ERR_COMM: invalid communicator";
            case MPI.ERR_RANK -> "MPI_ERR_RANK: invalid rank";
            case MPI.ERR_REQUEST -> "MPI_ERR_REQUEST: invalid request";
            case MPI.ERR_ROOT -> "MPI_ERR_ROOT: invalid root";
            case MPI.ERR_GROUP -> "MPI_ERR_GROUP: invalid group";
            case MPI.ERR_OP -> "MPI_ERR_OP: invalid reduce operation";
            case MPI.ERR_TOPOLOGY -> "MPI_ERR_TOPOLOGY: invalid communicator topology";
            case MPI.ERR_DIMS -> "MPI_ERR_DIMS: invalid topology dimension";
            case MPI.ERR_ARG -> "MPI_ERR_ARG: invalid argument of some other kind";
            case MPI.ERR_TRUNCATE -> "MPI_ERR_TRUNCATE: message truncated";
            case MPI.ERR_INTERN -> "MPI_ERR_INTERN: internal error";
            case MPI.ERR_PENDING -> "MPI_ERR_PENDING: pending request";
            case MPI.ERR_KEYVAL -> "MPI_ERR_KEYVAL: invalid key value";
            case MPI.ERR_INFO_KEY -> "MPI_ERR_INFO_KEY: invalid info key";
            case MPI.ERR_INFO_NOKEY -> "MPI_ERR_INFO_NOKEY: unknown info key";
            case MPI.ERR_INFO_VALUE -> "MPI_ERR_INFO_VALUE: invalid info value";
            case MPI.ERR_UNSUPPORTED_OPERATION -> "MPI_ERR_UNSUPPORTED_OPERATION: operation not supported";
            default -> "MPI_ERR_OTHER: known error not in list";
        };
    }

    /**
     * Raises an error of {@code comm} (its error handler decides); returns only to let callers write
     * {@code throw Errors.raise(...)}.
     */
    static MPIException raise(final Comm comm, final int errorClass, final String call, final String detail)
        throws MPIException
    {
        return raise(comm == null ? null : comm.errhandler, comm == null ? "MPI_COMM_WORLD" : comm.name, errorClass,
            call, detail);
    }

    static MPIException raise(final Errhandler handler, final String where, final int errorClass, final String call,
        final String detail) throws MPIException
    {
        final String message = text(errorClass) + " (" + call + ": " + detail + ")";
        if (handler == null || handler.fatal)
        {
            abort(where, call, message, errorClass);
        }
        throw new MPIException(errorClass, errorClass, message);
    }

    /** The error of a Ringfold call that failed underneath an MPI call. */
    static MPIException raise(final Comm comm, final String call, final RuntimeException ex) throws MPIException
    {
        final int errorClass = switch (ex)
        {
            case TruncationException t -> MPI.ERR_TRUNCATE;
            case CommunicatorClosedException c -> MPI.ERR_COMM;
            case PeerFailedException p -> MPI.ERR_OTHER;
            case DeadlineExceededException d -> MPI.ERR_OTHER;
            case IllegalArgumentException i -> MPI.ERR_ARG;
            default -> MPI.ERR_INTERN;
        };
        return raise(comm, errorClass, call, ex.getClass().getSimpleName() + ": " + ex.getMessage());
    }

    /** Open MPI's report under MPI_ERRORS_ARE_FATAL, then the end of this rank (the launcher stops the others). */
    static void abort(final String where, final String call, final String message, final int errorClass)
    {
        final PrintStream err = System.err;
        final String me = "[" + host() + ":" + ProcessHandle.current().pid() + "] *** ";
        err.println(me + "An error occurred in " + call);
        err.println(me + "on communicator " + where);
        err.println(me + message);
        err.println(me + "MPI_ERRORS_ARE_FATAL (processes in this communicator will now abort,");
        err.println(me + "   and potentially your MPI job)");
        err.flush();
        System.out.flush();
        System.exit(errorClass == 0 ? 1 : errorClass);
    }

    private static String host()
    {
        return dev.ringfold.mpi.bootstrap.NodeIdentity.hostName();
    }
}
