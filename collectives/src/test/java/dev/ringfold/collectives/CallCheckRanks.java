package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;

import java.nio.ByteBuffer;

import static dev.ringfold.collectives.RankChecks.check;
import static dev.ringfold.collectives.RankChecks.sleep;
import static dev.ringfold.collectives.RankChecks.sumOfRanks;

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
            check(me, c.checksCalls(), "RINGFOLD_CHECK_COLLECTIVES=1 turns checking on");
            final ByteBuffer keep = BufferUtil.allocateDirectAligned(4096, 64);
            final long buf = BufferUtil.address(keep);

            sumOfRanks(c, buf, me, world.size());
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
            sumOfRanks(c, buf, me, world.size());

            // late rank: the others' stall report names it as not yet entered
            if (me == 2)
            {
                sleep(1200);
            }
            sumOfRanks(c, buf, me, world.size());
            c.barrier();
            System.out.println("ok call-check rank " + me);
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
            check(me, m.contains("rank " + me + " of WORLD") && m.contains(one) && m.contains(other) && m.contains("but rank "),
                "message names both calls: " + m);
            System.out.println("mismatch rank " + me + ": " + m);
            return;
        }
        throw new AssertionError("rank " + me + ": expected a CollectiveMismatchException naming " + one + " and " + other);
    }
}
