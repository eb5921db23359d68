package dev.ringfold.tensors;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where node-shared memory lives ({@link SharedLocations}) and a peer's mapping of it ({@link PeerSharedFiles}): the
 * peer reaches the same bytes at its own address, private memory has no location, a closed tensor's file stays
 * while a peer maps it and goes when the peer gives it up. One JVM stands in for two ranks, as in
 * {@link NodeSharedAllocatorTest}.
 */
class SharedLocationsTest
{
    private String job;
    private BufferAllocator root;
    private NodeSharedAllocator shared;

    @BeforeEach
    void open()
    {
        job = "loc" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        root = new RootAllocator();
        shared = new NodeSharedAllocator(root, NodeSharedAllocatorTest.SHM, job, 0);
    }

    @AfterEach
    void close() throws IOException
    {
        shared.close();
        root.close();
        final List<java.nio.file.Path> left = NodeSharedAllocatorTest.files(job);
        left.forEach(p -> p.toFile().delete());
        assertEquals(List.of(), left, "files left in /dev/shm");
    }

    @Test
    void aPeerReachesTheSameBytesThroughTheDescriptor()
    {
        final UnsafeBuffer d = new UnsafeBuffer(new byte[SharedLocations.MAX_DESCRIPTOR_BYTES]);
        try (Tensor t = shared.allocate(DType.F32, 1000); PeerSharedFiles peer = new PeerSharedFiles(2))
        {
            final long inside = t.address() + 40;
            assertTrue(SharedLocations.describe(inside, 400, d, 0) > 0);
            assertTrue(SharedLocations.isNodeShared(t.address(), t.byteSize()));
            assertFalse(SharedLocations.isNodeShared(t.address(), t.byteSize() + 1), "past the end");
            final long there = peer.address(d, 0);
            assertNotEquals(inside, there, "a mapping of its own");
            t.setDouble(7.5, 10);
            assertEquals(7.5f, org.agrona.UnsafeApi.getFloat(there), "element 10 is 40 bytes in");
            assertEquals(there, peer.address(d, 0), "mapped once");
            assertEquals(1, peer.mapped());
        }
    }

    @Test
    void privateMemoryHasNoLocation()
    {
        final UnsafeBuffer d = new UnsafeBuffer(new byte[SharedLocations.MAX_DESCRIPTOR_BYTES]);
        final java.nio.ByteBuffer plain = BufferUtil.allocateDirectAligned(4096, 64);
        assertEquals(0, SharedLocations.describe(BufferUtil.address(plain), 4096, d, 0));
        try (Tensor t = Tensors.zeros(root, DType.F32, 100))
        {
            assertEquals(0, SharedLocations.describe(t.address(), t.byteSize(), d, 0));
        }
    }

    @Test
    void aMappedFileOutlivesItsTensorUntilThePeerGivesItUp() throws IOException
    {
        final UnsafeBuffer d = new UnsafeBuffer(new byte[SharedLocations.MAX_DESCRIPTOR_BYTES]);
        try (PeerSharedFiles peer = new PeerSharedFiles(1))
        {
            final Tensor a = shared.allocate(DType.F32, 10);
            SharedLocations.describe(a.address(), a.byteSize(), d, 0);
            final long there = peer.address(d, 0);
            a.close();
            assertEquals(1, NodeSharedAllocatorTest.files(job).size(), "the peer's use keeps the file");
            org.agrona.UnsafeApi.putFloat(there, 1f); // still mapped here
            try (Tensor b = shared.allocate(DType.F32, 10))
            {
                SharedLocations.describe(b.address(), b.byteSize(), d, 0);
                peer.address(d, 0); // capacity 1: a's file is given up, and with its last use its name goes
                assertEquals(1, NodeSharedAllocatorTest.files(job).size(), "only b's file");
            }
        }
        assertEquals(List.of(), NodeSharedAllocatorTest.files(job));
    }

    @Test
    void aDescriptorBeyondItsFileIsRefused()
    {
        final UnsafeBuffer d = new UnsafeBuffer(new byte[SharedLocations.MAX_DESCRIPTOR_BYTES]);
        try (Tensor t = shared.allocate(DType.F32, 10); PeerSharedFiles peer = new PeerSharedFiles(2))
        {
            SharedLocations.describe(t.address(), t.byteSize(), d, 0);
            d.putLong(SharedLocations.BYTES, 1 << 20, java.nio.ByteOrder.LITTLE_ENDIAN);
            assertThrows(IllegalStateException.class, () -> peer.address(d, 0));
            d.putInt(SharedLocations.PATH_LENGTH, 0, java.nio.ByteOrder.LITTLE_ENDIAN);
            assertThrows(IllegalArgumentException.class, () -> peer.address(d, 0));
        }
    }
}
