package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Known traffic against the runtime's counters (run with {@code RINGFOLD_COUNTERS=1}): a point-to-point message of
 * N bytes counts N sent on one side and N received on the other, one message each; a ring all-reduce of N bytes on
 * p ranks sends and receives 2(p−1)/p·N bytes per rank, its reduce-scatter's p−1 blocks in chunks of the ring's
 * chunk size and its all-gather's p−1 blocks whole, on the communicator's context only; a
 * receive that waits for a late send counts at least the delay as waiting. Node-shared traffic, which moves
 * without messages: the staged shared-memory all-reduce of N bytes writes N per rank (its input, staged for the
 * peers) and reads its slice of the n − 1 peers' staged inputs and the n − 1 peers' result slices (2(p−1)/p·N when
 * the chunks divide by p); the in-place all-reduce over node-shared tensors reads its slice of the p − 1 peers'
 * sources and writes it into their destinations ((p−1)/p·N each way); in-place reduce-scatter and all-gather
 * read the p − 1 peers' blocks and write nothing for peers; a staged broadcast's root writes N and every other
 * rank reads N; a broadcast from a node-shared tensor is read in place by every other rank (N) and the root writes
 * nothing; none of them sends a message. Prints {@code ok counters rank R} per
 * check passed and throws on a mismatch, naming the counter and both numbers. With {@code off} as argument, checks
 * that every counter stays 0 (counters off).
 */
public final class CountersRanks
{
    /** Divisible by 4-byte elements × 2, 3 and 4 ranks, so every rank's ring blocks are the same size. */
    private static final int BYTES = 12 * 65536;
    /** Long enough that half of it, the least rank 0 must count, stays clear of a loaded machine's scheduling. */
    private static final int DELAY_MS = 1000;

