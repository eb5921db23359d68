package mpi;

/** What Cartcomm.Shift returns: MPI.PROC_NULL past a non-periodic edge. */
public class ShiftParms
{
    public int rank_source;
    public int rank_dest;

    ShiftParms()
    {
    }
}
