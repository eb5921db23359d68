import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;

/**
 * osu_barrier's method through Open MPI's Java API: ITERS/10 untimed barriers, then ITERS timed; prints the slowest
 * rank's mean per barrier. The same class runs on Open MPI's Java bindings (mpirun) and on Ringfold (bin/mpjrun);
 * barrier.c is the same in C. side-by-side.sh runs the three interleaved.
 */
public final class Barrier
{
    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final int iters = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        final Intracomm world = MPI.COMM_WORLD;
        for (int i = 0; i < iters / 10; i++)
        {
            world.barrier();
        }
        final double start = MPI.wtime();
        for (int i = 0; i < iters; i++)
        {
            world.barrier();
        }
        final double[] us = {(MPI.wtime() - start) * 1e6 / iters};
        world.allReduce(us, 1, MPI.DOUBLE, MPI.MAX);
        if (world.getRank() == 0)
        {
            System.out.printf("barrier np %d %.3f us%n", world.getSize(), us[0]);
        }
        MPI.Finalize();
    }
}
