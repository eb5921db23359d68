package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.tensors.ReduceOp;

/**
 * Known traffic against the runtime's counters (run with {@code RINGFOLD_COUNTERS=1}): a point-to-point message of
 * N bytes counts N sent on one side and N received on the other, one message each; a ring all-reduce of N bytes on
 * p ranks sends and receives 2(p−1)/p·N bytes per rank, its reduce-scatter's p−1 blocks in chunks of the ring's
 * chunk size and its all-gather's p−1 blocks whole, on the communicator's context only; a
 * receive that waits for a late send counts at least the delay as waiting. Prints {@code ok counters rank R} per
 * check passed and throws on a mismatch, naming the counter and both numbers. With {@code off} as argument, checks
 * that every counter stays 0 (counters off).
 */
public final class CountersRanks
{
    /** Divisible by 4-byte elements × 2, 3 and 4 ranks, so every rank's ring blocks are the same size. */
    private static final int BYTES = 12 * 65536;
    private static final int DELAY_MS = 300;

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
                if (off ? delta != 0 : delta < (DELAY_MS - 50) * 1_000_000L)
                {
                    throw new IllegalStateException("rank 0: waited " + delta / 1_000_000 + " ms counted for a send " +
                        DELAY_MS + " ms late" + (off ? " with counters off (expected 0)" : ""));
                }
            }
            world.barrier();
            System.out.println("ok counters wait rank " + me);
        }
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
