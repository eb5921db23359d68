package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.ringfold.collectives.RankChecks.check;

/**
 * Persistent all-reduce and broadcast requests through every algorithm (each forced, and the table's own pick, small
 * and large), with call checks on: each request runs the algorithm the selection table names for it, gives the right
 * result on each of three starts with new data, while blocking and non-blocking calls of the same communicator run
 * between and alongside; a persistent call that does not match the other ranks' raises the checks' mismatch on every
 * rank. Prints {@code ok persistent rank r} and {@code ok persistent-mismatch rank r}.
 */
public final class PersistentRanks
{
    private static final int LARGE = 100_000; // floats: past the small-message rows of the table
    private static int me;
    private static int n;

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            me = world.rank();
            n = world.size();
            final Collectives c = Collectives.of(world).checkCalls(true);
            final Buffer a = new Buffer(LARGE);
            final Buffer b = new Buffer(LARGE);
            for (final Collectives.AllReduceAlgorithm algorithm : Collectives.AllReduceAlgorithm.values())
            {
                if (algorithm == Collectives.AllReduceAlgorithm.SHARED_MEMORY && !c.isOneNode())
                {
                    continue; // refused across nodes (tested in CollectivesRanks)
                }
                c.forceAllReduce(algorithm);
                for (final int count : new int[] {7, LARGE})
                {
                    allReduce(c, a, b, count);
                }
            }
            c.forceAllReduce(Collectives.AllReduceAlgorithm.AUTO);
            for (final Collectives.BroadcastAlgorithm algorithm : Collectives.BroadcastAlgorithm.values())
            {
                if (algorithm == Collectives.BroadcastAlgorithm.SHARED_MEMORY && !c.isOneNode())
                {
                    continue;
                }
                c.forceBroadcast(algorithm);
                for (final int count : new int[] {7, LARGE})
                {
                    broadcast(c, a, b, count);
                }
            }
            System.out.println("ok persistent rank " + me);
            mismatch(world, a);
            world.barrier();
        }
    }

    private static void allReduce(final Collectives c, final Buffer a, final Buffer b, final int count)
    {
        final Collectives.AllReduceAlgorithm picked = c.algorithmFor(count, DType.F32, ReduceOp.SUM);
        final CollectiveRequest r = c.allReduceInit(a.address, a.address, count, DType.F32, ReduceOp.SUM);
        check(me, r.toString().contains(describes(picked.name())), "allReduceInit of " + count + " runs " + r +
            ", the table says " + picked);
        for (int k = 0; k < 3; k++)
        {
            a.fill(count, me + 1 + k);
            b.fill(count, 1);
            r.start();
            c.allReduce(b.address, b.address, count, DType.F32, ReduceOp.SUM); // a blocking call while it runs
            final CollectiveRequest other = c.iallReduce(b.address, b.address, count, DType.F32, ReduceOp.SUM);
            r.await();
            other.await();
            final float want = n * (n + 1) / 2f + n * k;
            check(me, a.get(0) == want && a.get(count - 1) == want, picked + " persistent allReduce of " + count +
                ", start " + k + ": " + a.get(count - 1) + ", expected " + want);
            check(me, b.get(count - 1) == n * n, "the calls alongside the persistent " + picked);
        }
        System.out.println("persistent rank " + me + ": " + r);
    }

    private static void broadcast(final Collectives c, final Buffer a, final Buffer b, final int count)
    {
        final Collectives.BroadcastAlgorithm picked = c.broadcastAlgorithmFor(4L * count);
        final int root = n - 1;
        final CollectiveRequest r = c.broadcastInit(a.address, count, DType.F32, root);
        check(me, r.toString().contains(describes(picked.name())), "broadcastInit of " + count + " runs " + r +
            ", the table says " + picked);
        for (int k = 0; k < 3; k++)
        {
            a.fill(count, me == root ? 10 + k : -1);
            r.start();
            b.fill(count, me + 1);
            c.allReduce(b.address, b.address, count, DType.F32, ReduceOp.SUM);
            r.await();
            check(me, a.get(0) == 10 + k && a.get(count - 1) == 10 + k, picked + " persistent broadcast of " + count +
                ", start " + k + ": " + a.get(count - 1));
        }
        System.out.println("persistent rank " + me + ": " + r);
    }

    /** How an algorithm's state machine describes itself. */
    private static String describes(final String algorithm)
    {
        return switch (algorithm)
        {
            case "RECURSIVE_DOUBLING" -> "(recursive doubling)";
            case "SHARED_MEMORY" -> "(shared memory)";
            case "MPI" -> "(MPI_";
            default -> "(" + algorithm.toLowerCase(java.util.Locale.ROOT) + ")";
        };
    }

    /** Rank 0 makes its persistent all-reduce of a different count: the first start fails on every rank. */
    private static void mismatch(final Communicator world, final Buffer a)
    {
        final Communicator dup = world.dup();
        final Collectives c = Collectives.of(dup).checkCalls(true);
        final CollectiveRequest r = c.allReduceInit(a.address, a.address, me == 0 ? 8 : 16, DType.F32, ReduceOp.SUM);
        try
        {
            r.start().await();
            throw new AssertionError("rank " + me + ": mismatched persistent calls went through");
        }
        catch (final CollectiveMismatchException expected)
        {
            check(me, expected.getMessage().contains("collective calls do not match"), expected.getMessage());
        }
        dup.close();
        System.out.println("ok persistent-mismatch rank " + me);
    }

    private static final class Buffer
    {
        final ByteBuffer bytes;
        final long address;

        Buffer(final int floats)
        {
            bytes = BufferUtil.allocateDirectAligned(4 * floats, 64).order(ByteOrder.nativeOrder());
            address = BufferUtil.address(bytes);
        }

        void fill(final int count, final float value)
        {
            for (int i = 0; i < count; i++)
            {
                bytes.putFloat(4 * i, value);
            }
        }

        float get(final int i)
        {
            return bytes.getFloat(4 * i);
        }
    }
}
