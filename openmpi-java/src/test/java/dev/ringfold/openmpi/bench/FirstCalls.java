package dev.ringfold.openmpi.bench;

import mpi.MPI;
import mpi.MPIException;

import java.nio.FloatBuffer;

/**
 * A program's first all-reduces through Open MPI's Java API, each timed: {@code BYTES} of floats from direct
 * buffers, {@code N} calls; rank 0 prints the µs of every call, twenty to a line. It shows what class loading and a
 * kernel the JIT has not compiled yet cost a short program (BENCHMARKS.md, "First calls"). Compiled like
 * {@link OsuJavaBench}, against either side's {@code mpi.jar}:
 * <pre>bin/mpjrun -np 2 --no-tag-output -cp CLASSES dev.ringfold.openmpi.bench.FirstCalls BYTES N</pre>
 */
public final class FirstCalls
{
    private FirstCalls()
    {
    }

    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final int count = Math.max(1, Integer.parseInt(args[0]) / Float.BYTES);
        final int n = Integer.parseInt(args[1]);
        final FloatBuffer send = MPI.newFloatBuffer(count);
        final FloatBuffer recv = MPI.newFloatBuffer(count);
        for (int i = 0; i < count; i++)
        {
            send.put(i, i);
        }
        final long[] ns = new long[n];
        MPI.COMM_WORLD.barrier();
        for (int i = 0; i < n; i++)
        {
            final long start = System.nanoTime();
            MPI.COMM_WORLD.allReduce(send, recv, count, MPI.FLOAT, MPI.SUM);
            ns[i] = System.nanoTime() - start;
        }
        if (MPI.COMM_WORLD.getRank() == 0)
        {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++)
            {
                line.append(ns[i] / 1000).append(i % 20 == 19 || i == n - 1 ? "\n" : " ");
            }
            System.out.print(line);
        }
        MPI.Finalize();
    }
}
