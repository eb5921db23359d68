package dev.ringfold.tensors;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Where memory lives when it is node-shared: the few bytes a node peer needs to reach it in place. The collectives
 * ask it for every operand ({@link #describe}), write the answer into the node region, and a peer turns it into an
 * address of its own with {@link PeerSharedFiles}. Any address inside a tensor of a {@link NodeSharedAllocator}
 * (or inside a peer's tensor this process mapped) has a location; Java arrays and plain off-heap memory have none.
 *
 * <p>A descriptor, little-endian: the byte offset of the first byte in its file (long), the number of bytes
 * (long), the file's dtype (int), the length of the file's path (int), then the path (UTF-8).
 */
public final class SharedLocations
{
    static final int OFFSET = 0;
    static final int BYTES = 8;
    static final int DTYPE = 16;
    static final int PATH_LENGTH = 20;
    static final int PATH = 24;
    /** The longest path a descriptor carries; memory in a file with a longer path is treated as private. */
    public static final int MAX_PATH_BYTES = 1000;
    /** Room enough for any descriptor. */
    public static final int MAX_DESCRIPTOR_BYTES = PATH + MAX_PATH_BYTES;

    private SharedLocations()
    {
    }

    /**
     * Writes the descriptor of {@code [address, address + bytes)} at {@code at} of {@code into} and returns its
     * length, or returns 0 when those bytes are not all inside one node-shared file this process has mapped.
     * Allocates nothing.
     */
    public static int describe(final long address, final long bytes, final MutableDirectBuffer into, final int at)
    {
        final SharedFile file = SharedFile.containing(address, bytes);
        if (file == null || file.pathBytes().length > MAX_PATH_BYTES)
        {
            return 0;
        }
        final byte[] path = file.pathBytes();
        into.putLong(at + OFFSET, address - file.base(), ByteOrder.LITTLE_ENDIAN);
        into.putLong(at + BYTES, bytes, ByteOrder.LITTLE_ENDIAN);
        into.putInt(at + DTYPE, file.dtypeOrdinal(), ByteOrder.LITTLE_ENDIAN);
        into.putInt(at + PATH_LENGTH, path.length, ByteOrder.LITTLE_ENDIAN);
        into.putBytes(at + PATH, path);
        return PATH + path.length;
    }

    /** Whether {@code [address, address + bytes)} lies in node-shared memory ({@link #describe} would say where). */
    public static boolean isNodeShared(final long address, final long bytes)
    {
        return SharedFile.containing(address, bytes) != null;
    }

    static long offset(final DirectBuffer d, final int at)
    {
        return d.getLong(at + OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static long bytes(final DirectBuffer d, final int at)
    {
        return d.getLong(at + BYTES, ByteOrder.LITTLE_ENDIAN);
    }

    static int dtype(final DirectBuffer d, final int at)
    {
        return d.getInt(at + DTYPE, ByteOrder.LITTLE_ENDIAN);
    }

    static int pathLength(final DirectBuffer d, final int at)
    {
        return d.getInt(at + PATH_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }
}
