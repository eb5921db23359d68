package dev.ringfold.tensors;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two allocators of one job in one JVM stand in for two ranks of a node: each maps the file separately, as two
 * processes would. Files go to /dev/shm under a job id of this test's own; none may be left.
 */
class NodeSharedAllocatorTest
{
    static final Path SHM = Path.of("/dev/shm");

    private String job;
    private BufferAllocator root;
    private NodeSharedAllocator rank0;
    private NodeSharedAllocator rank1;

    @BeforeEach
    void open()
    {
        job = "test" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        root = new RootAllocator();
        rank0 = new NodeSharedAllocator(root, SHM, job, 0);
        rank1 = new NodeSharedAllocator(root, SHM, job, 1);
    }

    @AfterEach
    void close() throws IOException
    {
        rank0.close();
        rank1.close();
        root.close();
        final List<Path> left = files(job);
        left.forEach(p -> p.toFile().delete());
        assertEquals(List.of(), left, "files left in /dev/shm");
    }

    static List<Path> files(final String job) throws IOException
    {
        final List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(SHM, "ringfold-" + job + "-*"))
        {
            s.forEach(out::add);
        }
        return out;
    }

    @Test
    void aPeerMapsTheSameBytes() throws IOException
    {
        final Tensor mine = rank0.allocate("grad", DType.F32, 1000, 3);
        final SharedTensorHandle handle = rank0.handle(mine);
        assertEquals("grad", handle.name());
        assertTrue(handle.fileName().startsWith("ringfold-" + job + "-t0-"), handle.fileName());
        final Path file = SHM.resolve(handle.fileName());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(SharedFile.HEADER_BYTES + 12_000, Files.size(file));
        assertEquals(0, mine.address() % 64, "elements are 64-byte aligned");
        assertArrayEquals(new float[3000], mine.toFloatArray()); // zeros

        final Tensor peer = rank1.map(SharedTensorHandle.decode(handle.encode()));
        assertNotEquals(mine.address(), peer.address()); // a mapping of its own ...
        assertEquals(2, mine.sharedFile().users());
        final UnsafeBuffer w = mine.unsafeBuffer();
        for (int i = 0; i < 3000; i++)
        {
            w.putFloat(i * 4, i * 0.5f);
        }
        assertArrayEquals(mine.toFloatArray(), peer.toFloatArray()); // ... of the same bytes
        peer.setDouble(-7, 999, 2);
        assertEquals(-7f, mine.getFloat(999, 2));
        assertEquals("grad", peer.name());
        assertTrue(peer.isNodeShared());
        assertEquals(SharedFile.HEADER_BYTES + 12_000, rank1.arrowAllocator().getAllocatedMemory());

        mine.close(); // the owner leaves first: the name stays for the peer
        assertTrue(Files.exists(file));
        assertEquals(1, peer.sharedFile().users());
        assertEquals(-7f, peer.getFloat(999, 2));
        peer.close(); // the last user removes it
        assertFalse(Files.exists(file));
        assertEquals(0, root.getAllocatedMemory());
    }

    @Test
    void slicesAlongTheFirstDimensionCanBePublished()
    {
        try (Tensor mine = rank0.allocate(DType.I64, 4, 2))
        {
            for (int i = 0; i < 8; i++)
            {
                mine.setLong(i, i / 2, i % 2);
            }
            try (Tensor rows = mine.slice(0, 2, 4);
                 Tensor peer = rank1.map(rank0.handle(rows)))
            {
                assertArrayEquals(new long[] {2, 2}, peer.shape());
                assertArrayEquals(new long[] {4, 5, 6, 7}, peer.toLongArray());
                try (Tensor cols = mine.slice(1, 0, 1))
                {
                    assertThrows(TensorNotContiguousException.class, () -> rank0.handle(cols));
                }
            }
        }
    }

    @Test
    void aTensorWhoseFileVanishedCannotBeMapped() throws IOException
    {
        final Tensor mine = rank0.allocate("w", DType.F32, 4);
        final SharedTensorHandle handle = rank0.handle(mine);
        mine.close(); // its last user: the file goes
        final SharedTensorGoneException gone = assertThrows(SharedTensorGoneException.class,
            () -> rank1.map(handle));
        assertTrue(gone.getMessage().contains("map shared tensor 'w' F32[4]"), gone.getMessage());
        assertTrue(gone.getMessage().contains("is gone"), gone.getMessage());

        // removed behind our back while mapped: the mapping stays good, new maps fail
        try (Tensor other = rank0.allocate("v", DType.I32, 2))
        {
            final SharedTensorHandle h = rank0.handle(other);
            Files.delete(SHM.resolve(h.fileName()));
            other.setLong(5, 1);
            assertEquals(5, other.getLong(1));
            assertThrows(SharedTensorGoneException.class, () -> rank1.map(h));
        }
        assertEquals(0, root.getAllocatedMemory());
    }

    @Test
    void handlesThatDoNotFit()
    {
        try (Tensor plain = Tensors.zeros(root, DType.F32, 2).name("p");
             Tensor shared = rank0.allocate("s", DType.F32, 8))
        {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> rank0.handle(plain)).getMessage()
                .contains("tensor 'p' F32[2]: it is not node-shared"));
            final SharedTensorHandle h = rank0.handle(shared);
            final SharedTensorHandle otherNode = new SharedTensorHandle("elsewhere", h.fileName(), h.fileOffset(),
                h.dtype(), h.shape(), h.name());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> rank1.map(otherNode)).getMessage()
                .contains("it lives on node elsewhere"));
            final SharedTensorHandle sneaky = new SharedTensorHandle(h.node(), "../etc/passwd", 64, DType.U8,
                new long[] {1}, null);
            assertThrows(IllegalArgumentException.class, () -> rank1.map(sneaky));
            final SharedTensorHandle wrongType = new SharedTensorHandle(h.node(), h.fileName(), h.fileOffset(),
                DType.I64, h.shape(), h.name());
            assertTrue(assertThrows(IllegalStateException.class, () -> rank1.map(wrongType)).getMessage()
                .contains("expected at least 64 bytes of I64"));
            final SharedTensorHandle tooLong = new SharedTensorHandle(h.node(), h.fileName(), h.fileOffset(),
                DType.F32, new long[] {9}, h.name());
            assertThrows(IllegalStateException.class, () -> rank1.map(tooLong));
            assertThrows(IllegalArgumentException.class, () -> SharedTensorHandle.decode(new byte[] {1, 2, 3}));
            assertThrows(IllegalArgumentException.class,
                () -> SharedTensorHandle.decode(java.util.Arrays.copyOf(h.encode(), 30)));
            assertEquals(1, shared.sharedFile().users(), "failed maps took no use");
        }
    }

    /** The node a handle names is its allocator's (from the settings of a running job), and only it maps it. */
    @Test
    void handlesCarryTheirAllocatorsNode()
    {
        try (NodeSharedAllocator onA = new NodeSharedAllocator(root, SHM, job, 4, "node-a");
             NodeSharedAllocator onB = new NodeSharedAllocator(root, SHM, job, 5, "node-b");
             NodeSharedAllocator alsoOnA = new NodeSharedAllocator(root, SHM, job, 6, "node-a");
             Tensor mine = onA.allocate("a", DType.F32, 4))
        {
            final SharedTensorHandle handle = onA.handle(mine);
            assertEquals("node-a", handle.node());
            assertEquals("node-a", onA.node());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> onB.map(handle)).getMessage()
                .contains("it lives on node node-a, this rank on node-b"));
            try (Tensor peer = alsoOnA.map(handle))
            {
                assertEquals(4, peer.shape()[0]);
            }
        }
        try (NodeSharedAllocator plain = new NodeSharedAllocator(root, SHM, job, 7))
        {
            assertEquals(rank0.node(), plain.node(), "without a job's settings: this machine's identity");
        }
        assertThrows(NullPointerException.class, () -> new NodeSharedAllocator(root, SHM, job, 8, null));
    }

    @Test
    void arrowLimitsAndLeaksApply() throws IOException
    {
        try (BufferAllocator small = root.newChildAllocator("small", 0, 1024);
             NodeSharedAllocator limited = new NodeSharedAllocator(small, SHM, job, 2))
        {
            assertThrows(OutOfMemoryException.class, () -> limited.allocate(DType.F64, 1024));
            assertEquals(List.of(), files(job), "the refused file is removed");
        }
        final BufferAllocator ownRoot = new RootAllocator();
        final NodeSharedAllocator leaky = new NodeSharedAllocator(ownRoot, SHM, job, 3);
        final Tensor open = leaky.allocate("left", DType.F32, 16);
        final IllegalStateException leak = assertThrows(IllegalStateException.class, leaky::close);
        assertTrue(leak.getMessage().contains("Memory was leaked"), leak.getMessage());
        assertTrue(leak.getMessage().contains("node-shared(job " + job + ", rank 3)"), leak.getMessage());
        assertTrue(assertThrows(TensorClosedException.class, open::unsafeBuffer).getMessage()
            .contains("tensor 'left' F32[16]"));
        assertEquals(1, files(job).size(), "a leaked tensor keeps its file, as Arrow keeps any leaked buffer");
        // what the exit hook does for a process that ends with it open: give up the use, so the file goes
        open.sharedFile().giveUp();
        assertEquals(List.of(), files(job));
        assertThrows(IllegalStateException.class, ownRoot::close); // the root still counts the leak
    }

    @Test
    void badArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> new NodeSharedAllocator(root, SHM, "bad/job", 0));
        assertThrows(TensorShapeException.class, () -> rank0.allocate(DType.F32, 3, -2));
        assertTrue(ShmSpace.usesFallocate(), "posix_fallocate reserves /dev/shm pages on Linux");
    }
}
