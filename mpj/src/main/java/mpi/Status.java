package mpi;

/**
 * What a receive or probe found: {@code source}, {@code tag} (public fields, as in MPJ Express), and the size, from
 * which {@link #Get_count} and {@link #Get_elements} answer for a datatype.
 */
public class Status implements Freeable
{
    public int source;
    public int tag;
    public int index;
    /** Objects received, for OBJECT messages, or items of a zero-size type (their byte size says nothing of it). */
    public int count;
    /** Payload bytes. */
    public int countInBytes;
    boolean cancelled;
    boolean objects;

    public Status()
    {
        this(MPI.ANY_SOURCE, MPI.ANY_TAG, 0);
    }

    Status(final int source, final int tag, final int countInBytes)
    {
        this.source = source;
        this.tag = tag;
        this.countInBytes = countInBytes;
        this.index = MPI.UNDEFINED;
    }

    static Status empty(final int source)
    {
        return new Status(source, MPI.ANY_TAG, 0);
    }

    Status withIndex(final int index)
    {
        this.index = index;
        return this;
    }

    /** Items of the datatype received, or MPI.UNDEFINED if not a whole number of them came. */
    public int Get_count(final Datatype datatype) throws MPIException
    {
        if (datatype.isObject() || objects)
        {
            return datatype.elements() == 0 ? 0 : count / datatype.elements();
        }
        final int itemBytes = datatype.getByteSize();
        if (itemBytes == 0)
        {
            return count;
        }
        return countInBytes % itemBytes == 0 ? countInBytes / itemBytes : MPI.UNDEFINED;
    }

    /** Base elements received. */
    public int Get_elements(final Datatype datatype) throws MPIException
    {
        if (datatype.isObject() || objects)
        {
            return count;
        }
        final int bytes = datatype.baseBytes();
        return bytes == 0 || datatype.elements() == 0 ? 0 : countInBytes / bytes;
    }

    public boolean Test_cancelled() throws MPIException
    {
        return cancelled;
    }

    public void free()
    {
        // plain Java data
    }

    @Override
    public String toString()
    {
        return "Status{source=" + source + ", tag=" + tag + ", bytes=" + countInBytes + "}";
    }
}
