package dev.ringfold.openmpi.bench;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import mpi.MPI;
import mpi.MPIException;

import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * What the Open MPI API layer adds to Ringfold's runtime, and what the first calls cost:
 * <pre>
 * bin/mpjrun -np 1 --api openmpi -cp openmpi-java/target/test-classes \
 *     dev.ringfold.openmpi.bench.LayerCost self direct|array|runtime
 * bin/mpjrun -np 2 --api openmpi -cp openmpi-java/target/test-classes \
 *     dev.ringfold.openmpi.bench.LayerCost pingpong runtime
 * bin/mpjrun -np 2 --api openmpi -cp openmpi-java/target/test-classes \
 *     dev.ringfold.openmpi.bench.LayerCost warmup api|runtime
 * </pre>
 * {@code self}: one rank sends 8 B to itself and receives them (separate send and receive buffers), and all-reduces
 * 8 B (two floats, sum) alone, through the API with direct buffers or arrays, or through Ringfold's
 * {@code Communicator} and {@code Collectives} on native memory; prints the time of the first 1,000 and of the next
 * 9,000 calls from cold, then the best of 20 batches of 20,000, in ns per call (no peer, so no waiting: the calls'
 * own CPU time, and in the cold batches the JIT's warm-up on this rank's thread).
 * {@code pingpong runtime}: OsuJavaBench's latency loop (10,000 round trips after 1,000) on the runtime alone, with
 * its mean and median one-way time, to set beside OsuJavaBench's {@code latency} and {@code latency-median}.
 * {@code warmup}: 10,000 8 B all-reduces from cold between two ranks (direct buffers through the API, or native
 * memory through the runtime), each timed; rank 0 prints per window of 1,000 the mean in µs and how many took over
 * 20 µs: where an OSU-style mean of the first 10,000 calls comes from, API against runtime.
 */
public final class LayerCost
{
    private static final int BATCH = 20_000;
    private static final int WINDOW = 1_000;

    public static void main(final String[] args) throws MPIException
    {
        if (args[1].equals("runtime"))
        {
            try (Ringfold rf = Ringfold.init())
            {
                final Communicator w = rf.world();
                final Collectives c = Collectives.of(w);
                final MemorySegment out = MemorySegment.ofBuffer(MPI.newByteBuffer(8));
                final MemorySegment in = MemorySegment.ofBuffer(MPI.newByteBuffer(8));
                final Call allReduce = () -> c.allReduce(out.address(), in.address(), 2, DType.F32, ReduceOp.SUM);
                switch (args[0])
                {
                    case "self" ->
                    {
                        final int me = w.rank();
                        report("runtime self send+recv 8 B", () ->
                        {
                            w.send(out, me, 1);
                            w.recv(in, me, 1);
                        });
                        report("runtime self all-reduce 8 B", allReduce);
                    }
                    case "warmup" -> windows(w.rank(), "runtime", allReduce);
                    default -> pingPong(w, out);
                }
            }
            return;
        }
        MPI.Init(args);
        final int me = MPI.COMM_WORLD.getRank();
        if (args[0].equals("warmup"))
        {
            final FloatBuffer send = MPI.newFloatBuffer(2);
            final FloatBuffer recv = MPI.newFloatBuffer(2);
            windows(me, "api", () -> MPI.COMM_WORLD.allReduce(send, recv, 2, MPI.FLOAT, MPI.SUM));
            MPI.Finalize();
            return;
        }
        final boolean direct = args[1].equals("direct");
        final Object out = direct ? MPI.newByteBuffer(8) : new byte[8];
        final Object in = direct ? MPI.newByteBuffer(8) : new byte[8];
        report("api " + args[1] + " self send+recv 8 B", () ->
        {
            MPI.COMM_WORLD.send(out, 8, MPI.BYTE, me, 1);
            MPI.COMM_WORLD.recv(in, 8, MPI.BYTE, me, 1);
        });
        final Object sum = direct ? MPI.newFloatBuffer(2) : new float[2];
        final Object into = direct ? MPI.newFloatBuffer(2) : new float[2];
        report("api " + args[1] + " self all-reduce 8 B", () ->
            MPI.COMM_WORLD.allReduce(sum, into, 2, MPI.FLOAT, MPI.SUM));
        MPI.Finalize();
    }

    private interface Call
    {
        void run() throws MPIException;
    }

    /** The first 1,000 calls, the next 9,000, then the best of 20 batches: ns per call. */
    private static void report(final String what, final Call call) throws MPIException
    {
        final double first = perCall(call, 1_000);
        final double next = perCall(call, 9_000);
        for (int i = 0; i < 5 * BATCH; i++)
        {
            call.run();
        }
        double best = Double.MAX_VALUE;
        for (int b = 0; b < 20; b++)
        {
            best = Math.min(best, perCall(call, BATCH));
        }
        System.out.printf("%s: first 1,000 %.1f ns, next 9,000 %.1f ns, warm %.1f ns%n", what, first, next, best);
    }

    private static double perCall(final Call call, final int n) throws MPIException
    {
        final long t0 = System.nanoTime();
        for (int i = 0; i < n; i++)
        {
            call.run();
        }
        return (System.nanoTime() - t0) / (double)n;
    }

    private static void windows(final int me, final String what, final Call call) throws MPIException
    {
        final long[] ns = new long[10 * WINDOW];
        for (int i = 0; i < ns.length; i++)
        {
            final long t0 = System.nanoTime();
            call.run();
            ns[i] = System.nanoTime() - t0;
        }
        if (me != 0)
        {
            return;
        }
        final StringBuilder line = new StringBuilder(what).append(" all-reduce 8 B, per 1,000 from cold (mean us/over 20 us):");
        for (int from = 0; from < ns.length; from += WINDOW)
        {
            long sum = 0;
            int slow = 0;
            for (int i = from; i < from + WINDOW; i++)
            {
                sum += ns[i];
                slow += ns[i] > 20_000 ? 1 : 0;
            }
            line.append(String.format(" %.1f/%d", sum / 1e3 / WINDOW, slow));
        }
        System.out.println(line);
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
