package dev.ringfold.hpctests.p2p;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.Status;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.ArrowBuf;

import dev.ringfold.tensors.ArrowMessages;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Random;

import static dev.ringfold.mpi.Communicator.ANY_SOURCE;
import static dev.ringfold.mpi.Communicator.ANY_TAG;

/**
 * The point-to-point suite, run by every rank of a real job: each scenario checks every byte it receives and
 * prints {@code ok <scenario>} when it passes; any mismatch throws, so the rank and the job fail.
 * Args: the scenarios to run (default all), and {@code messages=N} for the ordering test.
 */
public final class PointToPointRanks
{
    private static Communicator world;
    private static int me;
    private static int n;

    public static void main(final String[] args)
    {
        int orderingMessages = 100_000;
        java.util.List<String> scenarios = new java.util.ArrayList<>();
        for (final String a : args)
        {
            if (a.startsWith("messages="))
            {
                orderingMessages = Integer.parseInt(a.substring(9));
            }
            else
            {
                scenarios.add(a);
            }
        }
        if (scenarios.isEmpty())
        {
            scenarios = java.util.List.of("pingpong", "sizes", "allpairs", "fanin", "ordering", "types", "probe",
                "requests", "contexts", "errors", "synchronous");
        }
        try (Ringfold rf = Ringfold.init())
        {
            world = rf.world();
            me = world.rank();
            n = world.size();
            for (final String s : scenarios)
            {
                switch (s)
                {
                    case "pingpong" -> pingPong();
                    case "sizes" -> sizes();
                    case "allpairs" -> allPairs();
                    case "fanin" -> fanIn();
                    case "ordering" -> ordering(orderingMessages);
                    case "types" -> payloadTypes();
                    case "probe" -> probe();
                    case "requests" -> requests();
                    case "contexts" -> contexts();
                    case "errors" -> errors();
                    case "synchronous" -> synchronous();
                    default -> throw new IllegalArgumentException("unknown scenario " + s);
                }
                world.barrier();
                System.out.println("ok " + s + " rank " + me + " of " + n);
            }
            world.barrier();
        }
        // after close (finalize), every call fails clearly
        final String msg = Check.raises(dev.ringfold.mpi.CommunicatorClosedException.class,
            () -> world.send(new byte[1], 0, 1, 0, 0), "send after close").getMessage();
        Check.that(msg.contains("closed"), "message says the runtime is closed: " + msg);
        System.out.println("ok closed rank " + me + " of " + n);
    }

