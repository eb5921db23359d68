package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * All-reduce over node-shared tensors on real ranks: in place ({@link InPlaceAllReduce}, detected without any call
 * of its own), every dtype and op against the scalar reference, counts below and not divisible by np, in and out of
 * place, on the world and on split halves; the same bits as over private buffers (the staged path) for inexact
 * floats; a mix of shared and private operands across ranks (the staged path, never a peer's memory it did not
 * offer); and no allocation once warm. Whether a call went in place shows in /proc/self/maps: the peers' tensor
 * files are mapped here only by the in-place path. Prints {@code ok <section> rank r}.
 */
public final class NodeSharedRanks
{
    private static int me;

    public static void main(final String[] args) throws IOException
    {
        try (Ringfold rf = Ringfold.init(); BufferAllocator root = new RootAllocator();
            NodeSharedAllocator shared = NodeSharedAllocator.create(rf, root))
        {
            final Communicator world = rf.world();
            me = world.rank();
            everyTypeAndOp(world, shared, root, "world");
            final Communicator half = world.split(world.rank() % 2, world.rank());
            everyTypeAndOp(half, shared, root, "split");
            sameBitsAsStaged(world, shared, root);
            mixed(world, shared, root);
            broadcast(world, shared, root);
            reduceScatterAndAllGather(world, shared, root);
            steadyState(world, shared);
            world.barrier();
        }
        System.out.println("ok closed rank " + me);
    }

