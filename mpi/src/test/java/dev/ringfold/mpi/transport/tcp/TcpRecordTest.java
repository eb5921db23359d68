package dev.ringfold.mpi.transport.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The TCP record headers: round trip at an offset, and little-endian byte by byte whatever the machine's order. */
class TcpRecordTest
{
    private static final int AT = 24;

    private static void assertLittleEndian(final UnsafeBuffer b, final int at, final int value)
    {
        for (int i = 0; i < 4; i++)
        {
            assertEquals((byte)(value >>> (8 * i)), b.getByte(at + i), "byte " + i + " at " + at);
        }
    }

    @Test
    void framePrefix()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[64]);
        new TcpRecord().wrap(b, AT).length(0x01020304);
        assertEquals(0x01020304, new TcpRecord().wrap(b, AT).length());
        assertLittleEndian(b, AT + TcpRecord.LENGTH_OFFSET, 0x01020304);
        assertEquals(0, TcpRecord.PREFIX_LENGTH % 8, "frames start 8-byte aligned");
    }

    @Test
    void moveHeader()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[64]);
        b.setMemory(0, 64, (byte)0x77);
        new TcpRecord().wrap(b, AT).bulk(0x0A0B0C0D, 0x00100020);
        final TcpRecord r = new TcpRecord().wrap(b, AT);
        assertEquals(TcpRecord.BULK, r.length());
        assertEquals(0x0A0B0C0D, r.tag());
        assertEquals(0x00100020, r.bulkLength());
        assertLittleEndian(b, AT + TcpRecord.TAG_OFFSET, 0x0A0B0C0D);
        assertLittleEndian(b, AT + TcpRecord.BULK_LENGTH_OFFSET, 0x00100020);
        assertEquals(0, b.getInt(AT + TcpRecord.BULK_LENGTH_OFFSET + 4), "the header's last word is zero");
        assertEquals((byte)0x77, b.getByte(AT + TcpRecord.BULK_HEADER_LENGTH), "nothing past the header");
    }
}
