package mpi;

/** What a receive or probe found: source, tag, how much arrived (in bytes, counted in any datatype on request). */
public final class Status
{
    private int source;
    private int tag;
    private long bytes;
    private int error;
    private int index;
    private boolean cancelled;

    Status(final int source, final int tag, final long bytes)
    {
        this.source = source;
        this.tag = tag;
        this.bytes = bytes;
        this.index = MPI.UNDEFINED;
    }

    /** The status of an operation with MPI.PROC_NULL, or of an inactive request. */
    static Status empty(final int source)
    {
        return new Status(source, MPI.ANY_TAG, 0);
    }

    Status withIndex(final int i)
    {
        index = i;
        return this;
    }

    long bytes()
    {
        return bytes;
    }

    /** Whole items of the datatype that arrived, or MPI.UNDEFINED if the bytes are not a whole number of them. */
    public int getCount(final Datatype datatype) throws MPIException
    {
        MPI.check();
        if (datatype.size == 0)
        {
            return bytes == 0 ? 0 : MPI.UNDEFINED;
        }
        return bytes % datatype.size == 0 ? (int)(bytes / datatype.size) : MPI.UNDEFINED;
    }

    public boolean isCancelled() throws MPIException
    {
        MPI.check();
        return cancelled;
    }

    public int getElements(final Datatype datatype) throws MPIException
    {
        MPI.check();
        return datatype.elements(bytes);
    }

    public Count getElementsX(final Datatype datatype) throws MPIException
    {
        return new Count(getElements(datatype));
    }

    public void setElements(final Datatype datatype, final int count) throws MPIException
    {
        MPI.check();
        bytes = (long)count * (datatype.size / Math.max(1, datatype.elements(datatype.size)));
    }

    public void setElementsX(final Datatype datatype, final Count count) throws MPIException
    {
        setElements(datatype, (int)count.getCount());
    }

    public void setCancelled(final boolean flag) throws MPIException
    {
        MPI.check();
        cancelled = flag;
    }

    public int getSource()
    {
        return source;
    }

    public int getTag()
    {
        return tag;
    }

    public int getError()
    {
        return error;
    }

    public int getIndex()
    {
        return index;
    }
}
