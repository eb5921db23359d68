package mpi;

/**
 * A persistent request: the arguments of a send or receive kept for repeated {@link #Start}s. Wait and Test leave it
 * inactive (MPI's rule; MPJ Express makes it the null request until the next Start).
 */
public class Prequest extends Request
{
    private final Object pbuf;
    private final int poffset;
    private final int pcount;
    private final Datatype pdatatype;
    private final int peer;
    private final int ptag;
    private final int mode;
    private final Comm pcomm;

    Prequest(final Object buf, final int offset, final int count, final Datatype datatype, final int peer,
        final int tag, final int mode, final Comm comm)
    {
        super(false);
        this.pbuf = buf;
        this.poffset = offset;
        this.pcount = count;
        this.pdatatype = datatype;
        this.peer = peer;
        this.ptag = tag;
        this.mode = mode;
        this.pcomm = comm;
        this.complete = true; // inactive until started
        this.live = false;
        this.status = Status.empty(MPI.PROC_NULL);
    }

    public void Start() throws MPIException
    {
        if (live)
        {
            throw new MPIException("Start: the persistent request to/from " + peer + " (tag " + ptag +
                ") is still active; wait for it first");
        }
        reset();
        if (mode == Comm.RECEIVE)
        {
            pcomm.startRecv(this, pbuf, poffset, pcount, pdatatype, peer, ptag);
        }
        else
        {
            pcomm.startSend(this, pbuf, poffset, pcount, pdatatype, peer, ptag, mode);
        }
        live = true;
    }

    /** A persistent request is never the null request: once its completion is reported it is inactive. */
    @Override
    public boolean Is_null() throws MPIException
    {
        return false;
    }

    public static void Startall(final Prequest[] requests) throws MPIException
    {
        for (final Prequest r : requests)
        {
            r.Start();
        }
    }
}
