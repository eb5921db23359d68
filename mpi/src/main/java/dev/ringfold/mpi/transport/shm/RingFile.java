package dev.ringfold.mpi.transport.shm;

import dev.ringfold.mpi.auth.KernelRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * One rank's inbound file in /dev/shm: a header page, then one single-producer ring per rank of the node
 * (ring i is written by the node's i-th rank); mode 0600.
 * <p>
 * /dev/shm is shared by every user of the node, so the name is one nobody can take first: the job and rank, for
 * the launcher's clean-up and for people, and then 128 random bits, so that no other user can predict it. The file
 * is created exclusively (O_CREAT|O_EXCL, which also refuses a symbolic link), so it is this rank's own; peers learn
 * the name only through the authenticated rendezvous, after the file is complete (so none maps a half-made one), and
 * map it only when it is a regular file owned by the same user as their own.
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
    /** The mapping's lifetime: closing it unmaps the file. */
    private final Arena arena;
    private final ByteBuffer mapped;
    private final UnsafeBuffer header;
    private final int rings;
    private final int capacity;

    private RingFile(final Path path, final Arena arena, final ByteBuffer mapped, final int rings, final int capacity)
    {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_BYTES);
        this.rings = rings;
        this.capacity = capacity;
    }

    /** "ringfold-JOB-rRANK-" then 32 hex digits: the prefix says whose it is, the rest makes it unguessable. */
    static Path newPath(final Path dir, final String jobId, final int worldRank)
    {
        return dir.resolve(prefix(jobId, worldRank) + KernelRandom.nameSuffix());
    }

    static String prefix(final String jobId, final int worldRank)
    {
        return "ringfold-" + jobId + "-r" + worldRank + "-";
    }

    /**
     * The path of a peer's file from the name it sent: only a name of the form {@link #newPath} makes for that peer,
     * in {@code dir} itself.
     */
    static Path peerPath(final Path dir, final String jobId, final int worldRank, final String name)
    {
        final String prefix = prefix(jobId, worldRank);
        if (!name.startsWith(prefix) || name.length() != prefix.length() + KernelRandom.NAME_SUFFIX_CHARS ||
            !name.substring(prefix.length()).chars().allMatch(c -> Character.digit(c, 16) >= 0))
        {
            throw new IllegalStateException("rank " + worldRank + " named its shared-memory file '" + name +
                "', not one of the form " + prefix + "<" + KernelRandom.NAME_SUFFIX_CHARS + " hex digits>");
        }
        return dir.resolve(name);
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
        final long length = fileLength(rings, capacity);
        final Arena arena = Arena.ofShared();
        final ByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))
        {
            mapped = map(ch, length, arena);
        }
        catch (final IOException ex)
        {
            arena.close();
            throw new UncheckedIOException("cannot create shared-memory file " + path + ": " + ex, ex);
        }
        final RingFile file = new RingFile(path, arena, mapped, rings, capacity);
        file.header.putInt(RINGS_OFFSET, rings);
        file.header.putInt(CAPACITY_OFFSET, capacity);
        file.header.putLongRelease(MAGIC_OFFSET, MAGIC);
        return file;
    }

    /**
     * Maps a peer's file, which must be a regular file (not a link) owned by {@code owner}: the same file before it
     * is opened and after, so that nobody can slip another in between.
     */
    static RingFile map(final Path path, final int expectedRings, final int expectedCapacity, final UserPrincipal owner)
    {
        try
        {
            final PosixFileAttributes before = ownFile(path, owner);
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS))
            {
                if (!before.fileKey().equals(ownFile(path, owner).fileKey()))
                {
                    throw new IllegalStateException("shared-memory file " + path + " was replaced while it was opened");
                }
                final long length = ch.size();
                if (length != fileLength(expectedRings, expectedCapacity))
                {
                    throw new IllegalStateException("shared-memory file " + path + " has " + length +
                        " bytes, expected " + fileLength(expectedRings, expectedCapacity) + " (mixed Ringfold settings?)");
                }
                final Arena arena = Arena.ofShared();
                final RingFile file;
                try
                {
                    file = new RingFile(path, arena, map(ch, length, arena), expectedRings, expectedCapacity);
                }
                catch (final IOException | RuntimeException ex)
                {
                    arena.close();
                    throw ex;
                }
                if (file.header.getLongAcquire(MAGIC_OFFSET) != MAGIC)
                {
                    file.close();
                    throw new IllegalStateException("shared-memory file " + path + " is not a Ringfold ring file");
                }
                return file;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map peer's shared-memory file " + path + ": " + ex, ex);
        }
    }

    /**
     * Maps the whole file as a memory segment and views it as a buffer: {@code FileChannel.map(mode, 0, length)}
     * would make a MappedByteBuffer through a reflective constructor, which costs each rank tens of milliseconds of
     * CPU at start-up for the method handles behind it.
     */
    private static ByteBuffer map(final FileChannel ch, final long length, final Arena arena) throws IOException
    {
        return ch.map(FileChannel.MapMode.READ_WRITE, 0, length, arena).asByteBuffer();
    }

    private static PosixFileAttributes ownFile(final Path path, final UserPrincipal owner) throws IOException
    {
        final PosixFileAttributes attributes =
            Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile() || !attributes.owner().equals(owner))
        {
            throw new IllegalStateException("shared-memory file " + path + " is " +
                (attributes.isRegularFile() ? "owned by " + attributes.owner().getName() + ", not " + owner.getName() :
                    "not a regular file") + ": not this job's; refusing to map it");
        }
        return attributes;
    }

    /** Who owns this rank's own file: the user every peer's file must belong to as well. */
    UserPrincipal owner()
    {
        try
        {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the owner of " + path + ": " + ex, ex);
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
        if (arena.scope().isAlive())
        {
            arena.close();
        }
    }
}
