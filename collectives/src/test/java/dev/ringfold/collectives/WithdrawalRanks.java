package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;

import static dev.ringfold.collectives.RankChecks.check;
import static dev.ringfold.collectives.RankChecks.sleep;
import static dev.ringfold.collectives.RankChecks.sumOfRanks;

/**
 * Issue 21 for collectives, at np 2: a collective whose deadline passes, or that is cancelled, withdraws its
 * messages before the call returns, so its buffers may be freed at once ({@code Arena.close()}: a late write would
 * end the rank with SIGSEGV) and the communicator's collectives go on working. Rank 0 starts its part and then
 * stops driving progress for 3 s, so that rank 1's part has matched transfers in flight when its 1 s deadline
 * passes (or when it cancels). The ring all-reduce is forced: the node region's collectives are not usable after
 * a failure (see NodeScratch). Prints "withdrawal: ..." per scenario.
 */
public final class WithdrawalRanks
{
    private static final long COUNT = 4L << 20; // 16 MiB of F32: rendezvous transfers, several ring chunks
    private static int me;

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            me = world.rank();
            final Communicator quick = world.dup().timeout(Duration.ofSeconds(1));
            final Collectives c = Collectives.of(quick).forceAllReduce(Collectives.AllReduceAlgorithm.RING);
            check(me, world.size() == 2, "np 2");

            abandoned(world, c, "deadline", () -> ranAndOutcome(c, false));
            abandoned(world, c, "cancel", () -> ranAndOutcome(c, true));
            quick.timeout(Duration.ofSeconds(60)); // the checks below are not about deadlines
            final ByteBuffer keep = BufferUtil.allocateDirectAligned(64, 64);
            sumOfRanks(c, BufferUtil.address(keep), me, 2); // after the withdrawals
            c.barrier();
            System.out.println("ok withdrawal rank " + me);
        }
    }

    /** Rank 0 stalls mid-call; rank 1's part ends by deadline or cancel, and it frees its buffers at once. */
    private static void abandoned(final Communicator world, final Collectives c, final String what,
        final java.util.function.Supplier<String> rank1)
    {
        world.barrier();
        if (me == 0)
        {
            try (Arena arena = Arena.ofShared())
            {
                final MemorySegment data = arena.allocate(4 * COUNT, 64);
                data.fill((byte)1);
                final CollectiveRequest r = c.iallReduce(data.address(), data.address(), COUNT, DType.F32,
                    ReduceOp.SUM);
                sleep(200); // rank 1 starts its part meanwhile
                for (int i = 0; i < 3; i++) // a step or two: transfers matched both ways, far from the end
                {
                    r.test();
                }
                sleep(3000); // no progress: rank 1's part cannot finish in time
                System.out.println("withdrawal: " + what + " rank 0 " + outcome(r::await));
            }
        }
        else
        {
            sleep(50);
            System.out.println("withdrawal: " + what + " rank 1 " + rank1.get());
        }
        world.barrier(); // drives progress on both: late frames of the withdrawn transfers arrive here
    }

    private static String ranAndOutcome(final Collectives c, final boolean cancel)
    {
        final Arena arena = Arena.ofShared();
        final MemorySegment data = arena.allocate(4 * COUNT, 64);
        String outcome;
        if (cancel)
        {
            final CollectiveRequest r = c.iallReduce(data.address(), data.address(), COUNT, DType.F32, ReduceOp.SUM);
            final long until = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < until && !r.test())
            {
                Thread.onSpinWait();
            }
            outcome = r.cancel() ? "cancelled" : "completed";
            outcome += ", then " + outcome(r::await);
        }
        else
        {
            outcome = outcome(() -> c.allReduce(data.address(), data.address(), COUNT, DType.F32, ReduceOp.SUM));
        }
        arena.close(); // at once: nothing may read or write it any more
        return outcome;
    }

    private static String outcome(final Runnable call)
    {
        try
        {
            call.run();
            return "completed";
        }
        catch (final dev.ringfold.mpi.DeadlineExceededException ex)
        {
            return "deadline";
        }
        catch (final dev.ringfold.mpi.TransferWithdrawnException ex)
        {
            return "withdrawn-by-peer";
        }
        catch (final CancellationException ex)
        {
            return "cancellation";
        }
    }
}
