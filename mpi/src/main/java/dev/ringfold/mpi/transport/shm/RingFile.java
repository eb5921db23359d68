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
    /**
     * Kept open for the owner's own file: once the name is unlinked, this descriptor is the only way another process
     * of the same user can open the file again ({@code /proc/PID/fd/N}), which a replacement of a dead peer does.
     */
    private FileChannel descriptor;
    /** Of the owner's own file, read when it was made: its name goes, and a replacement is checked against it later. */
    private UserPrincipal ownerAtCreation;

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
        FileChannel ch = null;
        try
        {
            ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            mapped = map(ch, length, arena);
        }
        catch (final IOException ex)
        {
            arena.close();
            closeQuietly(ch);
            throw new UncheckedIOException("cannot create shared-memory file " + path + ": " + ex, ex);
        }
        final RingFile file = new RingFile(path, arena, mapped, rings, capacity);
        file.descriptor = ch;
        file.ownerAtCreation = file.owner();
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
        return map(path, path, expectedRings, expectedCapacity, owner, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Maps a peer's file whose name is unlinked, through the descriptor the peer keeps open ({@link #openLink()}),
     * for a replacement of a dead rank joining after the start-up. The link must lead to a regular file owned by
     * {@code owner} whose (former) name is one the peer makes ({@link #peerPath}), the same file before it is
     * opened and after.
     */
    static RingFile mapThroughLink(final Path link, final Path dir, final String jobId, final int peer,
        final int expectedRings, final int expectedCapacity, final UserPrincipal owner)
    {
        final String target;
        try
        {
            target = Files.readSymbolicLink(link).toString();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read rank " + peer + "'s shared-memory file link " + link + ": " +
                ex, ex);
        }
        final String name = Path.of(target.endsWith(DELETED) ? target.substring(0, target.length() - DELETED.length()) :
            target).getFileName().toString();
        final Path path = peerPath(dir, jobId, peer, name); // checks the name's form
        if (!link.startsWith(PROC) || !path.toString().equals(target.replace(DELETED, "")))
        {
            throw new IllegalStateException("rank " + peer + "'s shared-memory file link " + link + " leads to " +
                target + ", not to a file of its in " + dir);
        }
        return map(link, path, expectedRings, expectedCapacity, owner);
    }

    private static final String DELETED = " (deleted)";
    private static final Path PROC = Path.of("/proc");

    private static RingFile map(final Path path, final Path named, final int expectedRings, final int expectedCapacity,
        final UserPrincipal owner, final LinkOption... follow)
    {
        try
        {
            final PosixFileAttributes before = ownFile(path, owner, follow);
            final java.util.Set<java.nio.file.OpenOption> options = new java.util.HashSet<>(
                Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
            options.addAll(java.util.Arrays.asList(follow));
            try (FileChannel ch = FileChannel.open(path, options))
            {
                if (!before.fileKey().equals(ownFile(path, owner, follow).fileKey()))
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
                    file = new RingFile(named, arena, map(ch, length, arena), expectedRings, expectedCapacity);
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

    private static PosixFileAttributes ownFile(final Path path, final UserPrincipal owner, final LinkOption... follow)
        throws IOException
    {
        final PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, follow);
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
        if (ownerAtCreation != null)
        {
            return ownerAtCreation;
        }
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

    /**
     * {@code /proc/PID/fd/N} of this process's descriptor of its own file: where a process of the same user opens it
     * after its name is gone. Found by the descriptor's link, which names the file (its name is unguessable).
     */
    Path openLink()
    {
        if (descriptor == null)
        {
            throw new IllegalStateException(path + " is not this process's own ring file");
        }
        final String named = path.toString();
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.equals(named) || target.equals(named + DELETED))
                    {
                        return PROC.resolve(Long.toString(ProcessHandle.current().pid())).resolve("fd")
                            .resolve(fd.getFileName());
                    }
                }
                catch (final IOException ex)
                {
                    // closed meanwhile (the directory's own descriptor, say): not ours
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list /proc/self/fd: " + ex, ex);
        }
        throw new IllegalStateException("no descriptor of " + path + " in /proc/self/fd");
    }

    /**
     * Empties ring {@code index} and its pair slot, for a new producer: only once the old producer's process is gone
     * (it may have died between claiming a record and committing it, which would stop the reader there for good).
     */
    void reset(final int index)
    {
        final long offset = HEADER_BYTES + (long)index * stride(capacity);
        new UnsafeBuffer(mapped, (int)offset, capacity + RingBufferDescriptor.TRAILER_LENGTH)
            .setMemory(0, capacity + RingBufferDescriptor.TRAILER_LENGTH, (byte)0);
        final UnsafeBuffer slot = pairSlot(index);
        if (slot != null)
        {
            slot.setMemory(0, PAIR_SLOT_BYTES, (byte)0);
        }
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
        closeQuietly(descriptor);
        descriptor = null;
    }

    private static void closeQuietly(final FileChannel ch)
    {
        if (ch != null)
        {
            try
            {
                ch.close();
            }
            catch (final IOException ignore)
            {
            }
        }
    }
}