    private static void everyTypeAndOp(final Communicator comm, final NodeSharedAllocator shared,
        final BufferAllocator root, final String section) throws IOException
    {
        final Collectives c = Collectives.of(comm).forceAllReduce(Collectives.AllReduceAlgorithm.SHARED_MEMORY);
        final int n = comm.size();
        final long largest = 70_001;
        final long[] counts = {1, n + 1, 1000 * n + 3, largest};
        int k = 0;
        for (final DType dt : DType.values())
        {
            try (Tensor src = shared.allocate(dt, largest); Tensor dst = shared.allocate(dt, largest))
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
                        fill(op, dt, comm.rank(), src.address(), count);
                        final Tensor to = inPlace ? src : dst;
                        if (inPlace && count == largest)
                        {
                            c.allReduce(src, op); // the tensor form: nothing says "shared" but the allocator
                        }
                        else
                        {
                            c.allReduce(src.address(), to.address(), count, dt, op);
                            if (!inPlace && n > 1)
                            {
                                verify(op, dt, 1, src.address(), count, "source untouched", comm.rank());
                            }
                        }
                        verify(op, dt, n, to.address(), count, section + " " + dt + " " + op + " count " + count +
                            (inPlace ? " in place" : " out of place"), -1);
                    }
                }
            }
        }
        if (n > 1 && mappedPeerFiles().isEmpty())
        {
            throw new AssertionError("rank " + me + ": " + section + ": no peer's tensor file was mapped, so no call " +
                "went in place");
        }
        c.forceAllReduce(Collectives.AllReduceAlgorithm.AUTO);
        // what the table picks for a large shared tensor on one node
        try (Tensor t = shared.allocate(DType.F32, 1 << 20))
        {
            fill(ReduceOp.SUM, DType.F32, comm.rank(), t.address(), 1 << 20);
            c.allReduce(t, ReduceOp.SUM);
            verify(ReduceOp.SUM, DType.F32, n, t.address(), 1 << 20, section + " table", -1);
        }
        System.out.println("ok node-shared " + section + " rank " + me);
    }

    /** Inexact floats: the in-place path gives every rank the very bits the staged path gives. */
    private static void sameBitsAsStaged(final Communicator world, final NodeSharedAllocator shared,
        final BufferAllocator root)
    {
        final Collectives c = Collectives.of(world).forceAllReduce(Collectives.AllReduceAlgorithm.SHARED_MEMORY);
        final long count = 300_007;
        for (final DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16})
        {
            for (final ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PROD})
            {
                try (Tensor s = shared.allocate(dt, count); Tensor p = Tensors.zeros(root, dt, count))
                {
                    for (long i = 0; i < count; i++)
                    {
                        final double v = 1 + Math.sin(i * 0.37 + world.rank() * 1.3) * 0.01;
                        Values.put(dt, s.address(), i, v);
                        Values.put(dt, p.address(), i, v);
                    }
                    c.allReduce(s, op);
                    c.allReduce(p, op);
                    for (long i = 0; i < count * dt.bytes(); i++)
                    {
                        if (org.agrona.UnsafeApi.getByte(s.address() + i) != org.agrona.UnsafeApi.getByte(p.address() + i))
                        {
                            throw new AssertionError("rank " + me + ": " + dt + " " + op + ": byte " + i +
                                " differs between the in-place and the staged all-reduce");
                        }
                    }
                }
            }
        }
        System.out.println("ok same bits rank " + me);
    }

    /** Rank 0's operand private, the others' node-shared: staged, and correct, for several calls in a row. */
    private static void mixed(final Communicator world, final NodeSharedAllocator shared, final BufferAllocator root)
        throws IOException
    {
        final Collectives c = Collectives.of(world).forceAllReduce(Collectives.AllReduceAlgorithm.SHARED_MEMORY);
        final long count = 100_003;
        final java.util.Set<String> before = mappedPeerFiles();
        for (int round = 0; round < 3; round++)
        {
            try (Tensor t = me == 0 ? Tensors.zeros(root, DType.F32, count) : shared.allocate(DType.F32, count))
            {
                fill(ReduceOp.SUM, DType.F32, me, t.address(), count);
                c.allReduce(t, ReduceOp.SUM);
                verify(ReduceOp.SUM, DType.F32, world.size(), t.address(), count, "mixed round " + round, -1);
            }
        }
        if (newlyMapped(before))
        {
            throw new AssertionError("rank " + me + ": a mixed call mapped a peer's file");
        }
        System.out.println("ok mixed rank " + me);
    }

    /**
     * Broadcast from a node-shared root tensor: every other rank copies straight from it (its own memory shared or
     * private, by turns), which maps the root's file here; from a private root, staged. Every root, both ways.
     */
    private static void broadcast(final Communicator world, final NodeSharedAllocator shared,
        final BufferAllocator root) throws IOException
    {
        final Collectives c = Collectives.of(world).forceBroadcast(Collectives.BroadcastAlgorithm.SHARED_MEMORY);
        final long count = 100_003;
        int k = 0;
        for (int from = 0; from < world.size(); from++)
        {
            for (final boolean sharedRoot : new boolean[] {true, false})
            {
                final boolean sharedHere = me == from ? sharedRoot : (k++ & 1) == 0;
                final java.util.Set<String> before = mappedPeerFiles();
                try (Tensor t = sharedHere ? shared.allocate(DType.F32, count) : Tensors.zeros(root, DType.F32, count))
                {
                    if (me == from)
                    {
                        fill(ReduceOp.SUM, DType.F32, from, t.address(), count);
                    }
                    c.broadcast(t, from);
                    verify(ReduceOp.SUM, DType.F32, 1, t.address(), count, "broadcast from " + from +
                        (sharedRoot ? " (shared)" : " (private)"), from);
                    final boolean mapped = newlyMapped(before);
                    if (me != from && mapped != sharedRoot)
                    {
                        throw new AssertionError("rank " + me + ": broadcast from " + (sharedRoot ? "a shared" :
                            "a private") + " root " + (mapped ? "mapped" : "did not map") + " a peer's file");
                    }
                }
            }
        }
        c.forceBroadcast(Collectives.BroadcastAlgorithm.AUTO);
        System.out.println("ok broadcast rank " + me);
    }

    /**
     * Reduce-scatter and all-gather from node-shared sources (read in place: a peer's file is mapped) into private or
     * shared destinations, the all-gather's source also as this rank's block of its destination; with rank 0's
     * source private, the ring instead (nothing mapped). Against the reference, for several types and ops.
     */
    private static void reduceScatterAndAllGather(final Communicator world, final NodeSharedAllocator shared,
        final BufferAllocator root) throws IOException
    {
        final Collectives c = Collectives.of(world);
        final int n = world.size();
        final long block = 20_003;
        final ReduceOp[] ops = {ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PROD, ReduceOp.MAX, ReduceOp.BXOR};
        final DType[] types = {DType.F32, DType.BF16, DType.F16, DType.I32, DType.I64};
        for (int k = 0; k < ops.length; k++)
        {
            final DType dt = types[k];
            final ReduceOp op = ops[k];
            for (final boolean privateRoot : new boolean[] {false, true})
            {
                final boolean sharedSource = !(privateRoot && me == 0);
                final java.util.Set<String> before = mappedPeerFiles();
                try (Tensor src = sharedSource ? shared.allocate(dt, block * n) : Tensors.zeros(root, dt, block * n);
                    Tensor dst = (k & 1) == 0 ? Tensors.zeros(root, dt, block) : shared.allocate(dt, block))
                {
                    fill(op, dt, me, src.address(), block * n);
                    c.reduceScatter(src.address(), dst.address(), block, dt, op);
                    for (long i = 0; i < block; i++)
                    {
                        final double want = Values.expected(op, dt, n, me * block + i);
                        if (Values.get(dt, dst.address(), i) != want)
                        {
                            throw new AssertionError("rank " + me + ": reduceScatter " + dt + " " + op + " element " + i +
                                " is " + Values.get(dt, dst.address(), i) + ", expected " + want);
                        }
                    }
                }
                checkMapped(n > 1 && !privateRoot, before, "reduceScatter " + dt + " " + op);
            }
        }
        for (final boolean privateRoot : new boolean[] {false, true})
        {
            for (final boolean inPlace : new boolean[] {false, true})
            {
                final boolean sharedHere = !(privateRoot && me == 0);
                final java.util.Set<String> before = mappedPeerFiles();
                try (Tensor src = sharedHere ? shared.allocate(DType.F32, block) : Tensors.zeros(root, DType.F32, block);
                    Tensor dst = sharedHere ? shared.allocate(DType.F32, block * n) :
                        Tensors.zeros(root, DType.F32, block * n))
                {
                    final long from = inPlace ? dst.address() + me * block * 4 : src.address();
                    fill(ReduceOp.SUM, DType.F32, me, from, block);
                    c.allGather(from, dst.address(), block, DType.F32);
                    for (int r = 0; r < n; r++)
                    {
                        verify(ReduceOp.SUM, DType.F32, 1, dst.address() + r * block * 4, block,
                            "allGather block " + r + (inPlace ? " in place" : ""), r);
                    }
                }
                checkMapped(n > 1 && !privateRoot, before, "allGather");
            }
        }
        System.out.println("ok reduce-scatter all-gather rank " + me);
    }

    private static void checkMapped(final boolean expected, final java.util.Set<String> before, final String what)
        throws IOException
    {
        if (newlyMapped(before) != expected)
        {
            throw new AssertionError("rank " + me + ": " + what + (expected ? " did not map" : " mapped") +
                " a peer's file");
        }
    }

    /** The in-place path allocates nothing once warm (its peers' files mapped at the first call). */
    private static void steadyState(final Communicator world, final NodeSharedAllocator shared)
    {
        final Collectives c = Collectives.of(world).forceAllReduce(Collectives.AllReduceAlgorithm.AUTO);
        try (Tensor t = shared.allocate(DType.F32, 1 << 18))
        {
            final long bytes = SteadyStateAllocation.quietestRound(world, "in-place allReduce F32[262144]", 3000,
                300, () -> c.allReduce(t, ReduceOp.AVG));
            if (bytes != 0)
            {
                throw new AssertionError("rank " + me + ": the in-place all-reduce allocates in steady state (" +
                    bytes + " bytes in the quietest round)");
            }
        }
        System.out.println("ok steady state rank " + me);
    }

    /** Peers' node-shared tensor files this process has mapped now (only the in-place path maps them here). */
    static java.util.Set<String> mappedPeerFiles() throws IOException
    {
        final String job = System.getenv("RINGFOLD_JOB_ID");
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .filter(l -> l.contains("ringfold-" + job + "-t") && !l.contains("-t" + me + "-"))
            .map(l -> l.substring(l.indexOf('/'))).collect(java.util.stream.Collectors.toSet());
    }

    /** Whether a peer's file is mapped now that was not in {@code before}. */
    private static boolean newlyMapped(final java.util.Set<String> before) throws IOException
    {
        final java.util.Set<String> now = mappedPeerFiles();
        now.removeAll(before);
        return !now.isEmpty();
    }

    private static void fill(final ReduceOp op, final DType dt, final int rank, final long address, final long count)
    {
        for (long i = 0; i < count; i++)
        {
            Values.put(dt, address, i, Values.input(op, dt, rank, i));
        }
    }

    /** Against the reference for {@code ranks} contributions ({@code inputOf} >= 0: that rank's own input). */
    private static void verify(final ReduceOp op, final DType dt, final int ranks, final long address,
        final long count, final String what, final int inputOf)
    {
        for (long i = 0; i < count; i++)
        {
            final double want = inputOf >= 0 ? roundTrip(dt, Values.input(op, dt, inputOf, i)) :
                Values.expected(op, dt, ranks, i);
            final double got = Values.get(dt, address, i);
            if (got != want)
            {
                throw new AssertionError("rank " + me + ": " + what + ": element " + i + " is " + got + ", expected " +
                    want);
            }
        }
    }

    private static final java.nio.ByteBuffer ROUND_TRIP_BUFFER = java.nio.ByteBuffer.allocateDirect(8); // kept
    private static final long ROUND_TRIP = org.agrona.BufferUtil.address(ROUND_TRIP_BUFFER);

    /** {@code v} as the dtype holds it. */
    private static double roundTrip(final DType dt, final double v)
    {
        Values.put(dt, ROUND_TRIP, 0, v);
        return Values.get(dt, ROUND_TRIP, 0);
    }
}
