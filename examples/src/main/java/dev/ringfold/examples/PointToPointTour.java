package dev.ringfold.examples;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.Status;
import dev.ringfold.mpi.TruncationException;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The point-to-point API in one runnable tour; docs/point-to-point.md quotes its sections (between the
 * "[snippet name]" and "[end]" comments, kept identical by a test). Run it on 2 or more ranks:
 * {@code bin/mpjrun -np 4 -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar dev.ringfold.examples.PointToPointTour}.
 * The sections are separated by barriers, so that no section's messages meet another's wildcard receives.
 */
public final class PointToPointTour
{
    private PointToPointTour()
    {
    }

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            if (world.size() < 2)
            {
                throw new IllegalArgumentException("run PointToPointTour on 2 or more ranks (mpjrun -np 2)");
            }
            arrays(world);
            world.barrier();
            exchange(world, 10_000);
            world.barrier();
            shift(world);
            world.barrier();
            synchronous(world);
            world.barrier();
            fanIn(world);
            world.barrier();
            truncation(world);
            world.barrier();
            groups(world);
            world.barrier();
            if (world.rank() == 0)
            {
                System.out.println("tour ok on " + world.size() + " ranks");
            }
        }
    }

    // [snippet arrays]
    /** Blocking send and receive of part of an array; the status says what arrived. */
    static void arrays(final Communicator world)
    {
        final int[] data = new int[10];
        if (world.rank() == 0)
        {
            for (int i = 0; i < data.length; i++)
            {
                data[i] = i * i;
            }
            world.send(data, 2, 5, 1, 10); // data[2..6] to rank 1 with tag 10
        }
        else if (world.rank() == 1)
        {
            final Status status = world.recv(data, 0, data.length, 0, 10); // room for 10 ints; 5 come
            System.out.println("arrays: " + status.count(Integer.BYTES) + " ints from rank " + status.source() +
                ", first " + data[0] + ", last " + data[4]);
        }
    }
    // [end]

    // [snippet exchange]
    /** Ranks 0 and 1 swap a long many times over; the loop allocates nothing (off-heap buffers, reused requests). */
    static void exchange(final Communicator world, final int rounds)
    {
        if (world.rank() > 1)
        {
            return;
        }
        final int other = 1 - world.rank();
        final UnsafeBuffer out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        final UnsafeBuffer in = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        final Request send = new Request();
        final Request recv = new Request();
        for (int i = 0; i < rounds; i++)
        {
            out.putLong(0, i * 2L + world.rank());
            world.irecv(in, 0, 8, other, 20, recv); // post the receive first,
            world.isend(out, 0, 8, other, 20, send); // then send; both reuse their Request
            Request.waitAll(recv, send);
            if (in.getLong(0) != i * 2L + other)
            {
                throw new IllegalStateException("exchange: round " + i + " got " + in.getLong(0));
            }
        }
        if (world.rank() == 0)
        {
            System.out.println("exchange: " + rounds + " rounds with rank " + other + " over " +
                world.transportTo(other));
        }
    }
    // [end]

    // [snippet shift]
    /** Every rank sends to its right and receives from its left in one call, which cannot deadlock. */
    static void shift(final Communicator world)
    {
        final int n = world.size();
        final int me = world.rank();
        final UnsafeBuffer mine = new UnsafeBuffer(new byte[4]);
        final UnsafeBuffer fromLeft = new UnsafeBuffer(new byte[4]);
        mine.putInt(0, me * 10);
        final Status status = world.sendRecv(mine, 0, 4, (me + 1) % n, 30, fromLeft, 0, 4, (me - 1 + n) % n, 30);
        if (fromLeft.getInt(0) != status.source() * 10)
        {
            throw new IllegalStateException("shift: got " + fromLeft.getInt(0) + " from rank " + status.source());
        }
    }
    // [end]

    // [snippet synchronous]
    /**
     * Synchronous mode: rank 0's issend of 8 bytes stays incomplete until rank 1 posts its receive, which rank 1
     * does only after rank 0 says so; a standard send this small would complete at once.
     */
    static void synchronous(final Communicator world)
    {
        final UnsafeBuffer message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8, 8));
        final UnsafeBuffer go = new UnsafeBuffer(new byte[4]);
        if (world.rank() == 0)
        {
            message.putLong(0, 42);
            final Request send = world.issend(message, 0, 8, 1, 35);
            final boolean completedEarly = send.test();
            world.send(go, 0, 4, 1, 36);
            send.await();
            System.out.println("synchronous: complete before the receive was posted: " + completedEarly +
                "; after: " + send.isComplete());
        }
        else if (world.rank() == 1)
        {
            world.recv(go, 0, 4, 0, 36);
            world.recv(message, 0, 8, 0, 35);
        }
    }
    // [end]

    // [snippet fanIn]
    /** Rank 0 takes one message from every other rank, in whatever order they come, polling with iprobe. */
    static void fanIn(final Communicator world)
    {
        if (world.rank() != 0)
        {
            world.send(new long[] {world.rank() * 100L}, 0, 1, 0, 40 + world.rank());
            return;
        }
        final long[] value = new long[1];
        final StringBuilder order = new StringBuilder();
        for (int received = 0; received < world.size() - 1; )
        {
            final Status waiting = world.iprobe(Communicator.ANY_SOURCE, Communicator.ANY_TAG);
            if (waiting == null)
            {
                continue; // nothing yet: a real program would do some work here
            }
            final int source = waiting.source(); // copy the fields: the next call overwrites the status
            final int tag = waiting.tag();
            world.recv(value, 0, 1, source, tag);
            order.append(received++ == 0 ? "" : ", ").append(source).append(" (tag ").append(tag).append(')');
        }
        System.out.println("fan-in: messages came from ranks " + order);
    }
    // [end]

    // [snippet truncation]
    /** A message longer than the receive buffer fails that receive only; the communicator goes on working. */
    static void truncation(final Communicator world)
    {
        if (world.rank() == 1)
        {
            world.send(new byte[100], 0, 100, 0, 50);
            world.send(new byte[10], 0, 10, 0, 51);
        }
        else if (world.rank() == 0)
        {
            final byte[] small = new byte[16];
            try
            {
                world.recv(small, 0, small.length, 1, 50);
            }
            catch (final TruncationException expected)
            {
                System.out.println("truncation: " + expected.getMessage());
            }
            world.recv(small, 0, small.length, 1, 51); // the next message arrives as usual
        }
    }
    // [end]

    // [snippet groups]
    /** Communicators of one's own: even and odd ranks apart, and a duplicate whose messages never mix. */
    static void groups(final Communicator world)
    {
        try (Communicator half = world.split(world.rank() % 2, world.rank());
             Communicator copy = world.dup())
        {
            if (half.rank() == 0)
            {
                final Request[] pending = new Request[half.size() - 1];
                final long[][] values = new long[half.size()][1];
                for (int r = 1; r < half.size(); r++)
                {
                    pending[r - 1] = half.irecv(values[r], 0, 1, r, 60);
                }
                for (int i = 0; i < pending.length; i++)
                {
                    final int done = Request.waitAny(pending); // which one completed; it goes inactive
                    if (values[done + 1][0] != half.worldRank(done + 1))
                    {
                        throw new IllegalStateException("groups: wrong value from " + half.name() + " rank " + (done + 1));
                    }
                }
                System.out.println("groups: " + half.name() + " has " + half.size() + " ranks; world rank " +
                    world.rank() + " is its rank 0");
            }
            else
            {
                half.send(new long[] {world.rank()}, 0, 1, 0, 60);
            }

            // the same source and tag on two communicators: each receive matches only its own communicator
            if (world.rank() == 1)
            {
                copy.send(new int[] {2}, 0, 1, 0, 70);
                world.send(new int[] {1}, 0, 1, 0, 70);
            }
            else if (world.rank() == 0)
            {
                final int[] a = new int[1];
                final int[] b = new int[1];
                world.recv(a, 0, 1, 1, 70);
                copy.recv(b, 0, 1, 1, 70);
                if (a[0] != 1 || b[0] != 2)
                {
                    throw new IllegalStateException("groups: messages crossed communicators");
                }
            }
        }
    }
    // [end]
}
