package dev.ringfold.mpi.transport.tcp;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * A record on a TCP connection, read and written in place (Agrona's flyweight pattern): either a frame's prefix
 * {@code [length][pad]} (then the frame, padded to 8 bytes), or a move by address {@code [BULK][tag][length][0]}
 * (then the moved bytes, padded to 8). Little-endian on the wire whatever the machine, as the frames are.
 */
final class TcpRecord
{
    /** The byte order of every record field on the wire. */
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** In the length field: not a frame but a message moved by address. */
    static final int BULK = -1;
    static final int LENGTH_OFFSET = 0;
    static final int TAG_OFFSET = 4;
    static final int BULK_LENGTH_OFFSET = 8;
    /** A frame's prefix: its length, then padding so that the frame starts 8-byte aligned. */
    static final int PREFIX_LENGTH = 8;
    static final int BULK_HEADER_LENGTH = 16;

    private MutableDirectBuffer buffer;
    private int offset;

    TcpRecord wrap(final MutableDirectBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer; // stored only when it changes: no GC write barrier on the per-record path
        }
        this.offset = offset;
        return this;
    }

    /** A frame's length, or {@link #BULK}. */
    int length()
    {
        return buffer.getInt(offset + LENGTH_OFFSET, ORDER);
    }

    TcpRecord length(final int length)
    {
        buffer.putInt(offset + LENGTH_OFFSET, length, ORDER);
        return this;
    }

    /** A move's tag: the receive posted for it names the same. */
    int tag()
    {
        return buffer.getInt(offset + TAG_OFFSET, ORDER);
    }

    /** A move's length in bytes. */
    int bulkLength()
    {
        return buffer.getInt(offset + BULK_LENGTH_OFFSET, ORDER);
    }

    /** Writes a move's header: {@code [BULK][tag][length][0]}. */
    TcpRecord bulk(final int tag, final int length)
    {
        buffer.putInt(offset + LENGTH_OFFSET, BULK, ORDER);
        buffer.putInt(offset + TAG_OFFSET, tag, ORDER);
        buffer.putInt(offset + BULK_LENGTH_OFFSET, length, ORDER);
        buffer.putInt(offset + BULK_LENGTH_OFFSET + 4, 0, ORDER);
        return this;
    }
}
