package dev.ringfold.openmpi.bench;

import mpi.MPI;
import mpi.MPIException;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Every iteration of an 8-byte all-reduce through Open MPI's Java API, timed one by one: mean, median, tail and the
 * iterations over 20 µs, for each of {@code REPEATS} runs of {@code N} in one job. It shows where an OSU-style mean
 * comes from (BENCHMARKS.md, the sixth session's quiet sitting). Compiled like {@link OsuJavaBench}, against either
 * side's {@code mpi.jar}:
 * <pre>bin/mpjrun -np 2 --no-tag-output -cp CLASSES dev.ringfold.openmpi.bench.IterationTimes [N [REPEATS]]</pre>
 */
public final class IterationTimes
{
    private IterationTimes()
    {
    }

    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        final int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        final int rank = MPI.COMM_WORLD.getRank();
        final FloatBuffer send = MPI.newFloatBuffer(2);
        final FloatBuffer recv = MPI.newFloatBuffer(2);
        final long[] ns = new long[n];
        for (int rep = 0; rep < repeats; rep++)
        {
            MPI.COMM_WORLD.barrier();
            for (int i = 0; i < n; i++)
            {
                final long start = System.nanoTime();
                MPI.COMM_WORLD.allReduce(send, recv, 2, MPI.FLOAT, MPI.SUM);
                ns[i] = System.nanoTime() - start;
            }
            long sum = 0;
            int slow = 0;
            for (final long t : ns)
            {
                sum += t;
                slow += t > 20_000 ? 1 : 0;
            }
            final long[] sorted = ns.clone();
            Arrays.sort(sorted);
            if (rank == 0)
            {
                System.out.printf("repetition %d: mean %.2f us, median %.2f us, p99.9 %.2f us, max %.0f us, " +
                    "over 20 us: %d%n", rep + 1, sum / 1e3 / n, sorted[n / 2] / 1e3, sorted[n * 999 / 1000] / 1e3,
                    sorted[n - 1] / 1e3, slow);
            }
        }
        MPI.Finalize();
    }
}
