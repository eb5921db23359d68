package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;

import java.nio.ByteBuffer;

import static dev.ringfold.collectives.RankChecks.check;
import static dev.ringfold.collectives.RankChecks.sumOfRanks;

/**
 * On 3 ranks with call checks off (the default): collective calls that do not match (count, dtype, operation, root,
 * a skipped call; blocking, non-blocking and persistent) raise {@link CollectiveMismatchException} within seconds on
 * every rank whose part of the call receives, naming what the other rank called and what this rank called, found
 * from the stamps the calls' own messages carry, and a rank whose part had finished before it could be told (a
 * broadcast's root) raises at the end of its next call; the communicator goes on working after each. The last section
 * ({@code args[0]}) mismatches a call that goes through the node's shared memory: {@code counts} (both ranks in the
 * shared-memory all-reduce, with different counts) or {@code algorithms} (the counts make one rank pick recursive
 * doubling and the others shared memory); on tcp, where every rank is its own node, the same calls go through the
 * hierarchical and message-passing algorithms.
 */
public final class MismatchRanks
{
    private static final long BOUND_NANOS = 10_000_000_000L;
    private static int me;

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            me = world.rank();
            final Collectives c = Collectives.of(world);
            check(me, !c.checksCalls(), "call checks are off: the stamps alone find mismatches");
            final ByteBuffer keep = BufferUtil.allocateDirectAligned(1 << 20, 64);
            final long buf = BufferUtil.address(keep);
            final int n = world.size();

            sumOfRanks(c, buf, me, n);
            everyRankRaises("count", () -> c.allReduce(buf, buf, me == 1 ? 16 : 8, DType.F32, ReduceOp.SUM),
                me == 1 ? "this rank called allReduce(count=16, F32, SUM)" : "called allReduce(count=16, F32, SUM)",
                me == 1 ? "called allReduce(count=8, F32, SUM)" : "this rank called allReduce(count=8, F32, SUM)");
            sumOfRanks(c, buf, me, n);
            everyRankRaises("dtype", () -> c.allReduce(buf, buf, 8, me == 2 ? DType.I32 : DType.F32, ReduceOp.MAX),
                "allReduce(count=8, I32, MAX)", "allReduce(count=8, F32, MAX)");
            sumOfRanks(c, buf, me, n);
            // the root only sends: it may finish its part before anyone can tell it, and then raises at the end of
            // its next call (a barrier: at 3 ranks each rank receives from both others in it)
            raisesHereOrNext(me == 0, "operation", () ->
            {
                if (me == 0)
                {
                    c.broadcast(buf, 8, DType.F32, 0);
                }
                else
                {
                    c.allReduce(buf, buf, 8, DType.F32, ReduceOp.SUM);
                }
            }, c, "broadcast(count=8, F32, root=0)", "allReduce(count=8, F32, SUM)");
            sumOfRanks(c, buf, me, n);
            // ranks 0 and 1 agree (root 0): rank 1 gets what it expects from rank 0; rank 2 waits on rank 1, finds
            // rank 0's message and tells the two, which had finished
            raisesHereOrNext(me != 2, "root", () -> c.broadcast(buf, 8, DType.F32, me == 2 ? 1 : 0), c, "root=0)",
                "root=1)");
            sumOfRanks(c, buf, me, n);
            // rank 2 skips the second all-reduce and goes on to the barrier
            sumOfRanks(c, buf, me, n);
            everyRankRaises("skipped", () ->
            {
                if (me == 2)
                {
                    c.barrier();
                }
                else
                {
                    c.allReduce(buf, buf, 8, DType.I32, ReduceOp.SUM);
                }
            }, "barrier()", "allReduce(count=8, I32, SUM)");
            sumOfRanks(c, buf, me, n);
            everyRankRaises("non-blocking", () ->
                c.iallReduce(buf, buf, me == 0 ? 4 : 8, DType.F64, ReduceOp.SUM).await(),
                "allReduce(count=4, F64, SUM)", "allReduce(count=8, F64, SUM)");
            sumOfRanks(c, buf, me, n);
            final CollectiveRequest persistent = c.allReduceInit(buf, buf, me == 1 ? 6 : 5, DType.I64, ReduceOp.MIN);
            for (int start = 0; start < 2; start++)
            {
                everyRankRaises("persistent", () -> persistent.start().await(), "allReduce(count=6, I64, MIN)",
                    "allReduce(count=5, I64, MIN)");
                sumOfRanks(c, buf, me, n);
            }
            // the first call through the node region (shm) or the hierarchy (tcp) agrees on the call before the set-up
            everyRankRaises("set-up", () -> c.allReduce(buf, buf, me == 0 ? 16_384 : 8, DType.F32, ReduceOp.SUM),
                "allReduce(count=16384, F32, SUM)", "allReduce(count=8, F32, SUM)");
            sumOfRanks(c, buf, me, n);
            everyRankRaises("gather", () -> c.iallGather(buf, buf + 4096, me == 2 ? 3 : 2, DType.I32).await(),
                "allGather(count=3, I32)", "allGather(count=2, I32)");
            sumOfRanks(c, buf, me, n);

