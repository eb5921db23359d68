package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.tensors.DType;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;

import static dev.ringfold.collectives.RankChecks.check;
import static dev.ringfold.collectives.RankChecks.sleep;

/**
 * Shared-memory broadcasts from private off-heap memory that each reader copies together with the root (run with
 * {@code RINGFOLD_CMA=1 RINGFOLD_CMA_SPLIT_MIN=65536 RINGFOLD_COUNTERS=1}, so that every size here above 64 KiB takes
 * the path at any rank count): every root; sizes that are not a multiple of the pieces; each call with a new
 * pattern, so that a stale or misplaced piece shows; non-blocking calls whose root sleeps before it waits (its
 * readers copy every piece alone); and rounds where one reader's memory is a Java array (it has the root stage the
 * message, the others still pull). Every reader counts exactly the message's bytes read; a reader writes nothing.
 * Prints {@code ok together rank R}.
 */
public final class BroadcastTogetherRanks
{
    private static final long[] SIZES = {300_001, 1 << 20, 5 * (1 << 20) + 7};
    private static final long MAX = 5 * (1 << 20) + 7;

    public static void main(final String[] args) throws Exception
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final int me = world.rank();
            final int p = world.size();
            final Collectives c = Collectives.of(world);
            c.forceBroadcast(Collectives.BroadcastAlgorithm.SHARED_MEMORY);
            final ByteBuffer keep = BufferUtil.allocateDirectAligned((int)MAX, 64);
            final long buf = BufferUtil.address(keep);
            final byte[] heap = new byte[(int)MAX];
            c.broadcast(buf, 1 << 20, DType.I8, 0); // sets the region up; the first pull from a root is alone
            int call = 0;
            for (int round = 0; round < 3; round++)
            {
                for (int root = 0; root < p; root++)
                {
                    for (final long bytes : SIZES)
                    {
                        call++;
                        final boolean array = round == 2 && p > 2 && me == (root + 1) % p;
                        fill(buf, heap, array, bytes, me == root ? call : -1);
                        final long readBefore = Counters.sharedReadBytes(world.context());
                        final long writtenBefore = Counters.sharedWrittenBytes(world.context());
                        if (array)
                        {
                            c.broadcast(heap, 0, (int)bytes, root);
                        }
                        else if (round == 1)
                        {
                            final CollectiveRequest request = c.ibroadcast(buf, bytes, DType.I8, root);
                            if (me == root)
                            {
                                sleep(20);
                            }
                            request.await();
                        }
                        else
                        {
                            c.broadcast(buf, bytes, DType.I8, root);
                        }
                        final long read = Counters.sharedReadBytes(world.context()) - readBefore;
                        final long written = Counters.sharedWrittenBytes(world.context()) - writtenBefore;
                        for (long i = 0; i < bytes; i++)
                        {
                            final byte got = array ? heap[(int)i] : UnsafeApi.getByte(buf + i);
                            if (got != pattern(call, i))
                            {
                                throw new AssertionError("rank " + me + ": broadcast " + call + " (round " + round +
                                    ", root " + root + ", " + bytes + " bytes" + (array ? ", into an array" : "") +
                                    "): byte " + i + " is " + got + ", expected " + pattern(call, i));
                            }
                        }
                        if (me != root)
                        {
                            check(me, read == bytes, "broadcast " + call + ": read " + read + " bytes, expected " +
                                bytes);
                            check(me, written == 0, "broadcast " + call + ": a reader wrote " + written + " bytes");
                        }
                    }
                }
            }
            world.barrier();
            System.out.println("ok together rank " + me);
        }
    }

    /** The root's message of call {@code call} (the others' memory is cleared: {@code call} -1). */
    private static void fill(final long buf, final byte[] heap, final boolean array, final long bytes, final int call)
    {
        for (long i = 0; i < bytes; i++)
        {
            final byte b = call < 0 ? 0 : pattern(call, i);
            if (array)
            {
                heap[(int)i] = b;
            }
            else
            {
                UnsafeApi.putByte(buf + i, b);
            }
        }
    }

    private static byte pattern(final int call, final long i)
    {
        return (byte)(i * 31 + (i >>> 18) * 7 + call);
    }
}
