package dev.ringfold.mpj.bench;

import mpi.MPI;
import mpi.Request;

/**
 * A 2-D Jacobi solver written as a new user writes one, for MPJ Express and Ringfold alike
 * (bench/scripts/stencil-side-by-side.sh runs it on both): an N x N grid split into bands of rows, the top edge held
 * at 1, each iteration a halo exchange of one row (N doubles) with each neighbour through Isend/Irecv and Waitall,
 * the five-point update, and every 10 iterations the residual summed with Allreduce. Arguments: iterations, N
 * (default 2000 and 256).
 *
 * <p>Rank 0 prints {@code RESULT <what> <iterations> <value>} lines: {@code total-ms} (the whole loop, from a
 * barrier), {@code first1000-ms} (its first 1000 iterations: warm-up shows here), {@code steady-us} (the median of
 * 100-iteration windows after the first 1000, per iteration) and {@code compute-us} (the same update with no
 * communication, timed after the loop, per iteration: what the steady state would be with free messages), and after
 * the first 1000 iterations the mean time per iteration inside the loop in the sweep, in the halo exchange and in the
 * residual's all-reduce (with the bookkeeping, amortised over 10 iterations) ({@code in-loop-*-us}); then a
 * checksum that must be the same on every MPI and every np, and {@code BENCH DONE errors=0}.
 */
public class JacobiStencil
{
    private static final int RESIDUAL_EVERY = 10;
    private static final int WINDOW = 100;

    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        final int rank = MPI.COMM_WORLD.Rank();
        final int size = MPI.COMM_WORLD.Size();
        // MPJ Express passes its own arguments first: ours are the last two
        final int iterations = args.length >= 2 ? Integer.parseInt(args[args.length - 2]) : 2000;
        final int n = args.length >= 2 ? Integer.parseInt(args[args.length - 1]) : 256;
        final int first = rank * n / size;
        final int rows = (rank + 1) * n / size - first;
        final int up = rank - 1;
        final int down = rank + 1 < size ? rank + 1 : -1;
        // rows + 2 halo rows of n columns, row-major
        double[] u = new double[(rows + 2) * n];
        double[] v = new double[(rows + 2) * n];
        if (rank == 0)
        {
            for (int j = 0; j < n; j++)
            {
                u[n + j] = 1.0;
                v[n + j] = 1.0;
            }
        }
        final double[] residual = new double[1];
        final double[] global = new double[1];
        final Request[] requests = new Request[4];
        final long[] windows = new long[Math.max(1, (iterations - 1000) / WINDOW)];
        MPI.COMM_WORLD.Barrier();
        final long start = System.nanoTime();
        long firstThousand = 0;
        long windowStart = start;
        // after the first 1000 iterations: the time in the sweep and in messages (halo exchange, residual) apart
        long sweepNs = 0;
        long haloNs = 0;
        long reduceNs = 0;
        for (int it = 0; it < iterations; it++)
        {
            final long t0 = System.nanoTime();
            int k = 0;
            if (up >= 0)
            {
                requests[k++] = MPI.COMM_WORLD.Irecv(u, 0, n, MPI.DOUBLE, up, 1);
                requests[k++] = MPI.COMM_WORLD.Isend(u, n, n, MPI.DOUBLE, up, 2);
            }
            if (down >= 0)
            {
                requests[k++] = MPI.COMM_WORLD.Irecv(u, (rows + 1) * n, n, MPI.DOUBLE, down, 2);
                requests[k++] = MPI.COMM_WORLD.Isend(u, rows * n, n, MPI.DOUBLE, down, 1);
            }
            Request.Waitall(k == 4 ? requests : java.util.Arrays.copyOf(requests, k));
            final long t1 = System.nanoTime();
            final double local = sweep(u, v, rows, n, rank == 0, down < 0);
            final long t2 = System.nanoTime();
            final double[] t = u;
            u = v;
            v = t;
            if ((it + 1) % RESIDUAL_EVERY == 0)
            {
                residual[0] = local;
                MPI.COMM_WORLD.Allreduce(residual, 0, global, 0, 1, MPI.DOUBLE, MPI.SUM);
            }
            if (it >= 1000)
            {
                haloNs += t1 - t0;
                sweepNs += t2 - t1;
                reduceNs += System.nanoTime() - t2;
            }
            if (it + 1 == 1000)
            {
                firstThousand = System.nanoTime() - start;
                windowStart = System.nanoTime();
            }
            else if (it + 1 > 1000 && (it + 1 - 1000) % WINDOW == 0 && (it + 1 - 1000) / WINDOW <= windows.length)
            {
                final long now = System.nanoTime();
                windows[(it + 1 - 1000) / WINDOW - 1] = now - windowStart;
                windowStart = now;
            }
        }
        final long total = System.nanoTime() - start;
        double sum = 0;
        for (int i = 1; i <= rows; i++)
        {
            for (int j = 0; j < n; j++)
            {
                sum += u[i * n + j];
            }
        }
        // the computation alone, warm by now, on this rank's band (its result is not used)
        final int computeIterations = Math.min(iterations, 2000);
        final long c0 = System.nanoTime();
        double sink = 0;
        for (int it = 0; it < computeIterations; it++)
        {
            sink += sweep(u, v, rows, n, rank == 0, down < 0);
            final double[] t = u;
            u = v;
            v = t;
        }
        final long compute = System.nanoTime() - c0;
        final double[] checksum = {sum, global[0]};
        final double[] all = new double[2];
        MPI.COMM_WORLD.Allreduce(checksum, 0, all, 0, 2, MPI.DOUBLE, MPI.SUM);
        if (rank == 0)
        {
            java.util.Arrays.sort(windows);
            System.out.printf("RESULT total-ms %d %.3f%n", iterations, total / 1e6);
            System.out.printf("RESULT first1000-ms %d %.3f%n", iterations, firstThousand / 1e6);
            if (iterations > 1000 + WINDOW)
            {
                System.out.printf("RESULT steady-us %d %.3f%n", iterations, windows[windows.length / 2] / 1e3 / WINDOW);
            }
            System.out.printf("RESULT compute-us %d %.3f%n", iterations, compute / 1e3 / computeIterations);
            if (iterations > 1000)
            {
                final int steady = iterations - 1000;
                System.out.printf("RESULT in-loop-sweep-us %d %.3f%n", iterations, sweepNs / 1e3 / steady);
                System.out.printf("RESULT in-loop-halo-us %d %.3f%n", iterations, haloNs / 1e3 / steady);
                System.out.printf("RESULT in-loop-allreduce-us %d %.3f%n", iterations, reduceNs / 1e3 / steady);
            }
            System.out.printf("CHECKSUM %d %d %.9e residual %.9e (sink %.1e)%n", iterations, n, all[0], all[1],
                sink == 0 ? 0.0 : 1.0);
            System.out.println("BENCH DONE errors=0");
        }
        MPI.Finalize();
    }

    /** One Jacobi sweep of the band from u into v; returns the sum of squared changes. Edges stay as they are. */
    private static double sweep(final double[] u, final double[] v, final int rows, final int n, final boolean top,
        final boolean bottom)
    {
        double r = 0;
        final int from = top ? 2 : 1;
        final int to = bottom ? rows - 1 : rows;
        for (int i = from; i <= to; i++)
        {
            final int row = i * n;
            for (int j = 1; j < n - 1; j++)
            {
                final double x = 0.25 * (u[row - n + j] + u[row + n + j] + u[row + j - 1] + u[row + j + 1]);
                final double d = x - u[row + j];
                r += d * d;
                v[row + j] = x;
            }
        }
        return r;
    }
}
