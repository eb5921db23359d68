package dev.ringfold.openmpi.bench;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import mpi.MPI;
import mpi.MPIException;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * What the Open MPI API layer adds to Ringfold's runtime, apart from any waiting:
 * <pre>
 * bin/mpjrun -np 1 --api openmpi -cp openmpi-java/target/test-classes \
 *     dev.ringfold.openmpi.bench.LayerCost self direct|array|runtime
 * bin/mpjrun -np 2 --api openmpi -cp openmpi-java/target/test-classes \
 *     dev.ringfold.openmpi.bench.LayerCost pingpong runtime
 * </pre>
 * {@code self}: one rank sends 8 B to itself and receives them (separate send and receive buffers), through the
 * API with direct buffers or byte arrays, or through Ringfold's {@code Communicator} on native segments; prints the
 * best of 20 batches of 20,000 pairs in ns per send + recv (no peer, so no waiting: the calls' CPU time).
 * {@code pingpong runtime}: OsuJavaBench's latency loop (10,000 round trips after 1,000) on the runtime alone, with
 * its mean and median one-way time, to set beside OsuJavaBench's {@code latency} and {@code latency-median}.
 */
public final class LayerCost
{
    private static final int BATCH = 20_000;

    public static void main(final String[] args) throws MPIException
    {
        if (args[1].equals("runtime"))
        {
            try (Ringfold rf = Ringfold.init())
            {
                final Communicator w = rf.world();
                final MemorySegment out = MemorySegment.ofBuffer(MPI.newByteBuffer(8));
                final MemorySegment in = MemorySegment.ofBuffer(MPI.newByteBuffer(8));
                if (args[0].equals("self"))
                {
                    final int me = w.rank();
                    System.out.printf("runtime self send+recv 8 B: %.1f ns%n", best(() ->
                    {
                        w.send(out, me, 1);
                        w.recv(in, me, 1);
                    }));
                }
                else
                {
                    pingPong(w, out);
                }
            }
            return;
        }
        MPI.Init(args);
        final boolean direct = args[1].equals("direct");
        final Object out = direct ? MPI.newByteBuffer(8) : new byte[8];
        final Object in = direct ? MPI.newByteBuffer(8) : new byte[8];
        final int me = MPI.COMM_WORLD.getRank();
        System.out.printf("api %s self send+recv 8 B: %.1f ns%n", args[1], best(() ->
        {
            MPI.COMM_WORLD.send(out, 8, MPI.BYTE, me, 1);
            MPI.COMM_WORLD.recv(in, 8, MPI.BYTE, me, 1);
        }));
        MPI.Finalize();
    }

    private interface Pair
    {
        void run() throws MPIException;
    }

    private static double best(final Pair pair) throws MPIException
    {
        for (int i = 0; i < 5 * BATCH; i++)
        {
            pair.run();
        }
        long best = Long.MAX_VALUE;
        for (int b = 0; b < 20; b++)
        {
            final long t0 = System.nanoTime();
            for (int i = 0; i < BATCH; i++)
            {
                pair.run();
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / (double)BATCH;
    }

    private static void pingPong(final Communicator w, final MemorySegment buf)
    {
        final int iters = 10_000;
        final int skip = iters / 10;
        final long[] roundTrips = new long[iters];
        final int me = w.rank();
        long start = 0;
        w.barrier();
        for (int i = 0; i < iters + skip; i++)
        {
            final long t0 = System.nanoTime();
            if (i == skip)
            {
                start = t0;
            }
            if (me == 0)
            {
                w.send(buf, 1, 1);
                w.recv(buf, 1, 1);
            }
            else if (me == 1)
            {
                w.recv(buf, 0, 1);
                w.send(buf, 0, 1);
            }
            if (i >= skip)
            {
                roundTrips[i - skip] = System.nanoTime() - t0;
            }
        }
        final double mean = (System.nanoTime() - start) / 1e3 / (2.0 * iters);
        w.barrier();
        Arrays.sort(roundTrips);
        if (me == 0)
        {
            System.out.printf("runtime pingpong 8 B one-way: mean %.3f us, median %.3f us%n", mean,
                roundTrips[iters / 2] / 2e3);
        }
    }
}
