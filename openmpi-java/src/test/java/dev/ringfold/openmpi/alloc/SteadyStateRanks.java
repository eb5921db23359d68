package dev.ringfold.openmpi.alloc;

import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;
import mpi.Request;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The steady state of Open MPI's Java API on Ringfold allocates nothing but the objects the API returns: ranks 0
 * and 1 run each hot path (blocking send/recv of direct buffers and arrays, small and large, with separate send and
 * receive buffers as OSU's benchmarks have them; windows of iSend/iRecv waited with waitAll; all-reduce of direct
 * buffers and arrays, small and large), warm up, then count the bytes their thread allocates over five rounds. A
 * path passes when its quietest round allocated at most what its iterations return: a {@link mpi.Status} per recv
 * (as Open MPI's bindings make one; the JIT often removes it), a {@link Request} per iSend/iRecv, nothing for send
 * and all-reduce. What shows in one round only is the JVM linking a branch the warm-up never took, not the steady
 * state, nor is a slow wait reached once in a round ({@link #PER_ROUND_BYTES}). Prints one line per path and "ok allocation rank R", or the failing path, and exits non-zero then.
 */
public final class SteadyStateRanks
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    /** Bounds on the objects the API returns: a Status (5 fields) and a Request (about a dozen). */
    private static final long STATUS_BYTES = 48;
    private static final long REQUEST_BYTES = 64;
    /**
     * What a round may allocate besides its iterations' due, whatever their number: a wait that reaches the slow
     * end of the back-off once in a round, or the JIT's transitions, on a loaded machine: CI once saw 232 bytes in
     * the quietest of three rounds of 10,000 8 B all-reduces. Anything allocated per iteration is at least 16 bytes
     * times the iterations, far above this.
     */
    private static final long PER_ROUND_BYTES = 1024;
    private static final int WINDOW = 8;

    private interface Path
    {
        void run() throws MPIException;
    }

    /** {@code allowed}: bytes per iteration, what the iteration's calls return. */
    private record Case(String name, long allowed, int iterations, Path path)
    {
    }

    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final int me = MPI.COMM_WORLD.getRank();
        final int peer = 1 - me;
        final int large = 200_000;
        final ByteBuffer directOut = MPI.newByteBuffer(large);
        final ByteBuffer directIn = MPI.newByteBuffer(large);
        final byte[] bytesOut = new byte[large];
        final byte[] bytesIn = new byte[large];
        final float[] floatsOut = new float[large / 4];
        final float[] floatsIn = new float[large / 4];
        final ByteBuffer[] window = new ByteBuffer[WINDOW];
        for (int w = 0; w < WINDOW; w++)
        {
            window[w] = MPI.newByteBuffer(large);
        }
        final Request[] requests = new Request[WINDOW];
        final int reduced = 1 << 18; // 1 MiB of floats: Ringfold's large all-reduce path
        final FloatBuffer sumOut = MPI.newFloatBuffer(reduced);
        final FloatBuffer sumIn = MPI.newFloatBuffer(reduced);
        final float[] sumOutArray = new float[reduced];
        final float[] sumInArray = new float[reduced];
        for (int i = 0; i < reduced; i++)
        {
            sumOut.put(i, i % 7);
            sumOutArray[i] = i % 7;
        }
        final Case[] cases = {
            new Case("send-recv-direct-8B", STATUS_BYTES, 10_000,
                () -> pingPong(me, peer, directOut, directIn, 8, MPI.BYTE)),
            new Case("send-recv-direct-200KB", STATUS_BYTES, 500,
                () -> pingPong(me, peer, directOut, directIn, large, MPI.BYTE)),
            new Case("send-recv-byte[]-8B", STATUS_BYTES, 10_000,
                () -> pingPong(me, peer, bytesOut, bytesIn, 8, MPI.BYTE)),
            new Case("send-recv-float[]-200KB", STATUS_BYTES, 500,
                () -> pingPong(me, peer, floatsOut, floatsIn, large / 4, MPI.FLOAT)),
            new Case("isend-irecv-direct-8B-window", WINDOW * REQUEST_BYTES + STATUS_BYTES, 2_000,
                () -> window(me, peer, window, requests, 8)),
            new Case("isend-irecv-direct-200KB-window", WINDOW * REQUEST_BYTES + STATUS_BYTES, 100,
                () -> window(me, peer, window, requests, large)),
            new Case("allreduce-direct-8B", 0, 10_000,
                () -> MPI.COMM_WORLD.allReduce(sumOut, sumIn, 2, MPI.FLOAT, MPI.SUM)),
            new Case("allreduce-direct-1MiB", 0, 100,
                () -> MPI.COMM_WORLD.allReduce(sumOut, sumIn, reduced, MPI.FLOAT, MPI.SUM)),
            new Case("allreduce-float[]-8B", 0, 10_000,
                () -> MPI.COMM_WORLD.allReduce(sumOutArray, sumInArray, 2, MPI.FLOAT, MPI.SUM)),
            new Case("allreduce-float[]-1MiB", 0, 100,
                () -> MPI.COMM_WORLD.allReduce(sumOutArray, sumInArray, reduced, MPI.FLOAT, MPI.SUM)),
        };
        String failed = null;
        for (final Case c : cases)
        {
            for (int i = 0; i < Math.max(2 * c.iterations, 2_000); i++)
            {
                c.path.run(); // warm-up: pools fill, the JIT compiles the path (the small cases' calls come first)
            }
            long best = Long.MAX_VALUE;
            final StringBuilder rounds = new StringBuilder();
            for (int round = 0; round < 5; round++)
            {
                MPI.COMM_WORLD.barrier();
                final long before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < c.iterations; i++)
                {
                    c.path.run();
                }
                final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
                best = Math.min(best, allocated);
                rounds.append(' ').append(allocated);
            }
            final long limit = c.allowed * c.iterations + PER_ROUND_BYTES;
            System.out.println("rank " + me + " allocated " + c.name + " bytes per round of " + c.iterations +
                " iterations:" + rounds + " (allowed " + limit + ")");
            if (best > limit && failed == null)
            {
                failed = c.name + ": " + best + " bytes in the quietest round, allowed " + limit;
            }
        }
        // the sums are right too: every rank contributed i % 7
        if (sumIn.get(13) != 2 * (13 % 7) || sumInArray[reduced - 1] != 2 * ((reduced - 1) % 7))
        {
            failed = "all-reduce results " + sumIn.get(13) + " " + sumInArray[reduced - 1];
        }
        MPI.Finalize();
        if (failed != null)
        {
            System.out.println("rank " + me + " FAILED " + failed);
            System.exit(1);
        }
        System.out.println("ok allocation rank " + me);
    }

    /** Rank 0 sends count items from out, rank 1 receives them into in and sends them back from out. */
    private static void pingPong(final int me, final int peer, final Object out, final Object in, final int count,
        final Datatype type) throws MPIException
    {
        if (me == 0)
        {
            MPI.COMM_WORLD.send(out, count, type, peer, 1);
            MPI.COMM_WORLD.recv(in, count, type, peer, 2);
        }
        else
        {
            MPI.COMM_WORLD.recv(in, count, type, peer, 1);
            MPI.COMM_WORLD.send(out, count, type, peer, 2);
        }
    }

    /** Rank 0 sends a window of messages, rank 1 receives them, each side waits for all; then an acknowledgement. */
    private static void window(final int me, final int peer, final ByteBuffer[] bufs, final Request[] requests,
        final int bytes) throws MPIException
    {
        for (int w = 0; w < bufs.length; w++)
        {
            requests[w] = me == 0 ? MPI.COMM_WORLD.iSend(bufs[w], bytes, MPI.BYTE, peer, 5) :
                MPI.COMM_WORLD.iRecv(bufs[w], bytes, MPI.BYTE, peer, 5);
        }
        Request.waitAll(requests);
        if (me == 0)
        {
            MPI.COMM_WORLD.recv(bufs[0], 1, MPI.BYTE, peer, 6);
        }
        else
        {
            MPI.COMM_WORLD.send(bufs[0], 1, MPI.BYTE, peer, 6);
        }
    }
}
