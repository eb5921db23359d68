package dev.ringfold.openmpi.programs;

import mpi.MPI;
import mpi.MPIException;

/** A bad rank under the default MPI.ERRORS_ARE_FATAL: the job must end, non-zero, saying MPI_ERR_RANK. */
public final class FatalError
{
    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final int n = MPI.COMM_WORLD.getSize();
        if (MPI.COMM_WORLD.getRank() == 0)
        {
            MPI.COMM_WORLD.send(new int[1], 1, MPI.INT, n + 3, 0);
            System.out.println("not reached");
        }
        MPI.COMM_WORLD.barrier();
        MPI.Finalize();
    }
}
