package dev.ringfold.mpi.transport.shm;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One rank's inbound file in /dev/shm: a header page, then one single-producer ring per rank of the node
 * (ring i is written by the node's i-th rank). Created under a temporary name and renamed, so a peer never
 * maps a half-made file; mode 0600.
 */
final class RingFile implements AutoCloseable
{
    private static final long MAGIC = 0x52494E47464F4C44L; // "RINGFOLD"
    private static final int HEADER_BYTES = 4096;
    private static final int MAGIC_OFFSET = 0;
    private static final int RINGS_OFFSET = 8;
    private static final int CAPACITY_OFFSET = 12;
    /** The owner's {@link Doorbell}: read by every sender after each frame, written by the owner when it sleeps. */
    private static final int DOORBELL_OFFSET = 32;
    /** One cache line per sending rank in the header page, for the pair's shared copy counters. */
    static final int PAIR_SLOT_BYTES = 64;
    static final int MAX_PAIR_SLOTS = HEADER_BYTES / PAIR_SLOT_BYTES - 1;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final int rings;
    private final int capacity;

    private RingFile(final Path path, final MappedByteBuffer mapped, final int rings, final int capacity)
    {
        this.path = path;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_BYTES);
        this.rings = rings;
        this.capacity = capacity;
    }

    static Path pathFor(final Path dir, final String jobId, final int worldRank)
    {
        return dir.resolve("ringfold-" + jobId + "-r" + worldRank);
    }

    static long fileLength(final int rings, final int capacity)
    {
        return HEADER_BYTES + (long)rings * stride(capacity);
    }

    private static int stride(final int capacity)
    {
        final int bytes = capacity + RingBufferDescriptor.TRAILER_LENGTH;
        return (bytes + 4095) & ~4095;
    }

    static RingFile create(final Path path, final int rings, final int capacity)
    {
        final Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try
        {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(path); // a stale file of a dead job with the same id
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            final long length = fileLength(rings, capacity);
            final MappedByteBuffer mapped;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
            }
            final RingFile file = new RingFile(path, mapped, rings, capacity);
            file.header.putInt(RINGS_OFFSET, rings);
            file.header.putInt(CAPACITY_OFFSET, capacity);
            file.header.putLongVolatile(MAGIC_OFFSET, MAGIC);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            return file;
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(tmp);
            }
            catch (final IOException ignore)
            {
            }
            throw new UncheckedIOException("cannot create shared-memory file " + path + ": " + ex.getMessage(), ex);
        }
    }

    static RingFile map(final Path path, final int expectedRings, final int expectedCapacity)
    {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long length = ch.size();
            if (length != fileLength(expectedRings, expectedCapacity))
            {
                throw new IllegalStateException("shared-memory file " + path + " has " + length +
                    " bytes, expected " + fileLength(expectedRings, expectedCapacity) + " (mixed Ringfold settings?)");
            }
            final RingFile file = new RingFile(path, ch.map(FileChannel.MapMode.READ_WRITE, 0, length),
                expectedRings, expectedCapacity);
            if (file.header.getLongVolatile(MAGIC_OFFSET) != MAGIC)
            {
                file.close();
                throw new IllegalStateException("shared-memory file " + path + " is not a Ringfold ring file");
            }
            return file;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map peer's shared-memory file " + path + ": " + ex.getMessage(), ex);
        }
    }

    OneToOneRingBuffer ring(final int index)
    {
        if (index < 0 || index >= rings)
        {
            throw new IndexOutOfBoundsException("ring " + index + " of " + rings + " in " + path);
        }
        final long offset = HEADER_BYTES + (long)index * stride(capacity);
        return new OneToOneRingBuffer(
            new UnsafeBuffer(mapped, (int)offset, capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }

    Doorbell doorbell()
    {
        return new Doorbell(header, DOORBELL_OFFSET);
    }

    /** The shared counters of the pair (sender {@code index} → this file's owner), or null past the header's room. */
    UnsafeBuffer pairSlot(final int index)
    {
        if (index < 0 || index >= Math.min(rings, MAX_PAIR_SLOTS))
        {
            return null;
        }
        return new UnsafeBuffer(header, PAIR_SLOT_BYTES * (index + 1), PAIR_SLOT_BYTES);
    }

    Path path()
    {
        return path;
    }

    /** Removes the name; the mapping stays valid for everyone who has it. */
    void unlink()
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
        }
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
