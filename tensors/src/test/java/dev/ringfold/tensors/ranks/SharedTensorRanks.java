package dev.ringfold.tensors.ranks;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.SharedTensorGoneException;
import dev.ringfold.tensors.SharedTensors;
import dev.ringfold.tensors.Tensor;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * Two ranks of one node share tensors through /dev/shm. Mode "share": one writes, the other reads the same bytes
 * and writes back, with no copy; exchange() among all; the file goes with its last user; a vanished file is a
 * specific error. Mode "die": rank 0 is killed (halt: no exit hooks) while rank 1 maps its tensor; the test
 * then checks the launcher removed the files. A failed check throws, and the launcher reports the rank.
 */
public final class SharedTensorRanks
{
    private static final int TAG = 71;

    private SharedTensorRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args.length > 0 ? args[0] : "share";
        try (Ringfold rf = Ringfold.init();
             BufferAllocator root = new RootAllocator())
        {
            final Communicator world = rf.world();
            try (Communicator node = world.splitByNode();
                 NodeSharedAllocator shared = NodeSharedAllocator.create(rf, root))
            {
                check(node.size() == world.size(), "all ranks on one node, got " + node.size());
                if (mode.equals("die"))
                {
                    die(rf, node, shared);
                }
                else
                {
                    share(node, shared);
                    exchange(node, shared);
                    vanished(node, shared);
                    node.barrier();
                    check(leftovers(shared).isEmpty(), "files left: " + leftovers(shared));
                    System.out.println("OK rank " + node.rank());
                }
            }
            check(root.getAllocatedMemory() == 0, "allocator back to 0");
        }
    }

    private static void share(final Communicator node, final NodeSharedAllocator shared)
    {
        final int n = 257 * 3;
        if (node.rank() == 0)
        {
            final Tensor t = shared.allocate("acts", DType.F32, 257, 3);
            final UnsafeBuffer w = t.unsafeBuffer();
            for (int i = 0; i < n; i++)
            {
                w.putFloat(i * 4, i + 0.25f);
            }
            SharedTensors.publish(node, t, 1, TAG);
            node.barrier(); // 1: rank 1 has read and written
            for (int i = 0; i < n; i++)
            {
                check(w.getFloat(i * 4) == -i, "element " + i + " as rank 1 wrote it: " + w.getFloat(i * 4));
            }
            System.out.println("rank 0 sees rank 1's writes in its own buffer");
            final Path file = shared.directory().resolve(shared.handle(t).fileName());
            t.close();
            check(Files.exists(file), "the file stays while rank 1 maps it");
            node.barrier(); // 2: rank 0 has closed
            node.barrier(); // 3: rank 1 has closed
            check(!Files.exists(file), "the last user removed " + file);
            System.out.println("rank 0: file removed by its last user");
        }
        else if (node.rank() == 1)
        {
            final Tensor peer = SharedTensors.map(node, shared, 0, TAG);
            check(peer.isNodeShared() && "acts".equals(peer.name()), "mapped " + peer);
            final MemorySegment s = peer.segment();
            for (int i = 0; i < n; i++)
            {
                check(s.getAtIndex(JAVA_FLOAT_UNALIGNED, i) == i + 0.25f, "element " + i + " as rank 0 wrote it");
                s.setAtIndex(JAVA_FLOAT_UNALIGNED, i, -i);
            }
            System.out.println("rank 1 read rank 0's bytes in place");
            node.barrier(); // 1
            node.barrier(); // 2
            check(peer.getFloat(256, 2) == -(n - 1), "still mapped after the owner closed");
            peer.close();
            node.barrier(); // 3
        }
        else
        {
            node.barrier();
            node.barrier();
            node.barrier();
        }
    }

    private static void exchange(final Communicator node, final NodeSharedAllocator shared)
    {
        final int me = node.rank();
        try (Tensor mine = shared.allocate("slot" + me, DType.I64, 5))
        {
            for (int i = 0; i < 5; i++)
            {
                mine.setLong(me * 100L + i, i);
            }
            node.barrier(); // every slot written before anyone reads
            final Tensor[] all = SharedTensors.exchange(node, shared, mine, TAG + 1);
            try
            {
                for (int r = 0; r < all.length; r++)
                {
                    for (int i = 0; i < 5; i++)
                    {
                        check(all[r].getLong(i) == r * 100L + i, "rank " + r + "'s slot element " + i);
                    }
                }
                node.barrier(); // everyone has read before anyone writes
                for (final Tensor slot : all)
                {
                    slot.setLong(-1 - me, me); // each rank marks its column in everyone's slot
                }
                node.barrier();
                for (int r = 0; r < all.length; r++)
                {
                    check(mine.getLong(r) == -1 - r, "rank " + r + " wrote into my slot directly");
                }
                System.out.println("rank " + me + " exchanged " + all.length + " slots in place");
            }
            finally
            {
                for (final Tensor t : all)
                {
                    t.close();
                }
            }
        }
        node.barrier();
    }

    private static void vanished(final Communicator node, final NodeSharedAllocator shared)
    {
        if (node.rank() == 0)
        {
            final Tensor t = shared.allocate("temp", DType.F64, 8);
            SharedTensors.publish(node, t, 1, TAG + 2);
            t.close(); // its only user: the file goes before rank 1 maps it
            node.barrier();
        }
        else
        {
            node.barrier();
            if (node.rank() == 1)
            {
                try
                {
                    SharedTensors.map(node, shared, 0, TAG + 2).close();
                    throw new AssertionError("mapped a tensor whose file is gone");
                }
                catch (final SharedTensorGoneException expected)
                {
                    check(expected.getMessage().contains("shared tensor 'temp' F64[8]"), expected.getMessage());
                    System.out.println("rank 1: a vanished tensor is reported: " + expected.getMessage());
                }
            }
        }
    }

    private static void die(final Ringfold rf, final Communicator node, final NodeSharedAllocator shared)
    {
        if (node.rank() == 0)
        {
            final Tensor t = shared.allocate("orphan", DType.F32, 1024);
            SharedTensors.publish(node, t, 1, TAG);
            node.barrier(); // rank 1 has mapped it
            System.out.println("JOB " + rf.jobId() + " FILES " + leftovers(shared).size());
            System.out.flush();
            Runtime.getRuntime().halt(9); // as kill -9: no exit hook runs
        }
        else
        {
            final Tensor peer = SharedTensors.map(node, shared, 0, TAG);
            check(peer.elementCount() == 1024, "mapped the orphan");
            node.barrier();
            node.recv(new byte[1], 0, 1, 0, TAG + 9); // fails once rank 0 is gone (or the launcher stops us)
        }
    }

    private static java.util.List<Path> leftovers(final NodeSharedAllocator shared)
    {
        final java.util.List<Path> out = new java.util.ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(shared.directory(),
            "ringfold-" + shared.jobId() + "-t*"))
        {
            s.forEach(out::add);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        return out;
    }

    private static void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError(what);
        }
    }
}