    public static void main(final String[] args) throws Exception
    {
        final boolean off = args.length > 0 && args[0].equals("off");
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final int me = world.rank();
            final int p = world.size();
            if (off != !Counters.ON)
            {
                throw new IllegalStateException("rank " + me + ": Counters.ON is " + Counters.ON + ", expected " +
                    !off);
            }
            final byte[] message = new byte[BYTES];
            // point-to-point: rank 0 sends N bytes to rank 1
            world.barrier();
            long sent = Counters.sentBytes();
            long received = Counters.receivedBytes();
            long sentMessages = Counters.sentMessages();
            long receivedMessages = Counters.receivedMessages();
            if (me == 0)
            {
                world.send(message, 0, BYTES, 1, 5);
            }
            else if (me == 1)
            {
                world.recv(message, 0, BYTES, 0, 5);
            }
            check(me, "p2p bytes sent", Counters.sentBytes() - sent, off || me != 0 ? 0 : BYTES);
            check(me, "p2p messages sent", Counters.sentMessages() - sentMessages, off || me != 0 ? 0 : 1);
            check(me, "p2p bytes received", Counters.receivedBytes() - received, off || me != 1 ? 0 : BYTES);
            check(me, "p2p messages received", Counters.receivedMessages() - receivedMessages, off || me != 1 ? 0 : 1);
            System.out.println("ok counters p2p rank " + me);

            // ring all-reduce of N bytes on a communicator of its own, so its context holds only this traffic
            final Communicator ringComm = world.dup();
            world.barrier();
            final float[] data = new float[BYTES / Float.BYTES];
            final int context = ringComm.context();
            sent = Counters.sentBytes();
            received = Counters.receivedBytes();
            final long sentOnComm = Counters.sentBytes(context);
            final long messagesOnComm = Counters.sentMessages(context);
            Collectives.of(ringComm).forceAllReduce(Collectives.AllReduceAlgorithm.RING)
                .allReduce(data, 0, data.length, ReduceOp.SUM);
            final long expected = off ? 0 : 2L * (p - 1) * BYTES / p;
            check(me, "ring all-reduce bytes sent", Counters.sentBytes() - sent, expected);
            check(me, "ring all-reduce bytes received", Counters.receivedBytes() - received, expected);
            check(me, "ring all-reduce bytes sent on its communicator", Counters.sentBytes(context) - sentOnComm,
                expected);
            check(me, "ring all-reduce messages on its communicator", Counters.sentMessages(context) - messagesOnComm,
                off ? 0 : (p - 1) * ((BYTES / p + RingAllReduce.CHUNK_BYTES - 1) / RingAllReduce.CHUNK_BYTES + 1));
            ringComm.close();
            System.out.println("ok counters allreduce rank " + me);

            if (Collectives.of(world).isOneNode())
            {
                nodeShared(rf, world, off);
                System.out.println("ok counters shared rank " + me);
            }
            else
            {
                System.out.println("no node-shared counters: not one node, rank " + me);
            }

            // waiting: rank 1 sends late, rank 0 waits for it
            world.barrier();
            final long waited = Counters.waitNanos();
            if (me == 1)
            {
                Thread.sleep(DELAY_MS);
                world.send(message, 0, 8, 0, 6);
            }
            else if (me == 0)
            {
                world.recv(message, 0, 8, 1, 6);
                final long delta = Counters.waitNanos() - waited;
                if (off ? delta != 0 : delta < DELAY_MS / 2 * 1_000_000L)
                {
                    throw new IllegalStateException("rank 0: waited " + delta / 1_000_000 + " ms counted for a send " +
                        DELAY_MS + " ms late" + (off ? " with counters off (expected 0)" : ""));
                }
            }
            world.barrier();
            System.out.println("ok counters wait rank " + me);
        }
    }

    /** Node-shared collectives on a communicator of their own, against the bytes each moves through the region. */
    private static void nodeShared(final Ringfold rf, final Communicator world, final boolean off)
    {
        final int me = world.rank();
        final int p = world.size();
        final long count = BYTES / Float.BYTES;
        try (BufferAllocator root = new RootAllocator();
             NodeSharedAllocator shared = NodeSharedAllocator.create(rf, root);
             Communicator comm = world.dup();
             Tensor src = shared.allocate(DType.F32, count);
             Tensor dst = shared.allocate(DType.F32, count);
             Tensor block = shared.allocate(DType.F32, count / p);
             Tensor privateBlock = Tensors.allocate(root, DType.F32, count / p))
        {
            final Collectives c = Collectives.of(comm).forceAllReduce(Collectives.AllReduceAlgorithm.SHARED_MEMORY)
                .forceBroadcast(Collectives.BroadcastAlgorithm.SHARED_MEMORY);
            final float[] data = new float[(int)count];

            // staged: Java arrays are private memory, so every chunk goes through the region
            long stagedRead = 0;
            final long chunk = NodeScratch.chunkBytes(comm.settings().collectives().shmChunkBytes(), p) /
                Float.BYTES;
            for (long first = 0; first < count; first += chunk)
            {
                final long n = Math.min(chunk, count - first);
                final long mine = Blocks.length(n, p, me);
                stagedRead += ((p - 1) * mine + n - mine) * Float.BYTES;
            }
            sharedCheck(comm, off, "staged all-reduce", stagedRead, BYTES,
                () -> c.allReduce(data, 0, data.length, ReduceOp.SUM));

            // in place over node-shared tensors: this rank's slice from every peer's source into every destination
            final long slice = (p - 1) * Blocks.length(count, p, me) * Float.BYTES;
            sharedCheck(comm, off, "in-place all-reduce", slice, slice,
                () -> c.allReduce(src.address(), dst.address(), count, DType.F32, ReduceOp.SUM));

            final long blockBytes = count / p * Float.BYTES;
            sharedCheck(comm, off, "in-place reduce-scatter", (p - 1) * blockBytes, 0,
                () -> c.reduceScatter(src.address(), privateBlock.address(), count / p, DType.F32, ReduceOp.SUM));
            sharedCheck(comm, off, "in-place all-gather", (p - 1) * blockBytes, 0,
                () -> c.allGather(block.address(), dst.address(), count / p, DType.F32));

            final int broadcastRoot = p - 1;
            sharedCheck(comm, off, "staged broadcast", me == broadcastRoot ? 0 : BYTES,
                me == broadcastRoot ? BYTES : 0, () -> c.broadcast(data, 0, data.length, broadcastRoot));
            sharedCheck(comm, off, "in-place broadcast", me == broadcastRoot ? 0 : BYTES, 0,
                () -> c.broadcast(src, broadcastRoot));
        }
    }

    private static void sharedCheck(final Communicator comm, final boolean off, final String what,
        final long read, final long written, final Runnable collective)
    {
        final int me = comm.rank();
        final int context = comm.context();
        collective.run(); // the first call sets the region up, with messages of its own
        comm.barrier();
        final long readBefore = Counters.sharedReadBytes(context);
        final long writtenBefore = Counters.sharedWrittenBytes(context);
        final long readEverywhere = Counters.sharedReadBytes();
        final long messages = Counters.sentMessages(context) + Counters.receivedMessages(context);
        collective.run();
        check(me, what + " node-shared bytes read", Counters.sharedReadBytes(context) - readBefore, off ? 0 : read);
        check(me, what + " node-shared bytes written", Counters.sharedWrittenBytes(context) - writtenBefore,
            off ? 0 : written);
        check(me, what + " node-shared bytes read on every context", Counters.sharedReadBytes() - readEverywhere,
            off ? 0 : read);
        check(me, what + " messages", Counters.sentMessages(context) + Counters.receivedMessages(context) - messages,
            0);
    }

    private static void check(final int rank, final String what, final long actual, final long expected)
    {
        if (actual != expected)
        {
            throw new IllegalStateException("rank " + rank + ": " + what + ": counted " + actual + ", expected " +
                expected);
        }
    }
}
