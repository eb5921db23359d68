package dev.ringfold.mpi;

/**
 * What arrived: source rank (in the communicator received on), tag and byte count. Status objects returned by
 * blocking calls are owned by the communicator and overwritten by its next call; copy the fields to keep them.
 */
public final class Status
{
    int source;
    int tag;
    int count;
    long stamp;

    /** An empty status (source, tag and count 0), for an API that needs one before anything arrived. */
    public Status()
    {
    }

    public int source()
    {
        return source;
    }

    public int tag()
    {
        return tag;
    }

    /** Bytes received (or, for probe, bytes waiting). */
    public int count()
    {
        return count;
    }

    /** Elements of {@code elementBytes} each, e.g. {@code count(Float.BYTES)}. */
    public int count(final int elementBytes)
    {
        return count / elementBytes;
    }

    void set(final int source, final int tag, final int count)
    {
        this.source = source;
        this.tag = tag;
        this.count = count;
        this.stamp = 0;
    }

    @Override
    public String toString()
    {
        return "Status{source=" + source + ", tag=" + tag + ", count=" + count + "}";
    }
}
