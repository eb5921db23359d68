package mpi;

import java.lang.foreign.MemorySegment;

/**
 * A message taken out of matching by {@link #mProbe}/{@link #imProbe} (MPI_Mprobe): Ringfold receives it at once,
 * from the probed source with the probed tag (messages between two ranks with one tag stay in order, so it is the
 * probed one), and {@link #mRecv} unpacks it; no other receive can take it in between.
 */
public final class Message
{
    private MemorySegment data;
    private Status status;
    private Comm comm;
    private boolean noProc;

    public Message()
    {
    }

    public boolean isNull()
    {
        return data == null && !noProc;
    }

    public boolean isNoProc()
    {
        return noProc;
    }

    public Status mProbe(final int source, final int tag, final Comm comm) throws MPIException
    {
        final Status s = comm.probe(source, tag);
        take(s, comm);
        return s;
    }

    /** The status of a matched message, or null if none has arrived. */
    public Status imProbe(final int source, final int tag, final Comm comm) throws MPIException
    {
        final Status s = comm.iProbe(source, tag);
        if (s != null)
        {
            take(s, comm);
        }
        return s;
    }

    private void take(final Status s, final Comm comm) throws MPIException
    {
        this.comm = comm;
        this.status = s;
        if (s.getSource() == MPI.PROC_NULL)
        {
            noProc = true;
            return;
        }
        final MemorySegment m = MemorySegment.ofArray(new byte[(int)s.bytes()]);
        try
        {
            comm.p2p.recv(m, s.getSource(), s.getTag());
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(comm, "MPI_Mprobe", ex);
        }
        data = m;
    }

    public Status mRecv(final Object buf, final int count, final Datatype type) throws MPIException
    {
        MPI.check();
        if (noProc)
        {
            noProc = false;
            return Status.empty(MPI.PROC_NULL);
        }
        if (data == null)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_REQUEST, "MPI_Mrecv", "the message is MPI_MESSAGE_NULL " +
                "(probe one with mProbe first, and receive it once)");
        }
        final Payload p = comm.payload("MPI_Mrecv", buf, count, type);
        if (status.bytes() > (long)count * type.size)
        {
            throw Errors.raise(comm, MPI.ERR_TRUNCATE, "MPI_Mrecv", "the message has " + status.bytes() +
                " bytes, the buffer room for " + count * type.size);
        }
        final MemorySegment m = data;
        data = null;
        return comm.delivered(p, m, status.getSource(), status.getTag(), status.bytes());
    }

    public Request imRecv(final java.nio.Buffer buf, final int count, final Datatype type) throws MPIException
    {
        Comm.direct(buf);
        final Status s = mRecv(buf, count, type);
        return Request.done(comm, "MPI_Imrecv", s);
    }
}
