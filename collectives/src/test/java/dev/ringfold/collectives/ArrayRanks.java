package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.ReduceOp;

import java.util.Arrays;

import static dev.ringfold.collectives.RankChecks.check;

/**
 * The Java-array forms of all-reduce and broadcast on every algorithm: the shared-memory algorithms read and write
 * the arrays directly, the others stage them. Separate and in-place arrays at offsets (the elements around the
 * range must stay as they were), overlapping source and destination, calls while another thread churns the heap
 * (the collector moves arrays while the region copies them), and rejected arguments that leave the communicator
 * usable.
 */
public final class ArrayRanks
{
    private static final int SENTINEL = -77;
    private static Communicator world;
    private static int me;
    private static int n;

    public static void main(final String[] args) throws Exception
    {
        try (Ringfold rf = Ringfold.init())
        {
            world = rf.world();
            me = world.rank();
            n = world.size();
            final Collectives c = Collectives.of(world);
            for (final Collectives.AllReduceAlgorithm algorithm : new Collectives.AllReduceAlgorithm[] {
                Collectives.AllReduceAlgorithm.AUTO, Collectives.AllReduceAlgorithm.SHARED_MEMORY,
                Collectives.AllReduceAlgorithm.RING, Collectives.AllReduceAlgorithm.RECURSIVE_DOUBLING})
            {
                if (algorithm == Collectives.AllReduceAlgorithm.SHARED_MEMORY && !c.isOneNode())
                {
                    continue;
                }
                c.forceAllReduce(algorithm);
                for (final int count : new int[] {0, 5, 9_000, 300_007})
                {
                    allReduceFloats(c, count, algorithm);
                    allReduceOthers(c, count, algorithm);
                }
            }
            c.forceAllReduce(Collectives.AllReduceAlgorithm.AUTO);
            overlapping(c);
            System.out.println("ok array allreduce rank " + me);
            for (final Collectives.BroadcastAlgorithm algorithm : new Collectives.BroadcastAlgorithm[] {
                Collectives.BroadcastAlgorithm.AUTO, Collectives.BroadcastAlgorithm.SHARED_MEMORY,
                Collectives.BroadcastAlgorithm.CHAIN})
            {
                if (algorithm == Collectives.BroadcastAlgorithm.SHARED_MEMORY && !c.isOneNode())
                {
                    continue;
                }
                c.forceBroadcast(algorithm);
                broadcast(c, algorithm);
            }
            c.forceBroadcast(Collectives.BroadcastAlgorithm.AUTO);
            System.out.println("ok array broadcast rank " + me);
            whileTheHeapMoves(c);
            System.out.println("ok array gc rank " + me);
            errors(c);
            System.out.println("ok array errors rank " + me);
            world.barrier();
        }
    }

    /** Rank r contributes r + 1 + (i % 13) at element i: the sum is n(n+1)/2 + n(i % 13), exact in floats. */
    private static float input(final int rank, final int i)
    {
        return rank + 1 + (i % 13);
    }

    private static float sum(final int i)
    {
        return n * (n + 1) / 2f + n * (float)(i % 13);
    }

    private static void allReduceFloats(final Collectives c, final int count, final Object algorithm)
    {
        final String what = "allReduce float[] " + algorithm + " count " + count;
        // separate arrays at different offsets, the margins around both ranges untouched
        final float[] src = new float[count + 7];
        final float[] dst = new float[count + 20];
        Arrays.fill(src, SENTINEL);
        Arrays.fill(dst, SENTINEL);
        for (int i = 0; i < count; i++)
        {
            src[3 + i] = input(me, i);
        }
        c.allReduce(src, 3, dst, 11, count, ReduceOp.SUM);
        for (int i = 0; i < dst.length; i++)
        {
            final float want = i >= 11 && i < 11 + count ? sum(i - 11) : SENTINEL;
            check(me, dst[i] == want, what + ": dst[" + i + "] = " + dst[i] + ", expected " + want);
        }
        for (int i = 0; i < count; i++)
        {
            check(me, src[3 + i] == input(me, i), what + ": the source changed at " + (3 + i));
        }
        // in place, then AVG of the sums: every rank holds the same sums, so the average is the sum again
        c.allReduce(src, 3, count, ReduceOp.SUM);
        c.allReduce(src, 3, src, 3, count, ReduceOp.AVG);
        for (int i = 0; i < src.length; i++)
        {
            final float want = i >= 3 && i < 3 + count ? sum(i - 3) : SENTINEL;
            check(me, src[i] == want, what + " in place: src[" + i + "] = " + src[i] + ", expected " + want);
        }
    }

    private static void allReduceOthers(final Collectives c, final int count, final Object algorithm)
    {
        final double[] d = new double[count + 1];
        final int[] x = new int[count + 1];
        final long[] l = new long[count + 1];
        final long[] lOut = new long[count];
        for (int i = 0; i < count; i++)
        {
            d[1 + i] = -(me * 1000.0 + i);
            x[1 + i] = (me + 1) << (i % 8);
            l[1 + i] = (long)me << 40 | i;
        }
        c.allReduce(d, 1, count, ReduceOp.MAX);
        c.allReduce(x, 1, count, ReduceOp.BOR);
        c.allReduce(l, 1, lOut, 0, count, ReduceOp.MIN);
        int or = 0;
        for (int r = 0; r < n; r++)
        {
            or |= r + 1;
        }
        for (int i = 0; i < count; i++)
        {
            final String what = algorithm + " count " + count + " element " + i;
            check(me, d[1 + i] == -(double)i, "allReduce double[] MAX " + what + ": " + d[1 + i]);
            check(me, x[1 + i] == or << (i % 8), "allReduce int[] BOR " + what + ": " + x[1 + i]);
            check(me, lOut[i] == i, "allReduce long[] MIN " + what + ": " + lOut[i]);
        }
    }

