package mpi;

/** A persistent request: the arguments of a send or receive kept for repeated {@link #Start}s. */
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
        this.status = Status.empty(MPI.PROC_NULL);
    }

    public void Start() throws MPIException
    {
        if (!complete)
        {
            throw new MPIException("Start: the persistent request to/from " + peer + " (tag " + ptag +
                ") is still active; wait for it first");
        }
        reset();
        consumed = false;
        if (mode == Comm.RECEIVE)
        {
            pcomm.startRecv(this, pbuf, poffset, pcount, pdatatype, peer, ptag);
        }
        else
        {
            pcomm.startSend(this, pbuf, poffset, pcount, pdatatype, peer, ptag, mode);
        }
    }

    public static void Startall(final Prequest[] requests) throws MPIException
    {
        for (final Prequest r : requests)
        {
            r.Start();
        }
    }
}
