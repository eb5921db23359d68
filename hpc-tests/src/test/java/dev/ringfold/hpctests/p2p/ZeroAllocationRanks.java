package dev.ringfold.hpctests.p2p;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;

/**
 * Steady state allocates nothing: ranks 0 and 1 exchange messages on every protocol path (eager; rendezvous
 * pulled across memory or streamed; heap arrays; non-blocking with reused requests), warm up, then count the
 * bytes their thread allocates over three more rounds of many exchanges. Prints the bytes of each round and fails
 * unless some round of every path allocated exactly 0 bytes. Allocation per message shows in every round; what
 * shows in only one is the JVM linking a branch the warm-up never took (seen here: a few KB, the first time the
 * idle strategy yields or parks), which is not the steady state.
 */
public final class ZeroAllocationRanks
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator w = rf.world();
            final int me = w.rank();
            final int peer = 1 - me;
            final UnsafeBuffer a = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 20, 64));
            final UnsafeBuffer b = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 20, 64));
            final byte[] array = new byte[200_000];
            final Request send = new Request();
            final Request recv = new Request();
            final Runnable[] paths = {
                () -> blocking(w, me, peer, a, 8),
                () -> blocking(w, me, peer, a, 200_000),
                () -> heap(w, me, peer, array),
                () -> nonBlocking(w, peer, a, b, send, recv, 8),
                () -> nonBlocking(w, peer, a, b, send, recv, 300_000),
            };
            final String[] names = {"blocking-8B", "blocking-200KB", "heap-array-200KB", "nonblocking-8B",
                "nonblocking-300KB"};
            // enough for the JIT to compile each path in the warm-up; small enough for a loaded 2-core machine
            final int[] iterations = {20_000, 2_000, 1_000, 20_000, 2_000};
            long worst = 0;
            for (int p = 0; p < paths.length; p++)
            {
                for (int i = 0; i < Math.max(iterations[p], 5_000); i++)
                {
                    paths[p].run(); // warm-up: pools fill, the JIT compiles the path
                }
                long best = Long.MAX_VALUE;
                final StringBuilder rounds = new StringBuilder();
                for (int round = 0; round < 3; round++)
                {
                    w.barrier();
                    final long before = THREADS.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < iterations[p]; i++)
                    {
                        paths[p].run();
                    }
                    final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
                    best = Math.min(best, allocated);
                    rounds.append(' ').append(allocated);
                }
                System.out.println("allocated " + names[p] + " bytes per round of " + iterations[p] + " ops:" + rounds);
                worst = Math.max(worst, best);
                w.barrier();
            }
            Check.equal(0, worst, "rank " + me + ": bytes allocated in the quietest round of some path");
        }
    }

    private static void blocking(final Communicator w, final int me, final int peer, final UnsafeBuffer buf,
        final int size)
    {
        if (me == 0)
        {
            w.send(buf, 0, size, peer, 1);
            w.recv(buf, 0, size, peer, 2);
        }
        else
        {
            w.recv(buf, 0, size, peer, 1);
            w.send(buf, 0, size, peer, 2);
        }
    }

    private static void heap(final Communicator w, final int me, final int peer, final byte[] array)
    {
        if (me == 0)
        {
            w.send(array, 0, array.length, peer, 3);
            w.recv(array, 0, array.length, peer, 4);
        }
        else
        {
            w.recv(array, 0, array.length, peer, 3);
            w.send(array, 0, array.length, peer, 4);
        }
    }

    private static void nonBlocking(final Communicator w, final int peer, final UnsafeBuffer out,
        final UnsafeBuffer in, final Request send, final Request recv, final int size)
    {
        w.irecv(in, 0, size, peer, 5, recv);
        w.isend(out, 0, size, peer, 5, send);
        Request.waitAll(send, recv);
    }
}
