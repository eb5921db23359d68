package dev.ringfold.mpj.bench;

import mpi.MPI;

/**
 * One mpiJava 1.2 benchmark for MPJ Express and Ringfold alike (bench/scripts/mpj-side-by-side.sh runs it on
 * both): ping-pong between ranks 0 and 1 (byte[], Send/Recv, one-way time = round trip / 2), Bcast and
 * Allreduce(SUM) of float[] (as the project's collectives benchmarks). Timed as the OSU benchmarks: per iteration
 * t0, operation, record, Barrier, after a fifth as many warm-up iterations; clocked with System.nanoTime (MPJ
 * Express's Wtime counts milliseconds). Reports the largest per-rank median in µs. Values are checked: a wrong
 * one prints "BENCH ERROR" and the script fails. Argument: sizes in bytes, comma-separated (default 8,1M,16M,64M).
 */
public class MpiJavaBench
{
    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        final int rank = MPI.COMM_WORLD.Rank();
        final int size = MPI.COMM_WORLD.Size();
        final String sizes = args.length > 0 ? args[args.length - 1] : "8,1048576,16777216,67108864";
        int errors = 0;
        for (final String s : sizes.split(","))
        {
            final int bytes = Integer.parseInt(s.trim());
            final int iters = bytes <= 65536 ? 2000 : bytes < 16 << 20 ? 200 : bytes < 64 << 20 ? 30 : 12;
            errors += pingPong(rank, bytes, iters);
            errors += bcast(rank, Math.max(1, bytes / 4), iters);
            errors += allreduce(rank, size, Math.max(1, bytes / 4), iters);
        }
        if (rank == 0)
        {
            System.out.println("BENCH DONE errors=" + errors);
        }
        MPI.Finalize();
    }

    private static int pingPong(final int rank, final int bytes, final int iters)
    {
        final byte[] buf = new byte[bytes];
        if (rank == 0)
        {
            for (int i = 0; i < bytes; i++)
            {
                buf[i] = (byte)i;
            }
        }
        final long[] times = new long[iters];
        final int warm = Math.max(2, iters / 5);
        for (int i = -warm; i < iters; i++)
        {
            final long t0 = System.nanoTime();
            if (rank == 0)
            {
                MPI.COMM_WORLD.Send(buf, 0, bytes, MPI.BYTE, 1, 1);
                MPI.COMM_WORLD.Recv(buf, 0, bytes, MPI.BYTE, 1, 2);
            }
            else if (rank == 1)
            {
                MPI.COMM_WORLD.Recv(buf, 0, bytes, MPI.BYTE, 0, 1);
                MPI.COMM_WORLD.Send(buf, 0, bytes, MPI.BYTE, 0, 2);
            }
            if (i >= 0)
            {
                times[i] = System.nanoTime() - t0;
            }
        }
        int errors = 0;
        if (rank <= 1 && bytes > 0 && (buf[bytes - 1] != (byte)(bytes - 1) || buf[0] != 0))
        {
            errors++;
            System.out.println("BENCH ERROR pingpong " + bytes + " on rank " + rank);
        }
        report(rank, "pingpong", bytes, rank == 0 ? median(times) / 2 : 0);
        MPI.COMM_WORLD.Barrier();
        return errors;
    }

    private static int bcast(final int rank, final int count, final int iters)
    {
        final float[] buf = new float[count];
        final long[] times = new long[iters];
        final int warm = Math.max(2, iters / 5);
        int errors = 0;
        for (int i = -warm; i < iters; i++)
        {
            if (rank == 0)
            {
                buf[count - 1] = -i;
                buf[0] = i;
            }
            final long t0 = System.nanoTime();
            MPI.COMM_WORLD.Bcast(buf, 0, count, MPI.FLOAT, 0);
            final long t = System.nanoTime() - t0;
            if (i >= 0)
            {
                times[i] = t;
            }
            if (buf[0] != i || buf[count - 1] != (count == 1 ? i : -i))
            {
                errors++;
            }
            MPI.COMM_WORLD.Barrier();
        }
        if (errors > 0)
        {
            System.out.println("BENCH ERROR bcast " + count * 4 + " on rank " + rank);
        }
        report(rank, "bcast", count * 4, median(times));
        return errors;
    }

    private static int allreduce(final int rank, final int size, final int count, final int iters)
    {
        final float[] in = new float[count];
        final float[] out = new float[count];
        for (int k = 0; k < count; k++)
        {
            in[k] = rank + (k & 7);
        }
        final long[] times = new long[iters];
        final int warm = Math.max(2, iters / 5);
        for (int i = -warm; i < iters; i++)
        {
            final long t0 = System.nanoTime();
            MPI.COMM_WORLD.Allreduce(in, 0, out, 0, count, MPI.FLOAT, MPI.SUM);
            if (i >= 0)
            {
                times[i] = System.nanoTime() - t0;
            }
            MPI.COMM_WORLD.Barrier();
        }
        int errors = 0;
        final double ranks = size * (size - 1) / 2.0;
        for (int k = 0; k < count; k += Math.max(1, count / 1024))
        {
            if (out[k] != ranks + size * (k & 7))
            {
                errors++;
            }
        }
        if (errors > 0)
        {
            System.out.println("BENCH ERROR allreduce " + count * 4 + " on rank " + rank);
        }
        report(rank, "allreduce", count * 4, median(times));
        return errors;
    }

    /** Seconds: the median iteration, robust to the stalls of a shared machine. */
    private static double median(final long[] nanos)
    {
        final long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e9;
    }

    /** The largest per-rank median, printed by rank 0. */
    private static void report(final int rank, final String op, final int bytes, final double seconds)
    {
        final double[] max = new double[1];
        MPI.COMM_WORLD.Allreduce(new double[] {seconds}, 0, max, 0, 1, MPI.DOUBLE, MPI.MAX);
        if (rank == 0)
        {
            System.out.printf("RESULT %s %d %.2f%n", op, bytes, max[0] * 1e6);
        }
    }
}
