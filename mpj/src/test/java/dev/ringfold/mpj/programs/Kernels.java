package dev.ringfold.mpj.programs;

import mpi.MPI;
import mpi.Request;

import static dev.ringfold.mpj.programs.Print.out;

/** Java Grande style kernels: Jacobi with halo exchange, Monte Carlo pi with a reduction, a ring pipeline. */
public class Kernels
{
    static int rank;


    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        rank = MPI.COMM_WORLD.Rank();
        final int size = MPI.COMM_WORLD.Size();

        // Jacobi on a 1-D decomposition of a 64x32 grid: rows split over ranks, one halo row each side
        final int cols = 32;
        final int rows = 64 / size;
        double[] u = new double[(rows + 2) * cols];
        double[] next = new double[(rows + 2) * cols];
        if (rank == 0)
        {
            for (int c = 0; c < cols; c++)
            {
                u[cols + c] = 100.0; // hot top edge
                next[cols + c] = 100.0;
            }
        }
        // explicit edges rather than MPI.PROC_NULL: MPJ Express 0.44 rejects receives from PROC_NULL
        final boolean hasUp = rank > 0;
        final boolean hasDown = rank < size - 1;
        double maxChange = 0;
        for (int iter = 0; iter < 200; iter++)
        {
            final java.util.List<Request> halo = new java.util.ArrayList<>();
            if (hasUp)
            {
                halo.add(MPI.COMM_WORLD.Irecv(u, 0, cols, MPI.DOUBLE, rank - 1, 1));
                halo.add(MPI.COMM_WORLD.Isend(u, cols, cols, MPI.DOUBLE, rank - 1, 2));
            }
            if (hasDown)
            {
                halo.add(MPI.COMM_WORLD.Irecv(u, (rows + 1) * cols, cols, MPI.DOUBLE, rank + 1, 2));
                halo.add(MPI.COMM_WORLD.Isend(u, rows * cols, cols, MPI.DOUBLE, rank + 1, 1));
            }
            Request.Waitall(halo.toArray(new Request[0]));
            double change = 0;
            for (int r = 1; r <= rows; r++)
            {
                final boolean fixed = rank == 0 && r == 1 || rank == size - 1 && r == rows;
                for (int c = 0; c < cols; c++)
                {
                    final int i = r * cols + c;
                    if (fixed || c == 0 || c == cols - 1)
                    {
                        next[i] = u[i];
                        continue;
                    }
                    next[i] = 0.25 * (u[i - cols] + u[i + cols] + u[i - 1] + u[i + 1]);
                    change = Math.max(change, Math.abs(next[i] - u[i]));
                }
            }
            final double[] t = u;
            u = next;
            next = t;
            final double[] global = new double[1];
            MPI.COMM_WORLD.Allreduce(new double[] {change}, 0, global, 0, 1, MPI.DOUBLE, MPI.MAX);
            maxChange = global[0];
        }
        double local = 0;
        for (int r = 1; r <= rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                local += u[r * cols + c];
            }
        }
        final double[] sums = new double[size];
        MPI.COMM_WORLD.Gather(new double[] {local}, 0, 1, MPI.DOUBLE, sums, 0, 1, MPI.DOUBLE, 0);
        if (rank == 0)
        {
            out("jacobi block sums " + java.util.Arrays.toString(sums) + " last max change " + maxChange);
        }

        // Monte Carlo pi: a fixed linear congruential generator per rank, hits summed exactly as longs
        long seed = 12345 + rank * 7919L;
        long hits = 0;
        final int samples = 200_000;
        for (int i = 0; i < samples; i++)
        {
            seed = (seed * 6364136223846793005L + 1442695040888963407L);
            final double x = (seed >>> 11) * 0x1.0p-53;
            seed = (seed * 6364136223846793005L + 1442695040888963407L);
            final double y = (seed >>> 11) * 0x1.0p-53;
            if (x * x + y * y <= 1.0)
            {
                hits++;
            }
        }
        final long[] total = new long[1];
        MPI.COMM_WORLD.Reduce(new long[] {hits}, 0, total, 0, 1, MPI.LONG, MPI.SUM, 0);
        if (rank == 0)
        {
            out("monte carlo hits " + total[0] + " pi " + 4.0 * total[0] / ((double)samples * size));
        }

        // ring pipeline: rank 0 injects 20 blocks, each rank adds its rank to every element and passes it on
        final int[] block = new int[256];
        long checksum = 0;
        for (int b = 0; b < 20; b++)
        {
            if (rank == 0)
            {
                for (int i = 0; i < block.length; i++)
                {
                    block[i] = b * 1000 + i;
                }
            }
            else
            {
                MPI.COMM_WORLD.Recv(block, 0, block.length, MPI.INT, rank - 1, b);
            }
            for (int i = 0; i < block.length; i++)
            {
                block[i] += rank;
            }
            if (rank < size - 1)
            {
                MPI.COMM_WORLD.Send(block, 0, block.length, MPI.INT, rank + 1, b);
            }
            else
            {
                for (final int x : block)
                {
                    checksum += x;
                }
            }
        }
        if (rank == size - 1)
        {
            out("pipeline checksum " + checksum);
        }
        MPI.COMM_WORLD.Barrier();
        out("DONE");
        MPI.Finalize();
    }
}
