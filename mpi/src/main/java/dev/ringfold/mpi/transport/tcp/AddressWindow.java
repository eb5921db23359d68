package dev.ringfold.mpi.transport.tcp;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * One direct {@link ByteBuffer} re-pointed at caller-owned off-heap memory, so that a socket writes a message
 * from, or reads it into, the message's own bytes: no staging copy through the connection's buffers and no
 * buffer object per message (the JDK makes a view of a raw address only by allocating one).
 * <p>
 * The buffer's own one-byte allocation stays with it (its cleaner frees that, never the memory it views); the
 * window is only valid while the memory it views is, which the engine guarantees by completing the transfer
 * before the request's buffer is handed back.
 */
final class AddressWindow
{
    private static final long CAPACITY_OFFSET = UnsafeApi.objectFieldOffset(Buffer.class, "capacity");

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1);

    /** Views {@code length} bytes at {@code address}, position 0, limit {@code length}. */
    ByteBuffer view(final long address, final int length)
    {
        UnsafeApi.putLong(buffer, BufferUtil.BYTE_BUFFER_ADDRESS_FIELD_OFFSET, address);
        UnsafeApi.putInt(buffer, CAPACITY_OFFSET, length);
        return buffer.clear();
    }
}
