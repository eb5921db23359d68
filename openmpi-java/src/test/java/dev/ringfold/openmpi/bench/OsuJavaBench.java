package dev.ringfold.openmpi.bench;

import mpi.MPI;
import mpi.MPIException;
import mpi.Request;

import java.nio.FloatBuffer;

/**
 * OSU-style micro-benchmarks written against Open MPI 4.1's Java API, so the same class files run on Open MPI's
 * bindings and on Ringfold: one-way latency (ping-pong, half the round trip), bandwidth (a window of 64 sends,
 * then an acknowledgement, as osu_bw) and all-reduce (float sum, the mean time of a call, averaged over ranks),
 * each with direct buffers or with Java arrays.
 * <pre>java ... OsuJavaBench latency|bw|allreduce direct|array BYTES [BYTES...]</pre>
 * Rank 0 prints "name mode bytes value unit" per size; for latency also "latency-median", the median one-way time
 * of the same iterations (the mean, OSU's figure, counts every slow wake-up; the median shows whether the typical
 * message or the outliers make it).
 */
public final class OsuJavaBench
{
    private static final int WINDOW = 64;
    private static double medianUs;

    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final String what = args[0];
        final boolean direct = args[1].equals("direct");
        for (int a = 2; a < args.length; a++)
        {
            final int bytes = Integer.parseInt(args[a]);
            final double value = switch (what)
            {
                case "latency" -> latency(bytes, direct);
                case "bw" -> bandwidth(bytes, direct);
                default -> allReduce(bytes, direct);
            };
            if (MPI.COMM_WORLD.getRank() == 0)
            {
                System.out.printf("%s %s %d %.3f %s%n", what, args[1], bytes, value,
                    what.equals("bw") ? "MB/s" : "us");
                if (what.equals("latency"))
                {
                    System.out.printf("latency-median %s %d %.3f us%n", args[1], bytes, medianUs);
                }
            }
        }
        MPI.Finalize();
    }

    private static int iterations(final int bytes)
    {
        return bytes <= 8192 ? 10_000 : bytes <= (1 << 20) ? 200 : 40;
    }

    private static Object buffer(final int bytes, final boolean direct)
    {
        return direct ? MPI.newByteBuffer(bytes) : new byte[bytes];
    }

    /** One-way latency in microseconds between ranks 0 and 1 (others wait). */
    private static double latency(final int bytes, final boolean direct) throws MPIException
    {
        final int me = MPI.COMM_WORLD.getRank();
        final Object buf = buffer(bytes, direct);
        final int iters = iterations(bytes);
        final int skip = iters / 10;
        final long[] roundTrips = new long[iters];
        double start = 0;
        MPI.COMM_WORLD.barrier();
        for (int i = 0; i < iters + skip; i++)
        {
            if (i == skip)
            {
                start = MPI.wtime();
            }
            if (me == 0)
            {
                final long t0 = System.nanoTime();
                MPI.COMM_WORLD.send(buf, bytes, MPI.BYTE, 1, 1);
                MPI.COMM_WORLD.recv(buf, bytes, MPI.BYTE, 1, 1);
                if (i >= skip)
                {
                    roundTrips[i - skip] = System.nanoTime() - t0;
                }
            }
            else if (me == 1)
            {
                MPI.COMM_WORLD.recv(buf, bytes, MPI.BYTE, 0, 1);
                MPI.COMM_WORLD.send(buf, bytes, MPI.BYTE, 0, 1);
            }
        }
        final double us = (MPI.wtime() - start) * 1e6 / (2.0 * iters);
        MPI.COMM_WORLD.barrier();
        java.util.Arrays.sort(roundTrips);
        medianUs = roundTrips[iters / 2] / 2e3;
        return us;
    }

    /** MB/s from rank 0 to rank 1: windows of sends, each window acknowledged. */
    private static double bandwidth(final int bytes, final boolean direct) throws MPIException
    {
        final int me = MPI.COMM_WORLD.getRank();
        final Object[] bufs = new Object[WINDOW];
        for (int w = 0; w < WINDOW; w++)
        {
            bufs[w] = buffer(bytes, direct);
        }
        final byte[] ack = new byte[1];
        final int iters = Math.max(4, iterations(bytes) / 20);
        final int skip = Math.max(1, iters / 10);
        final Request[] window = new Request[WINDOW];
        double start = 0;
        MPI.COMM_WORLD.barrier();
        for (int i = 0; i < iters + skip; i++)
        {
            if (i == skip)
            {
                start = MPI.wtime();
            }
            if (me == 0)
            {
                for (int w = 0; w < WINDOW; w++)
                {
                    if (direct)
                    {
                        window[w] = MPI.COMM_WORLD.iSend((java.nio.Buffer)bufs[w], bytes, MPI.BYTE, 1, 2);
                    }
                    else
                    {
                        MPI.COMM_WORLD.send(bufs[w], bytes, MPI.BYTE, 1, 2);
                    }
                }
                if (direct)
                {
                    Request.waitAll(window);
                }
                MPI.COMM_WORLD.recv(ack, 1, MPI.BYTE, 1, 3);
            }
            else if (me == 1)
            {
                for (int w = 0; w < WINDOW; w++)
                {
                    if (direct)
                    {
                        window[w] = MPI.COMM_WORLD.iRecv((java.nio.Buffer)bufs[w], bytes, MPI.BYTE, 0, 2);
                    }
                    else
                    {
                        MPI.COMM_WORLD.recv(bufs[w], bytes, MPI.BYTE, 0, 2);
                    }
                }
                if (direct)
                {
                    Request.waitAll(window);
                }
                MPI.COMM_WORLD.send(ack, 1, MPI.BYTE, 0, 3);
            }
        }
        final double seconds = MPI.wtime() - start;
        MPI.COMM_WORLD.barrier();
        return (double)bytes * WINDOW * iters / seconds / 1e6;
    }

    /** The mean time of one all-reduce of bytes/4 floats, in microseconds, averaged over the ranks. */
    private static double allReduce(final int bytes, final boolean direct) throws MPIException
    {
        final int count = Math.max(1, bytes / 4);
        final Object send;
        final Object recv;
        if (direct)
        {
            final FloatBuffer s = MPI.newFloatBuffer(count);
            for (int i = 0; i < count; i++)
            {
                s.put(i, i);
            }
            send = s;
            recv = MPI.newFloatBuffer(count);
        }
        else
        {
            final float[] s = new float[count];
            for (int i = 0; i < count; i++)
            {
                s[i] = i;
            }
            send = s;
            recv = new float[count];
        }
        final int iters = iterations(bytes) / 2;
        final int skip = Math.max(1, iters / 10);
        double start = 0;
        MPI.COMM_WORLD.barrier();
        for (int i = 0; i < iters + skip; i++)
        {
            if (i == skip)
            {
                start = MPI.wtime();
            }
            MPI.COMM_WORLD.allReduce(send, recv, count, MPI.FLOAT, MPI.SUM);
        }
        final double[] mean = {(MPI.wtime() - start) * 1e6 / iters};
        MPI.COMM_WORLD.allReduce(mean, 1, MPI.DOUBLE, MPI.SUM);
        return mean[0] / MPI.COMM_WORLD.getSize();
    }
}
