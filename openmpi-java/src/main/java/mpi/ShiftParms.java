package mpi;

/** The ranks MPI_Cart_shift names: where data comes from and where it goes (MPI.PROC_NULL past an edge). */
public final class ShiftParms
{
    private final int source;
    private final int dest;

    ShiftParms(final int source, final int dest)
    {
        this.source = source;
        this.dest = dest;
    }

    public int getRankSource()
    {
        return source;
    }

    public int getRankDest()
    {
        return dest;
    }
}
