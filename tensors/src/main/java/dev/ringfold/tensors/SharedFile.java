package dev.ringfold.tensors;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.ForeignAllocation;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One node-shared tensor's file, mapped by this process: a 64-byte header, then the elements. The header's use
 * count says how many mappings (one per process that created or mapped it) are alive; it changes only with
 * atomic operations on the shared page, and whoever takes it to zero removes the name. Arrow owns the mapping
 * once wrapped: when the last reference in this process goes, {@link #release0()} gives up this process's use
 * and unmaps.
 * <p>
 * A process that exits without closing gives up its uses from a shutdown hook (the name goes with the last
 * one); a process that is killed cannot, and the launcher removes {@code ringfold-<job>-*} after the job.
 */
final class SharedFile extends ForeignAllocation
{
    static final int HEADER_BYTES = 64; // keeps the elements 64-byte aligned: a cache line, an AVX-512 vector
    private static final long MAGIC = 0x524654454E534F52L; // "RFTENSOR"
    private static final int MAGIC_OFFSET = 0;
    private static final int USERS_OFFSET = 8;
    private static final int DTYPE_OFFSET = 12;
    private static final int DATA_BYTES_OFFSET = 16;
    private static final int CREATOR_PID_OFFSET = 24;

    /**
     * The files this process still holds a use of: for the shutdown hook, and for {@link #containing}, which the
     * collectives ask on every call; copied on write so that the lookup reads a plain array and allocates nothing.
     */
    private static volatile SharedFile[] live = new SharedFile[0];

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(SharedFile::giveUpAll, "ringfold-shared-tensors-exit"));
    }

    private final Arena arena;
    private final Path path;
    private final long base;
    private final long size;
    private final byte[] pathBytes; // what a descriptor carries (SharedLocations), encoded once
    private final UnsafeBuffer header;
    private final AtomicBoolean givenUp = new AtomicBoolean();

    private SharedFile(final Arena arena, final MemorySegment segment, final Path path)
    {
        super(segment.byteSize(), segment.address());
        this.arena = arena;
        this.path = path;
        this.base = segment.address();
        this.size = segment.byteSize();
        this.pathBytes = path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.header = new UnsafeBuffer(segment.address(), HEADER_BYTES);
    }

    Path path()
    {
        return path;
    }

    DType dtype()
    {
        return DType.values()[dtypeOrdinal()];
    }

    /** The dtype's ordinal as the header holds it (no copy of {@code DType.values()}: read on every collective). */
    int dtypeOrdinal()
    {
        return header.getInt(DTYPE_OFFSET);
    }

    long dataBytes()
    {
        return header.getLong(DATA_BYTES_OFFSET);
    }

    int users()
    {
        return header.getIntVolatile(USERS_OFFSET);
    }

    /**
     * Creates {@code path} with room for {@code dataBytes}, every page reserved, under a temporary name that is
     * renamed once the header is complete, so no peer ever maps a half-made file. Mode 0600.
     */
    static SharedFile create(final Path path, final DType dtype, final long dataBytes, final String what)
    {
        final Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        final long size = HEADER_BYTES + dataBytes;
        final Arena arena = Arena.ofShared(); // the last release may come from any thread
        boolean done = false;
        try
        {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            ShmSpace.reserve(temp, size, what);
            final MemorySegment segment;
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                segment = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            }
            final SharedFile file = new SharedFile(arena, segment, path);
            file.header.putInt(USERS_OFFSET, 1);
            file.header.putInt(DTYPE_OFFSET, dtype.ordinal());
            file.header.putLong(DATA_BYTES_OFFSET, dataBytes);
            file.header.putLong(CREATOR_PID_OFFSET, ProcessHandle.current().pid());
            file.header.putLongVolatile(MAGIC_OFFSET, MAGIC); // last: a complete header is one with the magic
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            track(file);
            done = true;
            return file;
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(what + ": cannot create " + path + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (!done)
            {
                arena.close();
                deleteQuietly(temp);
            }
        }
    }

    /**
     * Maps a peer's file and takes a use of it, checking it still holds what the handle says. A file that is gone,
     * or whose last user has left, is a {@link SharedTensorGoneException}.
     */
    static SharedFile open(final Path path, final DType dtype, final long minDataBytes, final String what)
    {
        final Arena arena = Arena.ofShared();
        boolean done = false;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long size = ch.size();
            if (size < HEADER_BYTES)
            {
                throw new IllegalStateException(what + ": " + path + " has " + size + " bytes, not a shared tensor");
            }
            final SharedFile file = new SharedFile(arena, ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena),
                path);
            if (file.header.getLongVolatile(MAGIC_OFFSET) != MAGIC)
            {
                throw new IllegalStateException(what + ": " + path + " is not a Ringfold shared tensor file");
            }
            if (file.dtype() != dtype || file.dataBytes() < minDataBytes || size != HEADER_BYTES + file.dataBytes())
            {
                throw new IllegalStateException(what + ": " + path + " holds " + file.dataBytes() + " bytes of " +
                    file.dtype() + ", expected at least " + minDataBytes + " bytes of " + dtype);
            }
            int users;
            do
            {
                users = file.header.getIntVolatile(USERS_OFFSET);
                if (users <= 0)
                {
                    // its last user left and is removing the name: too late to join
                    throw new SharedTensorGoneException(what + ": " + path + " was closed by its last user", null);
                }
            }
            while (!file.header.compareAndSetInt(USERS_OFFSET, users, users + 1));
            track(file);
            done = true;
            return file;
        }
        catch (final NoSuchFileException ex)
        {
            throw new SharedTensorGoneException(what + ": " + path + " is gone (its last user closed it, or its " +
                "job ended)", ex);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(what + ": cannot map " + path + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (!done)
            {
                arena.close();
            }
        }
    }

    /** Gives up this process's use: the one that takes the count to zero removes the name. Once. */
    void giveUp()
    {
        if (givenUp.compareAndSet(false, true))
        {
            untrack(this);
            if (header.getAndAddInt(USERS_OFFSET, -1) == 1)
            {
                deleteQuietly(path);
            }
        }
    }

    @Override
    protected void release0()
    {
        giveUp();
        arena.close();
    }

    /** At exit: give up every use still held; the mappings go with the process. */
    private static void giveUpAll()
    {
        for (final SharedFile file : live)
        {
            file.giveUp();
        }
    }

    /** The address of the mapping's first byte (the header's). */
    long base()
    {
        return base;
    }

    byte[] pathBytes()
    {
        return pathBytes;
    }

    /** The mapping's length: header and elements. */
    long size()
    {
        return size;
    }

    /**
     * The file of this process whose elements hold all of {@code [address, address + bytes)}, or null: a plain
     * scan of the few files a process has open, allocation-free.
     */
    static SharedFile containing(final long address, final long bytes)
    {
        for (final SharedFile file : live)
        {
            if (address >= file.base + HEADER_BYTES && address + bytes <= file.base + file.size)
            {
                return file;
            }
        }
        return null;
    }

    private static synchronized void track(final SharedFile file)
    {
        final SharedFile[] grown = Arrays.copyOf(live, live.length + 1);
        grown[live.length] = file;
        live = grown;
    }

    private static synchronized void untrack(final SharedFile file)
    {
        final SharedFile[] now = live;
        for (int i = 0; i < now.length; i++)
        {
            if (now[i] == file)
            {
                final SharedFile[] shrunk = Arrays.copyOf(now, now.length - 1);
                System.arraycopy(now, i + 1, shrunk, i, now.length - i - 1);
                live = shrunk;
                return;
            }
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // the launcher's sweep of ringfold-<job>-* is the backstop
        }
    }
}
