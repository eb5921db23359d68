package dev.ringfold.tensors;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Node peers' shared files as this process maps them, found by the descriptors of {@link SharedLocations}: the first
 * time a file is named it is mapped (and this process takes a use of it, so it stays while mapped here), afterwards
 * the mapping is reused. A file's path never repeats within a job, so a path seen before is the same memory. Holds
 * at most {@code capacity} files; the one used longest ago is given up to make room. Not thread-safe: one per
 * communicator's node region, used by the thread that runs its collectives.
 */
public final class PeerSharedFiles implements AutoCloseable
{
    private final SharedFile[] files;
    private final long[] lastUse;
    private long clock;

    public PeerSharedFiles(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("PeerSharedFiles: capacity " + capacity + " must be at least 1");
        }
        this.files = new SharedFile[capacity];
        this.lastUse = new long[capacity];
    }

    /**
     * The address, in this process, of the bytes the descriptor at {@code at} of {@code descriptor} names; maps
     * the file the first time. A file that is gone or does not hold those bytes is an exception that says so.
     */
    public long address(final DirectBuffer descriptor, final int at)
    {
        final int pathLength = SharedLocations.pathLength(descriptor, at);
        if (pathLength <= 0 || pathLength > SharedLocations.MAX_PATH_BYTES)
        {
            throw new IllegalArgumentException("not a shared location: path of " + pathLength + " bytes");
        }
        final long offset = SharedLocations.offset(descriptor, at);
        final long bytes = SharedLocations.bytes(descriptor, at);
        clock++;
        int slot = find(descriptor, at + SharedLocations.PATH, pathLength);
        if (slot < 0)
        {
            slot = map(descriptor, at, pathLength, offset + bytes);
        }
        lastUse[slot] = clock;
        final SharedFile file = files[slot];
        if (offset < SharedFile.HEADER_BYTES || offset + bytes > file.size())
        {
            throw new IllegalStateException(file.path() + ": bytes [" + offset + ", " + (offset + bytes) +
                ") are outside its " + file.size() + " bytes");
        }
        return file.base() + offset;
    }

    private int find(final DirectBuffer descriptor, final int pathAt, final int pathLength)
    {
        for (int i = 0; i < files.length; i++)
        {
            final SharedFile f = files[i];
            if (f != null && sameBytes(f.pathBytes(), descriptor, pathAt, pathLength))
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameBytes(final byte[] path, final DirectBuffer d, final int at, final int length)
    {
        if (path.length != length)
        {
            return false;
        }
        for (int i = length - 1; i >= 0; i--) // names differ at the end (the sequence number)
        {
            if (path[i] != d.getByte(at + i))
            {
                return false;
            }
        }
        return true;
    }

    private int map(final DirectBuffer descriptor, final int at, final int pathLength, final long end)
    {
        final byte[] pathBytes = new byte[pathLength];
        descriptor.getBytes(at + SharedLocations.PATH, pathBytes);
        final Path path = Path.of(new String(pathBytes, StandardCharsets.UTF_8));
        final String name = path.getFileName().toString();
        if (!name.startsWith("ringfold-"))
        {
            throw new IllegalArgumentException(path + " is not a node-shared tensor file");
        }
        final int dtype = SharedLocations.dtype(descriptor, at);
        if (dtype < 0 || dtype >= DType.values().length)
        {
            throw new IllegalArgumentException(path + ": dtype #" + dtype + " in a shared location");
        }
        final SharedFile file = SharedFile.open(path, DType.values()[dtype],
            Math.max(0, end - SharedFile.HEADER_BYTES), "map a node peer's operand");
        int slot = 0;
        for (int i = 0; i < files.length; i++)
        {
            if (files[i] == null)
            {
                slot = i;
                break;
            }
            if (lastUse[i] < lastUse[slot])
            {
                slot = i;
            }
        }
        if (files[slot] != null)
        {
            files[slot].release0();
        }
        files[slot] = file;
        return slot;
    }

    /** How many peer files are mapped now. */
    public int mapped()
    {
        int n = 0;
        for (final SharedFile f : files)
        {
            n += f == null ? 0 : 1;
        }
        return n;
    }

    /** Gives up every mapping (the names go with the last user, as for tensors). */
    @Override
    public void close()
    {
        for (int i = 0; i < files.length; i++)
        {
            if (files[i] != null)
            {
                files[i].release0();
                files[i] = null;
            }
        }
    }
}
