package mpi;

/** MPI_Count: a count that may exceed an int. */
public final class Count implements Comparable
{
    private long count;

    public Count(final long count)
    {
        this.count = count;
    }

    public long getCount()
    {
        return count;
    }

    public void setCount(final long count)
    {
        this.count = count;
    }

    @Override
    public boolean equals(final Object obj)
    {
        return obj instanceof Count c && c.count == count;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(count);
    }

    @Override
    public int compareTo(final Object obj)
    {
        return Long.compare(count, ((Count)obj).count);
    }
}
