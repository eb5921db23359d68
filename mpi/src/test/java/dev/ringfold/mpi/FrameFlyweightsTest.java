package dev.ringfold.mpi;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each frame flyweight: what it writes it reads back, at its documented offsets, and every field is little-endian
 * byte by byte (checked on the bytes themselves, so the test holds on a machine of either order). Frames sit at an
 * odd offset in a buffer filled with noise, so a field written at the wrong place shows.
 */
class FrameFlyweightsTest
{
    private static final int AT = 12;
    private static final int I = 0x0A0B0C0D;
    private static final long L = 0x0102030405060708L;

    private static UnsafeBuffer noise()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[512]);
        b.setMemory(0, b.capacity(), (byte)0x5A);
        return b;
    }

    /** The bytes at {@code field} of the frame, lowest first, are those of {@code value} in little-endian order. */
    private static void assertLittleEndian(final DirectBuffer b, final int field, final long value, final int bytes)
    {
        for (int i = 0; i < bytes; i++)
        {
            assertEquals((byte)(value >>> (8 * i)), b.getByte(AT + field + i), "byte " + i + " of field at " + field);
        }
    }

    /** The frame as a receiver sees it: through the read-only overload of {@code wrap}. */
    private static DirectBuffer received(final UnsafeBuffer b)
    {
        return b;
    }

    @Test
    void eagerHeader()
    {
        final UnsafeBuffer b = noise();
        new EagerFrame().wrap(b, AT).type(Frames.EAGER).ctx(I).tag(I + 1).length(I + 2).stamp(L);
        final EagerFrame f = new EagerFrame().wrap(received(b), AT);
        assertEquals(Frames.EAGER, f.type());
        assertEquals(Frames.EAGER, Frames.type(b, AT));
        assertEquals(I, f.ctx());
        assertEquals(I + 1, f.tag());
        assertEquals(I + 2, f.length());
        assertEquals(L, f.stamp());
        assertLittleEndian(b, FrameFlyweight.TYPE_OFFSET, Frames.EAGER, 4);
        assertLittleEndian(b, EagerFrame.CTX_OFFSET, I, 4);
        assertLittleEndian(b, EagerFrame.TAG_OFFSET, I + 1, 4);
        assertLittleEndian(b, EagerFrame.LENGTH_OFFSET, I + 2, 4);
        assertLittleEndian(b, EagerFrame.STAMP_OFFSET, L, 8);
        assertEquals(0, EagerFrame.HEADER_LENGTH % 8, "payloads start 8-byte aligned");
        assertEquals((byte)0x5A, b.getByte(AT + EagerFrame.HEADER_LENGTH), "nothing written past the header");
    }

    @Test
    void readyToSend()
    {
        final UnsafeBuffer b = noise();
        new RtsFrame().wrap(b, AT).type(Frames.RTS).ctx(I).tag(I + 1).length(I + 2).sendId(I + 3).address(L)
            .stamp(L + 1);
        final RtsFrame f = new RtsFrame().wrap(received(b), AT);
        assertEquals(Frames.RTS, f.type());
        assertEquals(I, f.ctx());
        assertEquals(I + 1, f.tag());
        assertEquals(I + 2, f.length());
        assertEquals(I + 3, f.sendId());
        assertEquals(L, f.address());
        assertEquals(L + 1, f.stamp());
        assertLittleEndian(b, RtsFrame.SEND_ID_OFFSET, I + 3, 4);
        assertLittleEndian(b, RtsFrame.ADDRESS_OFFSET, L, 8);
        assertLittleEndian(b, RtsFrame.STAMP_OFFSET, L + 1, 8);
        assertEquals((byte)0x5A, b.getByte(AT + RtsFrame.FRAME_LENGTH));
    }

    @Test
    void idPair()
    {
        for (final int type : new int[] {Frames.CTS, Frames.CTS_BY_ADDRESS, Frames.CANCEL_RECV})
        {
            final UnsafeBuffer b = noise();
            new IdPairFrame().wrap(b, AT).type(type).sendId(I).recvId(I + 7);
            final IdPairFrame f = new IdPairFrame().wrap(received(b), AT);
            assertEquals(type, f.type());
            assertEquals(I, f.sendId());
            assertEquals(I + 7, f.recvId());
            assertLittleEndian(b, IdPairFrame.SEND_ID_OFFSET, I, 4);
            assertLittleEndian(b, IdPairFrame.RECV_ID_OFFSET, I + 7, 4);
            assertEquals((byte)0x5A, b.getByte(AT + IdPairFrame.FRAME_LENGTH));
        }
    }

    @Test
    void dataHeader()
    {
        final UnsafeBuffer b = noise();
        new DataFrame().wrap(b, AT).type(Frames.DATA).recvId(I).position(I + 9);
        final DataFrame f = new DataFrame().wrap(received(b), AT);
        assertEquals(Frames.DATA, f.type());
        assertEquals(I, f.recvId());
        assertEquals(I + 9, f.position());
        assertLittleEndian(b, DataFrame.RECV_ID_OFFSET, I, 4);
        assertLittleEndian(b, DataFrame.POSITION_OFFSET, I + 9, 4);
        assertEquals(0, DataFrame.HEADER_LENGTH % 8, "payloads start 8-byte aligned");
    }

    @Test
    void oneId()
    {
        for (final int type : new int[] {Frames.FIN, Frames.CANCEL_SEND, Frames.WITHDRAWN, Frames.BYE})
        {
            final UnsafeBuffer b = noise();
            new IdFrame().wrap(b, AT).type(type).id(I);
            final IdFrame f = new IdFrame().wrap(received(b), AT);
            assertEquals(type, f.type());
            assertEquals(I, f.id());
            assertLittleEndian(b, FrameFlyweight.TYPE_OFFSET, type, 4);
            assertLittleEndian(b, IdFrame.ID_OFFSET, I, 4);
            assertEquals((byte)0x5A, b.getByte(AT + IdFrame.FRAME_LENGTH));
        }
    }

    @Test
    void help()
    {
        final UnsafeBuffer b = noise();
        new HelpFrame().wrap(b, AT).type(Frames.HELP).generation(I).sendId(I + 1).length(I + 2).address(L)
            .chunk(I + 3);
        final HelpFrame f = new HelpFrame().wrap(received(b), AT);
        assertEquals(Frames.HELP, f.type());
        assertEquals(I, f.generation());
        assertEquals(I + 1, f.sendId());
        assertEquals(I + 2, f.length());
        assertEquals(L, f.address());
        assertEquals(I + 3, f.chunk());
        assertLittleEndian(b, HelpFrame.GENERATION_OFFSET, I, 4);
        assertLittleEndian(b, HelpFrame.ADDRESS_OFFSET, L, 8);
        assertLittleEndian(b, HelpFrame.CHUNK_OFFSET, I + 3, 4);
        assertEquals((byte)0x5A, b.getByte(AT + HelpFrame.FRAME_LENGTH));
    }

    @Test
    void revoke()
    {
        final UnsafeBuffer b = noise();
        new RevokeFrame().wrap(b, AT).type(Frames.REVOKE).ctx(I).revoker(I + 1);
        final RevokeFrame f = new RevokeFrame().wrap(received(b), AT);
        assertEquals(Frames.REVOKE, f.type());
        assertEquals(I, f.ctx());
        assertEquals(I + 1, f.revoker());
        assertLittleEndian(b, RevokeFrame.CTX_OFFSET, I, 4);
        assertLittleEndian(b, RevokeFrame.REVOKER_OFFSET, I + 1, 4);
    }

    @Test
    void failed()
    {
        final UnsafeBuffer b = noise();
        new FailedFrame().wrap(b, AT).type(Frames.FAILED).rank(I).incarnation(I + 1).padding();
        final FailedFrame f = new FailedFrame().wrap(received(b), AT);
        assertEquals(Frames.FAILED, f.type());
        assertEquals(I, f.rank());
        assertEquals(I + 1, f.incarnation());
        assertLittleEndian(b, FailedFrame.RANK_OFFSET, I, 4);
        assertLittleEndian(b, FailedFrame.INCARNATION_OFFSET, I + 1, 4);
        assertLittleEndian(b, FailedFrame.PADDING_OFFSET, 0, 4);
        assertEquals((byte)0x5A, b.getByte(AT + FailedFrame.FRAME_LENGTH));
    }

    @Test
    void agreementStepWithItsTwoBitmaps()
    {
        final int words = 3;
        final UnsafeBuffer b = noise();
        final AgreeFrame w = new AgreeFrame().wrap(b, AT).type(Frames.AGREE).ctx(I).seq(I + 1).kind(I + 2)
            .epoch(I + 3).value(I + 4).max(I + 5).acceptedEpoch(I + 6).acceptedValue(I + 7).acceptedMax(I + 8)
            .words(words).incarnation(I + 9);
        for (int i = 0; i < words; i++)
        {
            w.failedWord(i, L + i).acceptedWord(i, ~(L + i));
        }
        final AgreeFrame f = new AgreeFrame().wrap(received(b), AT);
        assertEquals(Frames.AGREE, f.type());
        assertEquals(I, f.ctx());
        assertEquals(I + 1, f.seq());
        assertEquals(I + 2, f.kind());
        assertEquals(I + 3, f.epoch());
        assertEquals(I + 4, f.value());
        assertEquals(I + 5, f.max());
        assertEquals(I + 6, f.acceptedEpoch());
        assertEquals(I + 7, f.acceptedValue());
        assertEquals(I + 8, f.acceptedMax());
        assertEquals(words, f.words());
        assertEquals(I + 9, f.incarnation());
        assertLittleEndian(b, AgreeFrame.INCARNATION_OFFSET, I + 9, 4);
        for (int i = 0; i < words; i++)
        {
            assertEquals(L + i, f.failedWord(i));
            assertEquals(~(L + i), f.acceptedWord(i));
            assertLittleEndian(b, AgreeFrame.HEADER_LENGTH + 8 * i, L + i, 8);
            assertLittleEndian(b, AgreeFrame.HEADER_LENGTH + 8 * (words + i), ~(L + i), 8);
        }
        assertLittleEndian(b, AgreeFrame.WORDS_OFFSET, words, 4);
        assertEquals((byte)0x5A, b.getByte(AT + AgreeFrame.frameLength(words)), "nothing past the second bitmap");
    }
}
