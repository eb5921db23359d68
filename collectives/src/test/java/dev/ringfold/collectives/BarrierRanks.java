package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.ringfold.collectives.RankChecks.check;
import static dev.ringfold.collectives.RankChecks.sleep;

/**
 * Barriers in every form (blocking, {@code ibarrier}, a persistent {@code barrierInit} started again and again) on
 * the world and on a split half, with another rank arriving last in each round, and all-reduces and broadcasts
 * between them (through the node region on one node): no rank leaves a round before every rank has entered it
 * (each rank's monotonic clock, one clock on a machine: the latest entry of a round is before its earliest exit),
 * and the collectives between still add up; once warm, a persistent barrier's start and a blocking barrier allocate
 * nothing. Prints which algorithm each communicator's barrier runs, then {@code ok barrier rank r}.
 */
public final class BarrierRanks
{
    private static final int ROUNDS = 24;
    private static final int FLOATS = 70_000; // past the small-message rows: the region's all-reduce on one node

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final int me = world.rank();
            rounds(world, me);
            final Collectives c = Collectives.of(world);
            final CollectiveRequest persistent = c.barrierInit();
            final long started = SteadyStateAllocation.quietestRound(world, "barrierInit start and await", 2000, 500,
                () ->
                {
                    persistent.start();
                    persistent.await();
                });
            final long blocking = SteadyStateAllocation.quietestRound(world, "barrier", 2000, 500, c::barrier);
            check(me, started == 0 && blocking == 0, "once warm a persistent barrier allocated " + started +
                " bytes a round and a blocking one " + blocking + ", expected 0");
            try (Communicator half = world.split(me % 2, me))
            {
                rounds(half, me);
            }
            System.out.println("ok barrier rank " + me);
        }
    }

    private static void rounds(final Communicator comm, final int worldRank)
    {
        final Collectives c = Collectives.of(comm);
        final int me = comm.rank();
        final int n = comm.size();
        final CollectiveRequest persistent = c.barrierInit();
        if (me == 0)
        {
            System.out.println("barrier of " + comm.name() + " (" + n + " ranks) runs " + persistent);
        }
        final long[] entered = new long[ROUNDS];
        final long[] left = new long[ROUNDS];
        final ByteBuffer floats = ByteBuffer.allocateDirect(4 * FLOATS).order(ByteOrder.nativeOrder());
        final long address = BufferUtil.address(floats);
        for (int k = 0; k < ROUNDS; k++)
        {
            if ((k + me) % n == n - 1)
            {
                sleep(20); // the last to arrive, a different rank each round
            }
            entered[k] = System.nanoTime();
            switch (k % 4)
            {
                case 0 -> c.barrier();
                case 1 -> c.ibarrier().await();
                case 2 ->
                {
                    persistent.start();
                    persistent.await();
                }
                default ->
                {
                    final CollectiveRequest r = c.ibarrier();
                    while (!r.test())
                    {
                        Thread.onSpinWait();
                    }
                }
            }
            left[k] = System.nanoTime();
            // the region's other collectives between barriers: their chunk numbers follow the barriers' in step
            for (int i = 0; i < FLOATS; i++)
            {
                floats.putFloat(4 * i, me + k + (i & 7));
            }
            c.allReduce(address, address, FLOATS, DType.F32, ReduceOp.SUM);
            for (int i = 0; i < FLOATS; i += 997)
            {
                final float expected = n * (k + (i & 7)) + n * (n - 1) / 2f;
                check(worldRank, floats.getFloat(4 * i) == expected, comm.name() + " round " + k + ": all-reduce " +
                    "element " + i + " is " + floats.getFloat(4 * i) + ", expected " + expected);
            }
            floats.putLong(0, me == k % n ? 1000L + k : -1L);
            c.broadcast(address, 8, DType.U8, k % n);
            check(worldRank, floats.getLong(0) == 1000L + k, comm.name() + " round " + k + ": broadcast from " +
                k % n + " gave " + floats.getLong(0));
        }
        final long[] latestEntry = entered.clone();
        final long[] earliestExit = left.clone();
        c.allReduce(latestEntry, 0, ROUNDS, ReduceOp.MAX);
        c.allReduce(earliestExit, 0, ROUNDS, ReduceOp.MIN);
        for (int k = 0; k < ROUNDS; k++)
        {
            check(worldRank, latestEntry[k] <= earliestExit[k], comm.name() + " round " + k + " (" +
                switch (k % 4) { case 0 -> "barrier"; case 1 -> "ibarrier"; case 2 -> "barrierInit"; default ->
                    "ibarrier tested"; } + "): a rank left " + (latestEntry[k] - earliestExit[k]) / 1000 +
                " us before the last one entered");
        }
    }
}