    private static UnsafeBuffer offHeap(final int bytes)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(bytes, 8), 64));
    }

    private static byte pattern(final int i, final int seed)
    {
        return (byte)(i * 31 + seed * 7 + (i >>> 11));
    }

    private static void fill(final UnsafeBuffer b, final int length, final int seed)
    {
        for (int i = 0; i < length; i++)
        {
            b.putByte(i, pattern(i, seed));
        }
    }

    private static void verify(final UnsafeBuffer b, final int length, final int seed, final String what)
    {
        for (int i = 0; i < length; i++)
        {
            if (b.getByte(i) != pattern(i, seed))
            {
                throw new AssertionError(what + ": byte " + i + " of " + length + " is " + b.getByte(i) +
                    ", expected " + pattern(i, seed));
            }
        }
    }

    /** Rank 0 and the last rank bounce a message back and forth, checking it each way. */
    private static void pingPong()
    {
        if (n == 1)
        {
            return;
        }
        final int peer = me == 0 ? n - 1 : 0;
        if (me != 0 && me != n - 1)
        {
            return;
        }
        final UnsafeBuffer b = offHeap(64);
        for (int i = 0; i < 2_000; i++)
        {
            if (me == 0)
            {
                b.putLong(0, i);
                world.send(b, 0, 8, peer, 3);
                final Status s = world.recv(b, 0, 8, peer, 4);
                Check.equal(i + 1_000_000L, b.getLong(0), "pong payload");
                Check.equal(8, s.count(), "pong count");
                Check.equal(peer, s.source(), "pong source");
            }
            else
            {
                final Status s = world.recv(b, 0, 8, peer, 3);
                Check.equal(i, b.getLong(0), "ping payload");
                Check.equal(3, s.tag(), "ping tag");
                b.putLong(0, i + 1_000_000L);
                world.send(b, 0, 8, peer, 4);
            }
        }
    }

    /** Sizes from 0 bytes to 64 MiB, odd ones included, both ways between rank 0 and its neighbours. */
    private static void sizes()
    {
        final int[] sizes = {0, 1, 7, 8, 63, 4095, 32767, 32768, 32769, 65_537, 1 << 20, (1 << 20) + 3,
            (16 << 20) - 1, 64 << 20};
        final UnsafeBuffer buf = offHeap(64 << 20);
        final int right = (me + 1) % n;
        final int left = (me - 1 + n) % n;
        for (final int size : sizes)
        {
            // everyone sends to the right and receives from the left: both directions of every pair get used
            fill(buf, size, me + size);
            final UnsafeBuffer in = n == 1 ? buf : offHeap(size);
            final Request r = world.irecv(in, 0, size, left, 11);
            world.send(buf, 0, size, right, 11);
            final Status s = r.await();
            Check.equal(size, s.count(), "count of a " + size + "-byte message from " + left);
            verify(in, size, left + size, size + "-byte message from rank " + left);
        }
    }

    /** Every ordered pair exchanges a small and a rendezvous-sized message. */
    private static void allPairs()
    {
        final int small = 100;
        final int large = 200_000;
        final UnsafeBuffer out = offHeap(large);
        final UnsafeBuffer[] in = new UnsafeBuffer[n];
        final Request[] reqs = new Request[2 * n];
        for (final int size : new int[] {small, large})
        {
            fill(out, size, me);
            for (int p = 0; p < n; p++)
            {
                in[p] = offHeap(size);
                reqs[p] = world.irecv(in[p], 0, size, p, 20 + p);
            }
            for (int k = 0; k < n; k++)
            {
                final int p = (me + k) % n;
                reqs[n + p] = world.isend(out, 0, size, p, 20 + me);
            }
            Request.waitAll(reqs);
            for (int p = 0; p < n; p++)
            {
                verify(in[p], size, p, "all-pairs " + size + " B from rank " + p);
                Check.equal(p, reqs[p].status().source(), "all-pairs source");
            }
        }
    }

    /** Every rank sends to rank 0, which receives from ANY_SOURCE and must hear from each exactly as often. */
    private static void fanIn()
    {
        final int perRank = 200;
        final UnsafeBuffer b = offHeap(16);
        if (me == 0)
        {
            final int[] seen = new int[n];
            for (int i = 0; i < perRank * (n - 1); i++)
            {
                final Status s = world.recv(b, 0, 16, ANY_SOURCE, ANY_TAG);
                Check.that(s.source() > 0 && s.source() < n, "fan-in source " + s.source());
                Check.equal(s.source(), b.getInt(0), "fan-in payload names its sender");
                Check.equal(seen[s.source()], b.getInt(4), "fan-in message number from rank " + s.source());
                Check.equal(40 + s.source(), s.tag(), "fan-in tag");
                seen[s.source()]++;
            }
            for (int p = 1; p < n; p++)
            {
                Check.equal(perRank, seen[p], "messages from rank " + p);
            }
        }
        else
        {
            for (int i = 0; i < perRank; i++)
            {
                b.putInt(0, me);
                b.putInt(4, i);
                world.send(b, 0, 16, 0, 40 + me);
            }
        }
    }

    /**
     * Under load: every other rank streams sequence-numbered messages of mixed sizes (some rendezvous) to rank 0
     * through windows of non-blocking sends; rank 0 takes them from ANY_SOURCE and checks that each sender's
     * sequence arrives in order (MPI's non-overtaking rule).
     */
    private static void ordering(final int total)
    {
        if (n == 1)
        {
            return;
        }
        final int perSender = total / (n - 1);
        final int window = 16;
        final int big = 40_000;
        if (me == 0)
        {
            final UnsafeBuffer b = offHeap(big);
            final long[] next = new long[n];
            for (int i = 0; i < perSender * (n - 1); i++)
            {
                final Status s = world.recv(b, 0, big, ANY_SOURCE, 7);
                final int src = s.source();
                Check.equal(next[src], b.getLong(0), "sequence number from rank " + src);
                Check.equal(sizeOf(next[src]), s.count(), "size of message " + next[src] + " from rank " + src);
                if (s.count() >= 16)
                {
                    Check.equal(next[src] ^ 0x5A5A5A5AL, b.getLong(s.count() - 8), "tail stamp from rank " + src);
                }
                next[src]++;
            }
        }
        else
        {
            final UnsafeBuffer[] bufs = new UnsafeBuffer[window];
            final Request[] reqs = new Request[window];
            for (int w = 0; w < window; w++)
            {
                bufs[w] = offHeap(big);
                reqs[w] = new Request();
            }
            for (long i = 0; i < perSender; i++)
            {
                final int w = (int)(i % window);
                if (reqs[w].isActive())
                {
                    reqs[w].await();
                }
                final int size = sizeOf(i);
                bufs[w].putLong(0, i);
                if (size >= 16)
                {
                    bufs[w].putLong(size - 8, i ^ 0x5A5A5A5AL);
                }
                world.isend(bufs[w], 0, size, 0, 7, reqs[w]);
            }
            Request.waitAll(reqs);
        }
    }

    private static int sizeOf(final long seq)
    {
        return seq % 997 == 0 ? 40_000 : 8 + (int)(seq % 13) * 8;
    }

    /** Primitive arrays with offsets, ByteBuffer (heap and direct), MemorySegment, ArrowBuf. */
    private static void payloadTypes()
    {
        if (n == 1)
        {
            return;
        }
        final int peer = me == 0 ? 1 : 0;
        if (me > 1)
        {
            return;
        }
        final boolean sender = me == 0;
        final int count = 50_000; // large enough that every type takes the rendezvous path too
        final double[] d = new double[count + 10];
        final float[] f = new float[count + 10];
        final int[] ints = new int[count + 10];
        final long[] longs = new long[count + 10];
        final byte[] bytes = new byte[count + 10];
        if (sender)
        {
            for (int i = 0; i < count + 10; i++)
            {
                d[i] = i * 0.5;
                f[i] = i * 0.25f;
                ints[i] = i * 3;
                longs[i] = i * 1_000_000_007L;
                bytes[i] = (byte)i;
            }
            world.send(d, 5, count, peer, 1);
            world.send(f, 5, count, peer, 2);
            world.send(ints, 5, count, peer, 3);
            world.send(longs, 5, count, peer, 4);
            world.send(bytes, 5, count, peer, 5);
        }
        else
        {
            Check.equal((long)count * 8, world.recv(d, 0, count, peer, 1).count(), "double count");
            Check.equal((long)count * 4, world.recv(f, 0, count, peer, 2).count(), "float count");
            world.recv(ints, 0, count, peer, 3);
            world.recv(longs, 0, count, peer, 4);
            world.recv(bytes, 0, count, peer, 5);
            for (int i = 0; i < count; i++)
            {
                Check.that(d[i] == (i + 5) * 0.5 && f[i] == (i + 5) * 0.25f && ints[i] == (i + 5) * 3 &&
                    longs[i] == (i + 5) * 1_000_000_007L && bytes[i] == (byte)(i + 5), "array element " + i);
            }
        }
        final int len = 300_000;
        final ByteBuffer heap = ByteBuffer.allocate(len + 16);
        final ByteBuffer direct = ByteBuffer.allocateDirect(len + 16);
        try (Arena arena = Arena.ofConfined(); BufferAllocator allocator = new RootAllocator())
        {
            final MemorySegment seg = arena.allocate(len, 64);
            final ArrowBuf arrow = allocator.buffer(len + 64);
            try
            {
                if (sender)
                {
                    for (int i = 0; i < len; i++)
                    {
                        heap.put(i + 16, (byte)(i * 3));
                        direct.put(i + 16, (byte)(i * 5));
                        seg.set(ValueLayout.JAVA_BYTE, i, (byte)(i * 7));
                        arrow.setByte(i + 64, (byte)(i * 11));
                    }
                    world.send(heap.position(16), peer, 6);
                    world.send(direct.position(16), peer, 7);
                    world.send(seg, peer, 8);
                    ArrowMessages.send(world, arrow, 64, len, peer, 9);
                }
                else
                {
                    world.recv(heap.position(16), peer, 6);
                    world.recv(direct.position(16), peer, 7);
                    world.recv(seg, peer, 8);
                    ArrowMessages.recv(world, arrow, 64, len, peer, 9);
                    for (int i = 0; i < len; i++)
                    {
                        Check.that(heap.get(i + 16) == (byte)(i * 3), "heap ByteBuffer byte " + i);
                        Check.that(direct.get(i + 16) == (byte)(i * 5), "direct ByteBuffer byte " + i);
                        Check.that(seg.get(ValueLayout.JAVA_BYTE, i) == (byte)(i * 7), "MemorySegment byte " + i);
                        Check.that(arrow.getByte(i + 64) == (byte)(i * 11), "ArrowBuf byte " + i);
                    }
                }
            }
            finally
            {
                arrow.close();
            }
        }
    }

    /** probe/iprobe see a message's source, tag and size before it is received; tags select. */
    private static void probe()
    {
        if (n == 1)
        {
            return;
        }
        final UnsafeBuffer b = offHeap(5000);
        if (me == 1)
        {
            fill(b, 4321, 9);
            world.send(b, 0, 100, 0, 50);
            world.send(b, 0, 4321, 0, 51);
            world.send(b, 0, 1, 0, 52); // tells rank 0 both have been sent
        }
        else if (me == 0)
        {
            world.recv(b, 0, 1, 1, 52);
            final Status s = world.probe(1, 51);
            Check.equal(4321, s.count(), "probed size");
            Check.equal(51, s.tag(), "probed tag");
            Check.equal(1, s.source(), "probed source");
            final Status any = world.iprobe(ANY_SOURCE, ANY_TAG);
            Check.that(any != null && any.tag() == 50, "iprobe(ANY, ANY) sees the earliest message (tag 50)");
            Check.that(world.iprobe(1, 99) == null, "iprobe of a tag nobody sent");
            world.recv(b, 0, 5000, 1, 51);
            verify(b, 4321, 9, "probed message");
            Check.equal(100, world.recv(b, 0, 5000, 1, 50).count(), "tag 50 after tag 51");
        }
    }

    /** test() polls without blocking; waitAny hands out each completed request once; isActive tracks it. */
    private static void requests()
    {
        final UnsafeBuffer[] in = new UnsafeBuffer[n];
        final Request[] reqs = new Request[n];
        for (int p = 0; p < n; p++)
        {
            in[p] = offHeap(100_000);
            reqs[p] = world.irecv(in[p], 0, 100_000, p, 80);
        }
        final UnsafeBuffer out = offHeap(100_000);
        final Request[] sends = new Request[n];
        for (int p = 0; p < n; p++)
        {
            final int size = p % 2 == 0 ? 64 : 100_000; // eager and rendezvous
            fill(out, size, me);
            sends[p] = world.isend(out, 0, size, p, 80);
            while (!sends[p].test())
            {
                Thread.onSpinWait(); // test() drives progress itself
            }
        }
        final boolean[] seen = new boolean[n];
        for (int k = 0; k < n; k++)
        {
            final int i = Request.waitAny(reqs);
            Check.that(i >= 0 && !seen[i], "waitAny returns each request once, got " + i);
            seen[i] = true;
            Check.that(!reqs[i].isActive(), "a request waitAny returned is inactive");
            Check.equal(i, reqs[i].status().source(), "waitAny status source");
            Check.equal(me % 2 == 0 ? 64 : 100_000, reqs[i].status().count(), "waitAny status count");
            verify(in[i], reqs[i].status().count(), i, "waitAny message from " + i);
        }
        Check.equal(-1, Request.waitAny(reqs), "waitAny with nothing active");
    }

    /**
     * Synchronous mode: an issend does not complete before its receive is posted, however small (empty, 8 B, and
     * off-heap and heap) while a standard send of the same size completes at once; every rank pairs with the next.
     */
    private static void synchronous()
    {
        if (n == 1)
        {
            return;
        }
        final int next = (me + 1) % n;
        final int prev = (me + n - 1) % n;
        final UnsafeBuffer out = offHeap(64);
        final UnsafeBuffer in = offHeap(64);
        final UnsafeBuffer go = offHeap(8);
        for (final int size : new int[] {0, 8, 64})
        {
            for (final boolean heap : new boolean[] {false, true})
            {
                fill(out, size, me + size);
                final byte[] array = new byte[size];
                out.getBytes(0, array, 0, size);
                final Request standard = world.isend(out, 0, size, next, 91);
                final Request sync = heap ?
                    world.issend(MemorySegment.ofArray(array), next, 90) :
                    world.issend(out, 0, size, next, 90);
                final long until = System.nanoTime() + 50_000_000L;
                while (System.nanoTime() < until)
                {
                    Check.that(!sync.test(), "rank " + me + ": a synchronous send of " + size +
                        " bytes completed before rank " + next + " posted its receive");
                }
                Check.that(standard.test(), "a standard send of " + size + " bytes completes once it has left");
                world.send(go, 0, 8, next, 92); // now rank next may receive
                world.recv(go, 0, 8, prev, 92);
                final Status got = world.recv(in, 0, 64, prev, 90);
                Check.equal(size, got.count(), "synchronous message size");
                verify(in, size, prev + size, "synchronous message from " + prev);
                world.recv(in, 0, 64, prev, 91);
                sync.await();
                world.barrier();
            }
        }
        // the blocking form returns once matched; the receiver is already waiting
        if (me % 2 == 0 && me + 1 < n)
        {
            world.ssend(out, 0, 8, me + 1, 93);
        }
        else if (me % 2 == 1)
        {
            world.recv(in, 0, 64, me - 1, 93);
        }
    }

    /** Messages on dup'd and split communicators never match receives on another communicator. */
    private static void contexts()
    {
        final Communicator dup = world.dup();
        final Communicator halves = world.split(me % 2, -me); // reversed order inside each half
        final Communicator none = world.split(me == 0 ? Communicator.UNDEFINED : 1, me);
        Check.equal(n, dup.size(), "dup size");
        Check.equal(me, dup.rank(), "dup rank");
        Check.equal((n + 1 - me % 2) / 2, halves.size(), "split size");
        Check.equal(halves.size() - 1 - me / 2, halves.rank(), "split rank ordered by key");
        Check.that((me == 0) == (none == null), "UNDEFINED color gets no communicator");
        if (n >= 2)
        {
            // the same (source, tag) on two communicators: each receive gets its own communicator's message
            final UnsafeBuffer a = offHeap(8);
            final UnsafeBuffer b = offHeap(8);
            if (me == 0)
            {
                a.putLong(0, 111);
                b.putLong(0, 222);
                world.send(a, 0, 8, 1, 5);
                dup.send(b, 0, 8, 1, 5);
            }
            else if (me == 1)
            {
                dup.recv(b, 0, 8, 0, 5);
                world.recv(a, 0, 8, 0, 5);
                Check.equal(222, b.getLong(0), "dup message");
                Check.equal(111, a.getLong(0), "world message");
            }
        }
        // a ring inside each half, in the split communicator's own numbering
        final UnsafeBuffer t = offHeap(8);
        final int hn = halves.size();
        t.putLong(0, world.rank());
        final Status s = halves.sendRecv(t, 0, 8, (halves.rank() + 1) % hn, 6, offHeap(8), 0, 8,
            (halves.rank() - 1 + hn) % hn, 6);
        Check.equal((halves.rank() - 1 + hn) % hn, s.source(), "source in split numbering");
        halves.barrier();
        if (n >= 2)
        {
            joinedGroups(halves);
        }
        dup.close();
        Check.raises(dev.ringfold.mpi.CommunicatorClosedException.class, () -> dup.barrier(), "use after close");
        halves.close();
        if (none != null)
        {
            none.close();
        }
    }

    /**
     * The even and the odd half joined into one communicator through the world (an inter-communicator's two
     * sides): the half holding world rank 0 first, each in its own order (the halves run by descending world rank),
     * and a ring over it carries messages in its own numbering.
     */
    private static void joinedGroups(final Communicator halves)
    {
        final int otherParity = 1 - me % 2;
        final int remoteLeader = (n - 1) % 2 == otherParity ? n - 1 : n - 2; // the other half's rank 0
        final Communicator joined = halves.joinGroup(world, 0, remoteLeader, 8);
        Check.equal(n, joined.size(), "joined size");
        int r = 0;
        for (final int parity : new int[] {0, 1})
        {
            for (int w = (n - 1) % 2 == parity ? n - 1 : n - 2; w >= 0; w -= 2)
            {
                Check.equal(w, joined.worldRank(r++), "joined rank " + (r - 1) + "'s world rank");
            }
        }
        final int jr = joined.rank();
        Check.equal(me, joined.worldRank(jr), "own joined rank");
        final UnsafeBuffer out = offHeap(8);
        final UnsafeBuffer in = offHeap(8);
        out.putLong(0, me);
        final int from = (jr - 1 + n) % n;
        final Status s = joined.sendRecv(out, 0, 8, (jr + 1) % n, 9, in, 0, 8, from, 9);
        Check.equal(from, s.source(), "source in joined numbering");
        Check.equal(joined.worldRank(from), (int)in.getLong(0), "message over the joined communicator");
        joined.close();
    }

    /** Bad input raises a specific exception naming the argument, and the communicator still works after. */
    private static void errors()
    {
        final UnsafeBuffer b = offHeap(64);
        String msg = Check.raises(IllegalArgumentException.class, () -> world.send(b, 0, 8, n, 1), "dest=n").getMessage();
        Check.that(msg.contains("dest=" + n) && msg.contains("rank " + me), "message names dest and rank: " + msg);
        msg = Check.raises(IllegalArgumentException.class, () -> world.recv(b, 0, 8, -5, 1), "source=-5").getMessage();
        Check.that(msg.contains("source=-5"), "message names source: " + msg);
        msg = Check.raises(IllegalArgumentException.class, () -> world.send(b, 0, -1, 0, 1), "length=-1").getMessage();
        Check.that(msg.contains("length=-1"), "message names length: " + msg);
        msg = Check.raises(IndexOutOfBoundsException.class, () -> world.send(b, 60, 8, 0, 1), "past the end").getMessage();
        Check.that(msg.contains("capacity 64"), "message names the capacity: " + msg);
        msg = Check.raises(IndexOutOfBoundsException.class, () -> world.send(new int[4], 2, 3, 0, 1), "array").getMessage();
        Check.that(msg.contains("length 4"), "message names the array length: " + msg);
        msg = Check.raises(IllegalArgumentException.class, () -> world.send(b, 0, 8, 0, -3), "tag=-3").getMessage();
        Check.that(msg.contains("tag=-3"), "message names the tag: " + msg);
        Check.raises(IllegalArgumentException.class, () -> world.recv(ByteBuffer.allocate(8).asReadOnlyBuffer(), 0, 1),
            "read-only receive buffer");
        if (n >= 2)
        {
            // truncation, eager and rendezvous: the message is consumed, the receive fails, the next one works
            final int peer = me == 0 ? 1 : 0;
            if (me <= 1)
            {
                final UnsafeBuffer big = offHeap(100_000);
                fill(big, 100_000, 3);
                for (final int size : new int[] {32, 100_000})
                {
                    if (me == 0)
                    {
                        world.send(big, 0, size, peer, 60);
                        world.send(big, 0, 16, peer, 61);
                    }
                    else
                    {
                        msg = Check.raises(dev.ringfold.mpi.TruncationException.class,
                            () -> world.recv(b, 0, 8, peer, 60), "truncated " + size).getMessage();
                        Check.that(msg.contains(size + " bytes") && msg.contains("holds 8"), "truncation message: " + msg);
                        final UnsafeBuffer ok = offHeap(16);
                        Check.equal(16, world.recv(ok, 0, 16, peer, 61).count(), "receive after truncation");
                        verify(ok, 16, 3, "message after truncation");
                    }
                }
            }
        }
        // still usable
        world.barrier();
        final UnsafeBuffer t = offHeap(8);
        final UnsafeBuffer got = offHeap(8);
        t.putLong(0, me);
        final Status s = world.sendRecv(t, 0, 8, (me + 1) % n, 70, got, 0, 8, (me - 1 + n) % n, 70);
        Check.equal((me - 1 + n) % n, got.getLong(0), "ring after errors");
        Check.equal((me - 1 + n) % n, s.source(), "ring source after errors");
    }
}