            // a first call through the node region (or the hierarchy) sets it up: then the mismatch below meets the
            // region's hand-offs (or the hierarchy's steps), not the set-up's agreement
            c.allReduce(buf, buf, 16_384, DType.F32, ReduceOp.SUM);
            // last: a failed shared-memory collective leaves the node region out of step (see NodeScratch)
            final boolean counts = args.length == 0 || args[0].equals("counts");
            final long mine = counts ? (me == 1 ? 20_000 : 16_384) : (me == 1 ? 4 : 16_384);
            final long theirs = me == 1 ? 16_384 : counts ? 20_000 : 4;
            everyRankRaises("large " + (counts ? "counts" : "algorithms"),
                () -> c.allReduce(buf, buf, mine, DType.F32, ReduceOp.SUM),
                "this rank called allReduce(count=" + mine + ", F32, SUM)", "called allReduce(count=" + theirs + ", F32, SUM)");
            c.communicator().barrier(); // point-to-point goes on
            System.out.println("ok mismatch rank " + me);
        }
    }

    /** Every rank raises within the bound; its message names the two calls (both fragments). */
    private static void everyRankRaises(final String what, final Runnable call, final String one, final String other)
    {
        check(me, raises(what, call, one, other), what + ": expected a CollectiveMismatchException naming " + one +
            " and " + other);
    }

    /**
     * As {@link #everyRankRaises}, but a rank that may finish the call (its part matched, or was only to send) must
     * raise at the end of its next call instead, a barrier here, whose own part still completes.
     */
    private static void raisesHereOrNext(final boolean mayFinish, final String what, final Runnable call,
        final Collectives c, final String one, final String other)
    {
        final boolean raised = raises(what, call, one, other);
        check(me, raised || mayFinish, what + ": expected a CollectiveMismatchException naming " + one + " and " + other);
        if (raised)
        {
            c.barrier();
            return;
        }
        System.out.println("finished " + what + " rank " + me);
        check(me, raises(what, c::barrier, one, other), what + ": the call after it raised no " +
            "CollectiveMismatchException naming " + one + " and " + other);
    }

    private static boolean raises(final String what, final Runnable call, final String one, final String other)
    {
        final long start = System.nanoTime();
        try
        {
            call.run();
            return false;
        }
        catch (final CollectiveMismatchException ex)
        {
            final long took = System.nanoTime() - start;
            final String m = ex.getMessage();
            check(me, m.startsWith("rank " + me + " of ") && m.contains(": collective calls do not match at call #") &&
                m.contains(one) && m.contains(other), what + ": message names both calls: " + m);
            check(me, took < BOUND_NANOS, what + ": raised after " + took / 1_000_000 + " ms");
            System.out.println("mismatch " + what + " rank " + me + ": " + m);
            return true;
        }
    }
}
