package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.CommunicatorClosedException;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.ringfold.collectives.RankChecks.check;

/**
 * Dups a communicator, uses an algorithm that keeps state on it (in turn: the shared-memory all-reduce and broadcast
 * and their region, the hierarchy with its node and leader communicators and their region, the ring and recursive
 * doubling with Java-array staging, persistent all-reduces as the table picks them and hierarchical) and closes it,
 * {@code args[0]} times (default 10,000).
 * This process's heap (after GC), mapped regions (/proc/self/maps), open file descriptors (/proc/self/fd) and the
 * collectives' /dev/shm files must end where they were after a warm-up, within a small fixed tolerance (measured in
 * the middle too, for the printout). Then a closed communicator's collectives, and the world's after
 * Ringfold.close(), must refuse calls naming the communicator. Prints {@code ok lifetime rank r}.
 */
public final class LifetimeRanks
{
    private static final int WARM_UP = 50;
    private static final int COUNT = 1024; // small: an iteration is dominated by making and freeing the state
    private static final int CAPACITY = 128 * 1024; // floats: the table's large pick, for a persistent request
    private static final long HEAP_TOLERANCE = 4L << 20;
    /**
     * Mappings that appear once, whatever the iterations: a rank that first sleeps on its doorbell links the futex
     * then (libsyslookup.so, 5 mappings), a new native thread brings a stack and a glibc malloc arena (2 each). One
     * run's diff of /proc/self/maps showed 16 of those in the measured window; a leak of one mapping per hundred
     * dup/close would show as a hundred.
     */
    private static final long MAPS_TOLERANCE = 32;
    private static final long FDS_TOLERANCE = 4;

    private static int me;
    private static int n;
    private static ByteBuffer buffer;
    private static long address;