    /** The same array, ranges shifted against each other: the result is as if the whole source was read first. */
    private static void overlapping(final Collectives c)
    {
        for (final int count : new int[] {100, 300_007})
        {
            final int[] a = new int[count + 2];
            for (int i = 0; i < count; i++)
            {
                a[i] = i + me;
            }
            c.allReduce(a, 0, a, 2, count, ReduceOp.SUM);
            for (int i = 0; i < count; i++)
            {
                final int want = n * i + n * (n - 1) / 2;
                check(me, a[2 + i] == want, "allReduce int[] shifted by 2, count " + count + ": a[" + (2 + i) + "] = " +
                    a[2 + i] + ", expected " + want);
            }
        }
    }

    private static void broadcast(final Collectives c, final Object algorithm)
    {
        for (final int root : new int[] {0, n - 1})
        {
            for (final int count : new int[] {0, 3, 40_000, 1_000_003})
            {
                final float[] f = new float[count + 5];
                final long[] l = new long[count + 1];
                Arrays.fill(f, SENTINEL);
                for (int i = 0; i < count; i++)
                {
                    f[2 + i] = me == root ? i * 0.5f : 0;
                    l[1 + i] = me == root ? i * 3L - root : 0;
                }
                c.broadcast(f, 2, count, root);
                c.broadcast(l, 1, count, root);
                for (int i = 0; i < f.length; i++)
                {
                    final float want = i >= 2 && i < 2 + count ? (i - 2) * 0.5f : SENTINEL;
                    check(me, f[i] == want, "broadcast float[] " + algorithm + " root " + root + " count " + count +
                        ": f[" + i + "] = " + f[i] + ", expected " + want);
                }
                for (int i = 0; i < count; i++)
                {
                    check(me, l[1 + i] == i * 3L - root, "broadcast long[] " + algorithm + " root " + root + " count " +
                        count + " element " + i);
                }
            }
        }
    }

    /** Another thread allocates all the time, so collections (which move arrays) run during the copies. */
    private static void whileTheHeapMoves(final Collectives c) throws InterruptedException
    {
        final long collectionsBefore = collections();
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final Thread churn = new Thread(() ->
        {
            long sink = 0;
            while (!stop.get())
            {
                final byte[][] garbage = new byte[64][];
                for (int i = 0; i < garbage.length; i++)
                {
                    garbage[i] = new byte[16 * 1024];
                    sink += garbage[i].length;
                }
                if (sink < 0)
                {
                    System.out.println(sink);
                }
                Thread.onSpinWait();
            }
        });
        churn.setDaemon(true);
        churn.start();
        final int count = 1 << 20;
        for (int round = 0; round < 20; round++)
        {
            final float[] a = new float[count];
            for (int i = 0; i < count; i++)
            {
                a[i] = input(me, i + round);
            }
            final float[] out = new float[count];
            c.allReduce(a, 0, out, 0, count, ReduceOp.SUM);
            for (int i = 0; i < count; i++)
            {
                check(me, out[i] == sum(i + round), "allReduce during collections, round " + round + " element " + i +
                    ": " + out[i] + ", expected " + sum(i + round));
            }
        }
        stop.set(true);
        churn.join();
        check(me, collections() > collectionsBefore, "no collection ran during the calls");
    }

    private static long collections()
    {
        long total = 0;
        for (final var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans())
        {
            total += Math.max(0, gc.getCollectionCount());
        }
        return total;
    }

    private static void errors(final Collectives c)
    {
        final float[] a = new float[10];
        expect(() -> c.allReduce(a, 0, new float[4], 0, 5, ReduceOp.SUM), "dst offset=0 count=5 does not fit");
        expect(() -> c.allReduce(null, 0, a, 0, 5, ReduceOp.SUM), "src is null");
        expect(() -> c.allReduce(a, 8, 5, ReduceOp.SUM), "src offset=8 count=5 does not fit");
        expect(() -> c.allReduce(a, 0, 10, null), "op is null");
        expect(() -> c.broadcast(a, -1, 5, 0), "data offset=-1");
        expect(() -> c.broadcast(a, 0, 5, n), "root=" + n);
        Arrays.fill(a, me);
        c.allReduce(a, 0, 10, ReduceOp.SUM);
        check(me, a[9] == n * (n - 1) / 2f, "allReduce after rejected calls: " + a[9]);
    }

    private static void expect(final Runnable call, final String fragment)
    {
        try
        {
            call.run();
        }
        catch (final RuntimeException ex)
        {
            check(me, ex.getMessage() != null && ex.getMessage().contains(fragment) &&
                ex.getMessage().contains("rank " + me), "message '" + ex.getMessage() + "' should contain '" +
                fragment + "' and the rank");
            return;
        }
        throw new AssertionError("rank " + me + ": expected an exception containing '" + fragment + "'");
    }
}
