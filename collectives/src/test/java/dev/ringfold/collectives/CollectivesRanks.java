package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.util.Random;

import static dev.ringfold.collectives.RankChecks.check;

/**
 * Every collective on every rank of a real job, checked element by element against a scalar reference: all dtypes
 * and ops, counts 0 upwards and not divisible by n, every root, forced algorithms, in and out of place, a split
 * communicator, concurrent non-blocking collectives on two communicators, bit-identical results across ranks and
 * runs, and bad arguments. Prints {@code ok <section> rank r} per section.
 */
public final class CollectivesRanks
{
    private static Communicator world;
    private static int me;
    private static int n;

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            world = rf.world();
            me = world.rank();
            n = world.size();
            allReduce(world, "allreduce");
            deterministic();
            broadcastAndReduce(world);
            gathers(world);
            scans(world);
            final Communicator halves = world.split(me % 2, n - me);
            allReduce(halves, "allreduce-split");
            broadcastAndReduce(halves);
            concurrent();
            errors();
            world.barrier();
        }
    }

    /** Buffers stay referenced for the whole run: an address outliving its ByteBuffer would be freed memory. */
    private static final java.util.List<java.nio.ByteBuffer> KEEP = new java.util.ArrayList<>();

    private static long alloc(final long bytes)
    {
        final java.nio.ByteBuffer b = BufferUtil.allocateDirectAligned((int)Math.max(64, bytes), 64);
        KEEP.add(b);
        return BufferUtil.address(b);
    }

    private static void fill(final ReduceOp op, final DType dt, final int rank, final long address, final long count)
    {
        for (long i = 0; i < count; i++)
        {
            Values.put(dt, address, i, Values.input(op, dt, rank, i));
        }
    }

    private static void verify(final ReduceOp op, final DType dt, final int ranks, final long address,
        final long count, final String what)
    {
        for (long i = 0; i < count; i++)
        {
            final double want = Values.expected(op, dt, ranks, i);
            final double got = Values.get(dt, address, i);
            if (Double.compare(want, got) != 0 && !(dt == DType.U8 && ((long)want & 0xFF) == (long)got) &&
                !(dt == DType.I8 && (byte)(long)want == (long)got))
            {
                throw new AssertionError("rank " + me + ": " + what + " element " + i + " of " + count + ": expected " +
                    want + ", got " + got);
            }
        }
    }

    private static void allReduce(final Communicator comm, final String section)
    {
        final Collectives c = Collectives.of(comm);
        final long[] counts = {0, 1, 7, comm.size() + 1, 1000, 20_011};
        final long src = alloc(20_011 * 8);
        final long dst = alloc(20_011 * 8);
        int k = 0;
        for (final Collectives.AllReduceAlgorithm algorithm : Collectives.AllReduceAlgorithm.values())
        {
            c.forceAllReduce(algorithm);
            if (algorithm == Collectives.AllReduceAlgorithm.SHARED_MEMORY && !c.isOneNode())
            {
                expect(() -> c.allReduce(src, dst, 100, DType.F32, ReduceOp.SUM), "SHARED_MEMORY needs every rank",
                    comm.rank());
                continue;
            }
            for (final DType dt : DType.values())
            {
                for (final ReduceOp op : ReduceOp.values())
                {
                    if (!op.supports(dt))
                    {
                        continue;
                    }
                    for (final long count : counts)
                    {
                        final boolean inPlace = (k++ & 1) == 0;
                        fill(op, dt, comm.rank(), src, count);
                        c.allReduce(src, inPlace ? src : dst, count, dt, op);
                        verify(op, dt, comm.size(), inPlace ? src : dst, count,
                            section + " " + algorithm + " " + dt + " " + op + " count " + count);
                    }
                }
            }
        }
        // large enough for many chunks, every algorithm for large messages, then what the table picks
        final long big = (1 << 20) + 5;
        final long b = alloc(big * 4);
        final long out = alloc(big * 4);
        for (final Collectives.AllReduceAlgorithm algorithm : new Collectives.AllReduceAlgorithm[] {
            Collectives.AllReduceAlgorithm.RING, Collectives.AllReduceAlgorithm.SHARED_MEMORY,
            Collectives.AllReduceAlgorithm.HIERARCHICAL, Collectives.AllReduceAlgorithm.AUTO})
        {
            if (algorithm == Collectives.AllReduceAlgorithm.SHARED_MEMORY && !c.isOneNode())
            {
                continue;
            }
            c.forceAllReduce(algorithm);
            for (final DType dt : new DType[] {DType.F32, DType.BF16})
            {
                // F32 out of place: the ring then reads this rank's part from src and writes dst once
                final long to = dt == DType.F32 ? out : b;
                fill(ReduceOp.SUM, dt, comm.rank(), b, big);
                c.allReduce(b, to, big, dt, ReduceOp.SUM);
                verify(ReduceOp.SUM, dt, comm.size(), to, big, section + " large " + dt + " SUM " + algorithm);
            }
        }
        // on the native device: MPI's own all-reduce where it measured faster (more than 2 ranks here), else the ring
        final boolean onNative = comm.size() > 1 && comm.transportTo((comm.rank() + 1) % comm.size()).equals("native");
        final Collectives.AllReduceAlgorithm expected = comm.size() == 1 ? Collectives.AllReduceAlgorithm.RING :
            c.isOneNode() ? Collectives.AllReduceAlgorithm.SHARED_MEMORY :
            onNative ? (comm.size() > 2 ? Collectives.AllReduceAlgorithm.MPI : Collectives.AllReduceAlgorithm.RING) :
            Collectives.AllReduceAlgorithm.HIERARCHICAL;
        check(me, c.algorithmFor(big, DType.F32) == expected, "the table picks " + c.algorithmFor(big, DType.F32) +
            " for " + big + " F32, expected " + expected);
        System.out.println("placement " + section + (c.isOneNode() ? " one-node" : " nodes") + " rank " + me);
        System.out.println("ok " + section + " rank " + me);
    }

    /** Non-exact floats: every rank holds the same bits, and a second run gives them again. */
    private static void deterministic()
    {
        final Collectives c = Collectives.of(world);
        for (final DType dt : new DType[] {DType.F32, DType.BF16, DType.F64})
        {
            for (final long count : new long[] {100, 300_001})
            {
                final long data = alloc(count * 8);
                final long first = alloc(count * 8);
                final Random random = new Random(42 + me);
                for (long i = 0; i < count; i++)
                {
                    Values.put(dt, data, i, random.nextGaussian() * 1e3);
                }
                c.allReduce(data, first, count, dt, ReduceOp.SUM);
                final long second = alloc(count * 8);
                c.allReduce(data, second, count, dt, ReduceOp.SUM);
                long hash = 1125899906842597L;
                for (long i = 0; i < count * dt.bytes(); i++)
                {
                    check(me, UnsafeApi.getByte(first + i) == UnsafeApi.getByte(second + i), dt + " run to run, byte " + i);
                    hash = 31 * hash + UnsafeApi.getByte(first + i);
                }
                final long hashes = alloc(8L * n);
                final long mine = alloc(8);
                UnsafeApi.putLong(mine, hash);
                c.allGather(mine, hashes, 1, DType.I64);
                for (int r = 0; r < n; r++)
                {
                    check(me, UnsafeApi.getLong(hashes + 8L * r) == hash, dt + " count " + count + ": rank " + r +
                        " holds other bits than rank " + me);
                }
            }
        }
        System.out.println("ok deterministic rank " + me);
    }

    /**
     * Broadcasts where some ranks' memory is a Java array and the others' off-heap: an off-heap root's message is
     * pulled by the off-heap readers while the array readers have it staged (shared memory: the root stages it once
     * one of them asks, after the others may have pulled it already); an array root stages it for all.
     */
    private static void mixedBroadcast(final Collectives c, final int size, final int rank)
    {
        for (final int root : new int[] {0, size - 1})
        {
            for (final int arrays : new int[] {0, 1})
            {
                final boolean array = rank % 2 == arrays;
                for (final int bytes : new int[] {100_000, 3 * (1 << 20) + 7})
                {
                    final byte[] heap = new byte[bytes + 3];
                    final long buf = alloc(bytes);
                    for (int i = 0; i < bytes; i++)
                    {
                        final byte b = rank == root ? (byte)(i * 5 + root + 1) : 0;
                        heap[3 + i] = b;
                        UnsafeApi.putByte(buf + i, b);
                    }
                    if (array)
                    {
                        c.broadcast(heap, 3, bytes, root);
                    }
                    else
                    {
                        c.broadcast(buf, bytes, DType.I8, root);
                    }
                    for (int i = 0; i < bytes; i++)
                    {
                        final byte got = array ? heap[3 + i] : UnsafeApi.getByte(buf + i);
                        if (got != (byte)(i * 5 + root + 1))
                        {
                            throw new AssertionError("rank " + me + ": mixed broadcast (" + (array ? "array" :
                                "off-heap") + ") root " + root + " of " + bytes + " bytes, byte " + i);
                        }
                    }
                }
            }
        }
    }

    private static void broadcastAndReduce(final Communicator comm)
    {
        final Collectives c = Collectives.of(comm);
        final int size = comm.size();
        final int rank = comm.rank();
        for (final Collectives.BroadcastAlgorithm algorithm : Collectives.BroadcastAlgorithm.values())
        {
            c.forceBroadcast(algorithm);
            if (algorithm == Collectives.BroadcastAlgorithm.SHARED_MEMORY && !c.isOneNode())
            {
                final long buf = alloc(64);
                expect(() -> c.broadcast(buf, 64, DType.U8, 0), "SHARED_MEMORY needs every rank", rank);
                continue;
            }
            for (final int root : new int[] {0, size - 1, size / 2})
            {
                for (final long bytes : new long[] {0, 13, 100_000, 3 * (1 << 20) + 7})
                {
                    final long buf = alloc(bytes);
                    for (long i = 0; i < bytes; i++)
                    {
                        UnsafeApi.putByte(buf + i, rank == root ? (byte)(i * 7 + root) : 0);
                    }
                    c.broadcast(buf, bytes, DType.U8, root);
                    for (long i = 0; i < bytes; i++)
                    {
                        if (UnsafeApi.getByte(buf + i) != (byte)(i * 7 + root))
                        {
                            throw new AssertionError("rank " + me + ": broadcast " + algorithm + " root " + root +
                                " of " + bytes + " bytes, byte " + i);
                        }
                    }
                }
            }
        }
        c.forceBroadcast(Collectives.BroadcastAlgorithm.AUTO);
        mixedBroadcast(c, size, rank);
        for (final int root : new int[] {0, size - 1})
        {
            for (final DType dt : new DType[] {DType.F32, DType.I64, DType.BF16, DType.U8})
            {
                for (final ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.AVG, ReduceOp.PROD})
                {
                    final long count = 1001;
                    final long src = alloc(count * 8);
                    final long dst = alloc(count * 8);
                    fill(op, dt, rank, src, count);
                    UnsafeApi.setMemory(dst, count * 8, (byte)0x5A);
                    c.reduce(src, dst, count, dt, op, root);
                    if (rank == root)
                    {
                        verify(op, dt, size, dst, count, "reduce " + dt + " " + op + " root " + root);
                    }
                    else
                    {
                        check(me, UnsafeApi.getByte(dst) == 0x5A, "reduce wrote a non-root's dst");
                    }
                }
            }
        }
        System.out.println("ok bcast-reduce " + comm.name() + " rank " + me);
    }

    private static void gathers(final Communicator comm)
    {
        final Collectives c = Collectives.of(comm);
        final int size = comm.size();
        final int rank = comm.rank();
        // allGather and allGatherv (uneven blocks, with gaps between them)
        final long count = 333;
        final long mine = alloc(count * 4);
        for (long i = 0; i < count; i++)
        {
            UnsafeApi.putInt(mine + 4 * i, (int)(rank * 100_000 + i));
        }
        final long all = alloc(count * 4 * size);
        c.allGather(mine, all, count, DType.I32);
        for (int r = 0; r < size; r++)
        {
            for (long i = 0; i < count; i++)
            {
                check(me, UnsafeApi.getInt(all + 4 * (r * count + i)) == r * 100_000 + i, "allGather block " + r);
            }
        }
        final long[] counts = new long[size];
        final long[] displs = new long[size];
        long total = 0;
        for (int r = 0; r < size; r++)
        {
            counts[r] = r + 1;
            displs[r] = total + 2;
            total += r + 3;
        }
        final long v = alloc(total * 4);
        c.allGatherv(mine, v, counts, displs, DType.I32);
        for (int r = 0; r < size; r++)
        {
            for (long i = 0; i < counts[r]; i++)
            {
                check(me, UnsafeApi.getInt(v + 4 * (displs[r] + i)) == r * 100_000 + i, "allGatherv block " + r);
            }
        }
        // reduceScatter: block r of the sum comes to rank r
        final long block = 1000;
        final long src = alloc(block * size * 8);
        final long dst = alloc(block * 8);
        fill(ReduceOp.SUM, DType.F64, rank, src, block * size);
        c.reduceScatter(src, dst, block, DType.F64, ReduceOp.SUM);
        for (long i = 0; i < block; i++)
        {
            check(me, UnsafeApi.getDouble(dst + 8 * i) == Values.expected(ReduceOp.SUM, DType.F64, size, rank * block + i),
                "reduceScatter element " + i);
        }
        // gather, scatter, gatherv, scatterv to and from every root
        for (int root = 0; root < size; root++)
        {
            final long gathered = alloc(count * 4 * size);
            c.gather(mine, gathered, count, DType.I32, root);
            if (rank == root)
            {
                for (int r = 0; r < size; r++)
                {
                    check(me, UnsafeApi.getInt(gathered + 4 * (r * count + count - 1)) == r * 100_000 + count - 1,
                        "gather block " + r + " root " + root);
                }
            }
            final long piece = alloc(count * 4);
            c.scatter(gathered, piece, count, DType.I32, root);
            if (rank == root)
            {
                check(me, UnsafeApi.getInt(piece) == rank * 100_000, "scatter to the root");
            }
            final long gv = alloc(total * 4);
            c.gatherv(mine, gv, counts, displs, DType.I32, root);
            if (rank == root)
            {
                for (int r = 0; r < size; r++)
                {
                    check(me, UnsafeApi.getInt(gv + 4 * (displs[r] + counts[r] - 1)) == r * 100_000 + counts[r] - 1,
                        "gatherv block " + r);
                }
                for (long i = 0; i < total; i++)
                {
                    UnsafeApi.putInt(gv + 4 * i, (int)(7 * i));
                }
            }
            final long sv = alloc(counts[rank] * 4);
            c.scatterv(gv, counts, displs, sv, DType.I32, root);
            for (long i = 0; i < counts[rank]; i++)
            {
                check(me, UnsafeApi.getInt(sv + 4 * i) == 7 * (displs[rank] + i), "scatterv element " + i + " root " + root);
            }
        }
        // allToAll: block r of rank s's send buffer lands as block s of rank r's receive buffer
        final long a2aSrc = alloc(count * 4 * size);
        final long a2aDst = alloc(count * 4 * size);
        for (int r = 0; r < size; r++)
        {
            for (long i = 0; i < count; i++)
            {
                UnsafeApi.putInt(a2aSrc + 4 * (r * count + i), (int)(rank * 1_000_000 + r * 1000 + i));
            }
        }
        c.allToAll(a2aSrc, a2aDst, count, DType.I32);
        for (int s = 0; s < size; s++)
        {
            check(me, UnsafeApi.getInt(a2aDst + 4 * (s * count + 5)) == s * 1_000_000 + rank * 1000 + 5,
                "allToAll block from " + s);
        }
        // allToAllv: rank s sends s+r+1 ints to rank r
        final long[] sc = new long[size];
        final long[] sd = new long[size];
        final long[] rc = new long[size];
        final long[] rd = new long[size];
        long st = 0;
        long rt = 0;
        for (int r = 0; r < size; r++)
        {
            sc[r] = rank + r + 1;
            sd[r] = st;
            st += sc[r];
            rc[r] = r + rank + 1;
            rd[r] = rt;
            rt += rc[r];
        }
        final long vs = alloc(st * 4);
        final long vr = alloc(rt * 4);
        for (int r = 0; r < size; r++)
        {
            for (long i = 0; i < sc[r]; i++)
            {
                UnsafeApi.putInt(vs + 4 * (sd[r] + i), (int)(rank * 1000 + r * 10 + i));
            }
        }
        c.allToAllv(vs, sc, sd, vr, rc, rd, DType.I32);
        for (int s = 0; s < size; s++)
        {
            for (long i = 0; i < rc[s]; i++)
            {
                check(me, UnsafeApi.getInt(vr + 4 * (rd[s] + i)) == s * 1000 + rank * 10 + i, "allToAllv from " + s);
            }
        }
        // the same allToAllv, gatherv and scatterv, non-blocking and in flight together
        final long vr2 = alloc(rt * 4);
        final long gv2 = alloc(total * 4);
        final long sv2 = alloc(counts[rank] * 4);
        final long root = size - 1;
        if (rank == root)
        {
            for (long i = 0; i < total; i++)
            {
                UnsafeApi.putInt(gv2 + 4 * i, (int)(3 * i));
            }
        }
        final CollectiveRequest a2av = c.iallToAllv(vs, sc, sd, vr2, rc, rd, DType.I32);
        final CollectiveRequest scv = c.iscatterv(gv2, counts, displs, sv2, DType.I32, (int)root);
        a2av.await();
        scv.await();
        final long gathered2 = alloc(total * 4);
        c.igatherv(sv2, gathered2, counts, displs, DType.I32, (int)root).await();
        for (int s = 0; s < size; s++)
        {
            for (long i = 0; i < rc[s]; i++)
            {
                check(me, UnsafeApi.getInt(vr2 + 4 * (rd[s] + i)) == s * 1000 + rank * 10 + i, "iallToAllv from " + s);
            }
        }
        for (long i = 0; i < counts[rank]; i++)
        {
            check(me, UnsafeApi.getInt(sv2 + 4 * i) == 3 * (displs[rank] + i), "iscatterv element " + i);
        }
        if (rank == root)
        {
            for (int r = 0; r < size; r++)
            {
                for (long i = 0; i < counts[r]; i++)
                {
                    check(me, UnsafeApi.getInt(gathered2 + 4 * (displs[r] + i)) == 3 * (displs[r] + i), "igatherv block " + r);
                }
            }
        }
        c.barrier();
        System.out.println("ok gathers rank " + me);
    }

    private static void scans(final Communicator comm)
    {
        final Collectives c = Collectives.of(comm);
        final int rank = comm.rank();
        for (final DType dt : new DType[] {DType.I32, DType.F32, DType.BF16})
        {
            final long count = 513;
            final long src = alloc(count * 4);
            final long dst = alloc(count * 4);
            fill(ReduceOp.SUM, dt, rank, src, count);
            c.scan(src, dst, count, dt, ReduceOp.SUM);
            verify(ReduceOp.SUM, dt, rank + 1, dst, count, "scan " + dt);
            c.iexscan(src, dst, count, dt, ReduceOp.SUM).await();
            if (rank > 0)
            {
                verify(ReduceOp.SUM, dt, rank, dst, count, "exscan " + dt);
            }
        }
        System.out.println("ok scans rank " + me);
    }

    /**
     * Non-blocking collectives in flight at once on two communicators, waited for in opposite orders on even and
     * odd ranks: each progresses while the rank waits for the other.
     */
    private static void concurrent()
    {
        final Communicator dup = world.dup();
        final Collectives a = Collectives.of(world);
        final Collectives b = Collectives.of(dup);
        final long count = 200_003;
        final long x = alloc(count * 4);
        final long y = alloc(count * 8);
        final long z = alloc(1 << 20);
        fill(ReduceOp.SUM, DType.F32, me, x, count);
        fill(ReduceOp.MAX, DType.F64, me, y, count);
        for (int i = 0; i < (1 << 20); i++)
        {
            UnsafeApi.putByte(z + i, me == 0 ? (byte)i : 0);
        }
        final CollectiveRequest r1 = a.iallReduce(x, x, count, DType.F32, ReduceOp.SUM);
        final CollectiveRequest r2 = b.iallReduce(y, y, count, DType.F64, ReduceOp.MAX);
        final CollectiveRequest r3 = b.ibroadcast(z, 1 << 20, DType.U8, 0);
        final CollectiveRequest r4 = a.ibarrier();
        if (me % 2 == 0)
        {
            r1.await();
            r2.await();
            r3.await();
            r4.await();
        }
        else
        {
            r4.await();
            r3.await();
            r2.await();
            r1.await();
        }
        verify(ReduceOp.SUM, DType.F32, n, x, count, "concurrent allReduce on WORLD");
        verify(ReduceOp.MAX, DType.F64, n, y, count, "concurrent allReduce on dup");
        for (int i = 0; i < (1 << 20); i++)
        {
            check(me, UnsafeApi.getByte(z + i) == (byte)i, "concurrent broadcast byte " + i);
        }
        dup.close();
        System.out.println("ok concurrent rank " + me);
    }

    private static void errors()
    {
        final Collectives c = Collectives.of(world);
        final long buf = alloc(64);
        expect(() -> c.broadcast(buf, 4, DType.F32, n), "root=" + n + " is outside [0, " + n + ")");
        expect(() -> c.allReduce(buf, buf, -1, DType.F32, ReduceOp.SUM), "count=-1 must be >= 0");
        expect(() -> c.allReduce(buf, buf, 4, DType.F32, ReduceOp.BXOR), "BXOR is not defined for F32");
        expect(() -> c.allGatherv(buf, buf, new long[n + 1], new long[n + 1], DType.I32), "one entry per rank");
        expect(() -> c.scan(buf, buf, 4, DType.F32, ReduceOp.AVG), "AVG is not a prefix operation");
        // still works
        fill(ReduceOp.SUM, DType.I32, me, buf, 4);
        c.allReduce(buf, buf, 4, DType.I32, ReduceOp.SUM);
        verify(ReduceOp.SUM, DType.I32, n, buf, 4, "allReduce after rejected calls");
        System.out.println("ok errors rank " + me);
    }

    private static void expect(final Runnable call, final String fragment)
    {
        expect(call, fragment, me);
    }

    /** {@code rank}: this rank's rank in the communicator the call is on, which the message names. */
    private static void expect(final Runnable call, final String fragment, final int rank)
    {
        try
        {
            call.run();
        }
        catch (final RuntimeException ex)
        {
            check(me, ex.getMessage() != null && ex.getMessage().contains(fragment) && ex.getMessage().contains("rank " + rank),
                "message '" + ex.getMessage() + "' should contain '" + fragment + "' and the rank");
            return;
        }
        throw new AssertionError("rank " + me + ": expected an exception containing '" + fragment + "'");
    }
}