    public static void main(final String[] args) throws Exception
    {
        final int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        final Collectives worldCollectives;
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            me = world.rank();
            n = world.size();
            buffer = BufferUtil.allocateDirectAligned(4 * CAPACITY, 64).order(java.nio.ByteOrder.nativeOrder());
            address = BufferUtil.address(buffer);
            final float[] array = new float[COUNT];
            long[] before = null;
            long[] middle = null;
            for (int i = 0; i < WARM_UP + iterations; i++)
            {
                if (i == WARM_UP)
                {
                    before = measure(world);
                }
                if (i == WARM_UP + iterations / 2)
                {
                    middle = measure(world);
                }
                final Communicator dup = world.dup();
                useAnAlgorithm(Collectives.of(dup), array, i);
                dup.close();
            }
            final long[] after = measure(world);
            System.out.println("lifetime rank " + me + ": " + iterations + " dup/use/close, heap " + before[0] + " -> " +
                middle[0] + " -> " + after[0] + " bytes, maps " + before[1] + " -> " + middle[1] + " -> " + after[1] +
                ", fds " + before[2] + " -> " + middle[2] + " -> " + after[2] + ", region files " + before[3] + " -> " +
                after[3]);
            check(me, after[0] - before[0] <= HEAP_TOLERANCE, "the heap grew by " + (after[0] - before[0]) + " bytes");
            check(me, after[1] - before[1] <= MAPS_TOLERANCE, "mapped regions grew by " + (after[1] - before[1]));
            check(me, after[2] - before[2] <= FDS_TOLERANCE, "file descriptors grew by " + (after[2] - before[2]));
            check(me, after[3] <= before[3], "/dev/shm region files grew by " + (after[3] - before[3]));
            closedCommunicator(world);
            worldCollectives = Collectives.of(world);
            worldCollectives.forceAllReduce(Collectives.AllReduceAlgorithm.HIERARCHICAL);
            sum(worldCollectives);
            world.barrier();
        }
        // Ringfold.close() closed the world, and with it its collectives
        expectClosed(worldCollectives::barrier, "WORLD");
        System.out.println("ok lifetime rank " + me);
    }

    /**
     * One of the algorithms that keep state, in turn ({@code i % 5}), so that each one's state is made and freed
     * thousands of times while the loop stays short enough for a loaded test machine; the warm-up uses them all.
     */
    private static void useAnAlgorithm(final Collectives c, final float[] array, final int i)
    {
        switch (i < WARM_UP ? -1 : i % 5)
        {
            case 0 ->
            {
                c.forceAllReduce(Collectives.AllReduceAlgorithm.AUTO); // small: recursive doubling
                sum(c);
                c.forceAllReduce(Collectives.AllReduceAlgorithm.RING);
                sum(c);
                java.util.Arrays.fill(array, me + 1); // the ring stages arrays
                c.allReduce(array, 0, COUNT, ReduceOp.SUM);
                check(me, array[COUNT - 1] == n * (n + 1) / 2f, "array allReduce gave " + array[COUNT - 1]);
            }
            case 1 ->
            {
                if (c.isOneNode())
                {
                    c.forceAllReduce(Collectives.AllReduceAlgorithm.SHARED_MEMORY);
                    sum(c);
                    c.forceBroadcast(Collectives.BroadcastAlgorithm.SHARED_MEMORY);
                    broadcast(c, i % n, i);
                }
            }
            case 2 ->
            {
                c.forceAllReduce(Collectives.AllReduceAlgorithm.HIERARCHICAL); // node and leader communicators
                sum(c);
                c.forceBroadcast(Collectives.BroadcastAlgorithm.HIERARCHICAL);
                broadcast(c, (i + 1) % n, i);
            }
            case 3 ->
            {
                c.forceAllReduce(Collectives.AllReduceAlgorithm.AUTO); // persistent, as the table picks
                persistent(c, 128 * 1024);
            }
            case 4 ->
            {
                c.forceAllReduce(Collectives.AllReduceAlgorithm.HIERARCHICAL);
                persistent(c, COUNT);
            }
            default ->
            {
                for (int k = 0; k < 5; k++)
                {
                    useAnAlgorithm(c, array, WARM_UP + k);
                }
            }
        }
    }

    private static void persistent(final Collectives c, final int count)
    {
        final CollectiveRequest persistent = c.allReduceInit(address, address, count, DType.F32, ReduceOp.SUM);
        for (int k = 0; k < 2; k++)
        {
            fill(me + 1);
            persistent.start().await();
            check(me, buffer.getFloat(4 * (count - 1)) == n * (n + 1) / 2f, "persistent allReduce: " + persistent);
        }
    }

    /** Each rank's {@code rank + 1}, summed: n(n+1)/2 everywhere. */
    private static void sum(final Collectives c)
    {
        fill(me + 1);
        c.allReduce(address, address, COUNT, DType.F32, ReduceOp.SUM);
        check(me, buffer.getFloat(0) == n * (n + 1) / 2f && buffer.getFloat(4 * (COUNT - 1)) == n * (n + 1) / 2f,
            c.algorithmFor(COUNT, DType.F32) + " allReduce gave " + buffer.getFloat(0));
    }

    private static void broadcast(final Collectives c, final int root, final int i)
    {
        fill(me == root ? i : -1);
        c.broadcast(address, COUNT, DType.F32, root);
        check(me, buffer.getFloat(0) == i && buffer.getFloat(4 * (COUNT - 1)) == i, "broadcast from " + root);
    }

    private static void fill(final float value)
    {
        for (int k = 0; k < CAPACITY; k++)
        {
            buffer.putFloat(4 * k, value);
        }
    }

    /** Collectives.of, a kept Collectives and a persistent request of a closed communicator all refuse, naming it. */
    private static void closedCommunicator(final Communicator world)
    {
        final Communicator dup = world.dup();
        final Collectives c = Collectives.of(dup);
        final CollectiveRequest persistent = c.allReduceInit(address, address, COUNT, DType.F32, ReduceOp.SUM);
        persistent.start().await();
        dup.close();
        dup.close(); // twice: nothing more happens
        expectClosed(() -> Collectives.of(dup), dup.name());
        expectClosed(() -> c.allReduce(address, address, COUNT, DType.F32, ReduceOp.SUM), dup.name());
        expectClosed(persistent::start, dup.name());
        expectClosed(() -> c.allReduce(new float[4], 0, 4, ReduceOp.SUM), dup.name());
    }

    private static void expectClosed(final Runnable call, final String name)
    {
        try
        {
            call.run();
        }
        catch (final CommunicatorClosedException ex)
        {
            check(me, ex.getMessage().contains(name + " ") || ex.getMessage().contains(name + ";"),
                "the error names " + name + ": " + ex.getMessage());
            return;
        }
        throw new AssertionError("rank " + me + ": a call on closed " + name + " did not fail");
    }

    /** Heap after GC, mapped regions, open descriptors, and region files this rank created (every rank level). */
    private static long[] measure(final Communicator world) throws IOException, InterruptedException
    {
        world.barrier();
        for (int k = 0; k < 4; k++)
        {
            System.gc();
            Thread.sleep(50); // lets the cleaner free what the collection found
        }
        final long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        final long maps;
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps")))
        {
            maps = lines.count();
        }
        final long fds;
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd")))
        {
            fds = entries.count();
        }
        final String mine = "-coll" + ProcessHandle.current().pid() + "-";
        final String dir = System.getenv().getOrDefault("RINGFOLD_SHM_DIR", "/dev/shm");
        final long files;
        try (Stream<Path> entries = Files.list(Path.of(dir.isBlank() ? "/dev/shm" : dir)))
        {
            files = entries.filter(p -> p.getFileName().toString().contains(mine)).count();
        }
        world.barrier();
        return new long[] {heap, maps, fds, files};
    }
}
