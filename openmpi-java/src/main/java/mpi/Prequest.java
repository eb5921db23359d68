package mpi;

/** A persistent request: {@link #start()} runs the same operation again; after completing it is inactive. */
public final class Prequest extends Request
{
    /** Starts one run of the operation into this request. */
    interface Start
    {
        void start(Prequest into) throws MPIException;
    }

    private final Start starter;

    Prequest(final Comm comm, final String call, final Start starter)
    {
        this.comm = comm;
        this.call = call;
        this.starter = starter;
        this.persistent = true;
    }

    public void start() throws MPIException
    {
        MPI.check();
        if (active)
        {
            throw Errors.raise(comm, MPI.ERR_REQUEST, "MPI_Start", "the persistent request is still active " +
                "(wait for or test it before starting it again)");
        }
        starter.start(this);
    }

    public static void startAll(final Prequest[] requests) throws MPIException
    {
        for (final Prequest r : requests)
        {
            r.start();
        }
    }
}
