package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;

import java.nio.ByteBuffer;

/**
 * Run with RINGFOLD_CHECK_COLLECTIVES=1 and RINGFOLD_STALL_MS=400 on 3 ranks: mismatched calls (count, operation,
 * root, non-blocking) raise on every rank with both calls named, the communicator goes on working, and a rank that
 * is late to a call shows up in the others' stall report as not yet entered.
 */
public final class CallCheckRanks
{
    private static int me;

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            me = world.rank();
            final Collectives c = Collectives.of(world);
            check(c.checksCalls(), "RINGFOLD_CHECK_COLLECTIVES=1 turns checking on");
            final ByteBuffer keep = BufferUtil.allocateDirectAligned(4096, 64);
            final long buf = BufferUtil.address(keep);

            sumOfRanks(c, buf, world.size());
            mismatch(() -> c.allReduce(buf, buf, me == 1 ? 16 : 8, DType.F32, ReduceOp.SUM),
                "allReduce(count=8, F32, SUM", "allReduce(count=16, F32, SUM");
            mismatch(() ->
                {
                    if (me == 0)
                    {
                        c.broadcast(buf, 8, DType.F32, 0);
                    }
                    else
                    {
                        c.allReduce(buf, buf, 8, DType.F32, ReduceOp.SUM);
                    }
                }, "broadcast(count=8, F32, root=0", "allReduce(count=8, F32, SUM");
            mismatch(() -> c.broadcast(buf, 8, DType.F32, me == 2 ? 1 : 0), "root=0", "root=1");
            mismatch(() -> (me == 0 ? c.ibarrier() : c.iallReduce(buf, buf, 8, DType.I32, ReduceOp.MAX)).await(),
                "barrier(", "allReduce(count=8, I32, MAX");
            sumOfRanks(c, buf, world.size());

            // late rank: the others' stall report names it as not yet entered
            if (me == 2)
            {
                sleep(1200);
            }
            sumOfRanks(c, buf, world.size());
            c.barrier();
            System.out.println("ok call-check rank " + me);
        }
    }

    private static void sumOfRanks(final Collectives c, final long buf, final int n)
    {
        for (int i = 0; i < 8; i++)
        {
            org.agrona.UnsafeApi.putInt(buf + 4L * i, me + i);
        }
        c.allReduce(buf, buf, 8, DType.I32, ReduceOp.SUM);
        for (int i = 0; i < 8; i++)
        {
            check(org.agrona.UnsafeApi.getInt(buf + 4L * i) == n * (n - 1) / 2 + n * i, "allReduce result at " + i);
        }
    }

    /** Every rank raises; its message names its own call and the first rank whose call differs. */
    private static void mismatch(final Runnable call, final String one, final String other)
    {
        try
        {
            call.run();
        }
        catch (final CollectiveMismatchException ex)
        {
            final String m = ex.getMessage();
            check(m.contains("rank " + me + " of WORLD") && m.contains(one) && m.contains(other) && m.contains("but rank "),
                "message names both calls: " + m);
            System.out.println("mismatch rank " + me + ": " + m);
            return;
        }
        throw new AssertionError("rank " + me + ": expected a CollectiveMismatchException naming " + one + " and " + other);
    }

    private static void check(final boolean ok, final String what)
    {
        if (!ok)
        {
            throw new AssertionError("rank " + me + ": " + what);
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
