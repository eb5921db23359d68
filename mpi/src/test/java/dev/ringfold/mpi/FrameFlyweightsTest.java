package dev.ringfold.mpi;

import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each frame flyweight: what it writes it reads back, at the offsets {@link Frames} documents (written here as
 * numbers, not taken from the descriptors, so that a descriptor moved by mistake fails here), and every field is
 * little-endian byte by byte (checked on the bytes themselves, so the test holds on a machine of either order).
 * Frames sit at an odd offset in a buffer filled with noise, so a field written at the wrong place shows.
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
        new EagerFrame().wrap(b, AT).type(Frames.EAGER).put(EagerFrame.CTX, I).put(EagerFrame.TAG, I + 1)
            .put(EagerFrame.MESSAGE_LENGTH, I + 2).put(EagerFrame.STAMP, L);
        final EagerFrame f = new EagerFrame().wrap(received(b), AT);
        assertEquals(Frames.EAGER, f.type());
        assertEquals(Frames.EAGER, Frames.type(b, AT));
        assertEquals(I, f.get(EagerFrame.CTX));
        assertEquals(I + 1, f.get(EagerFrame.TAG));
        assertEquals(I + 2, f.get(EagerFrame.MESSAGE_LENGTH));
        assertEquals(L, f.get(EagerFrame.STAMP));
        assertLittleEndian(b, 0, Frames.EAGER, 4);
        assertLittleEndian(b, 4, I, 4);
        assertLittleEndian(b, 8, I + 1, 4);
        assertLittleEndian(b, 12, I + 2, 4);
        assertLittleEndian(b, 16, L, 8);
        assertEquals(24, EagerFrame.HEADER_LENGTH, "payloads start 8-byte aligned");
        assertEquals((byte)0x5A, b.getByte(AT + EagerFrame.HEADER_LENGTH), "nothing written past the header");
    }

    @Test
    void readyToSend()
    {
        final UnsafeBuffer b = noise();
        new RtsFrame().wrap(b, AT).type(Frames.RTS).put(RtsFrame.CTX, I).put(RtsFrame.TAG, I + 1)
            .put(RtsFrame.MESSAGE_LENGTH, I + 2).put(RtsFrame.SEND_ID, I + 3).put(RtsFrame.ADDRESS, L)
            .put(RtsFrame.STAMP, L + 1);
        final RtsFrame f = new RtsFrame().wrap(received(b), AT);
        assertEquals(Frames.RTS, f.type());
        assertEquals(I, f.get(RtsFrame.CTX));
        assertEquals(I + 1, f.get(RtsFrame.TAG));
        assertEquals(I + 2, f.get(RtsFrame.MESSAGE_LENGTH));
        assertEquals(I + 3, f.get(RtsFrame.SEND_ID));
        assertEquals(L, f.get(RtsFrame.ADDRESS));
        assertEquals(L + 1, f.get(RtsFrame.STAMP));
        assertLittleEndian(b, 0, Frames.RTS, 4);
        assertLittleEndian(b, 4, I, 4);
        assertLittleEndian(b, 8, I + 1, 4);
        assertLittleEndian(b, 12, I + 2, 4);
        assertLittleEndian(b, 16, I + 3, 4);
        assertLittleEndian(b, 24, L, 8);
        assertLittleEndian(b, 32, L + 1, 8);
        assertEquals(40, RtsFrame.FRAME_LENGTH);
        assertEquals((byte)0x5A, b.getByte(AT + RtsFrame.FRAME_LENGTH));
    }

    @Test
    void idPair()
    {
        for (final int type : new int[] {Frames.CTS, Frames.CTS_BY_ADDRESS, Frames.CANCEL_RECV})
        {
            final UnsafeBuffer b = noise();
            new IdPairFrame().wrap(b, AT).type(type).put(IdPairFrame.SEND_ID, I).put(IdPairFrame.RECV_ID, I + 7);
            final IdPairFrame f = new IdPairFrame().wrap(received(b), AT);
            assertEquals(type, f.type());
            assertEquals(I, f.get(IdPairFrame.SEND_ID));
            assertEquals(I + 7, f.get(IdPairFrame.RECV_ID));
            assertLittleEndian(b, 0, type, 4);
            assertLittleEndian(b, 4, I, 4);
            assertLittleEndian(b, 8, I + 7, 4);
            assertEquals(16, IdPairFrame.FRAME_LENGTH);
            assertEquals((byte)0x5A, b.getByte(AT + IdPairFrame.FRAME_LENGTH));
        }
    }

    @Test
    void dataHeader()
    {
        final UnsafeBuffer b = noise();
        new DataFrame().wrap(b, AT).type(Frames.DATA).put(DataFrame.RECV_ID, I).put(DataFrame.POSITION, I + 9);
        final DataFrame f = new DataFrame().wrap(received(b), AT);
        assertEquals(Frames.DATA, f.type());
        assertEquals(I, f.get(DataFrame.RECV_ID));
        assertEquals(I + 9, f.get(DataFrame.POSITION));
        assertLittleEndian(b, 0, Frames.DATA, 4);
        assertLittleEndian(b, 4, I, 4);
        assertLittleEndian(b, 8, I + 9, 4);
        assertEquals(16, DataFrame.HEADER_LENGTH, "payloads start 8-byte aligned");
    }

    @Test
    void oneId()
    {
        for (final int type : new int[] {Frames.FIN, Frames.CANCEL_SEND, Frames.WITHDRAWN, Frames.BYE})
        {
            final UnsafeBuffer b = noise();
            new IdFrame().wrap(b, AT).type(type).put(IdFrame.ID, I);
            final IdFrame f = new IdFrame().wrap(received(b), AT);
            assertEquals(type, f.type());
            assertEquals(I, f.get(IdFrame.ID));
            assertLittleEndian(b, 0, type, 4);
            assertLittleEndian(b, 4, I, 4);
            assertEquals(8, IdFrame.FRAME_LENGTH);
            assertEquals((byte)0x5A, b.getByte(AT + IdFrame.FRAME_LENGTH));
        }
    }

    @Test
    void help()
    {
        final UnsafeBuffer b = noise();
        new HelpFrame().wrap(b, AT).type(Frames.HELP).put(HelpFrame.GENERATION, I).put(HelpFrame.SEND_ID, I + 1)
            .put(HelpFrame.MESSAGE_LENGTH, I + 2).put(HelpFrame.ADDRESS, L).put(HelpFrame.CHUNK, I + 3);
        final HelpFrame f = new HelpFrame().wrap(received(b), AT);
        assertEquals(Frames.HELP, f.type());
        assertEquals(I, f.get(HelpFrame.GENERATION));
        assertEquals(I + 1, f.get(HelpFrame.SEND_ID));
        assertEquals(I + 2, f.get(HelpFrame.MESSAGE_LENGTH));
        assertEquals(L, f.get(HelpFrame.ADDRESS));
        assertEquals(I + 3, f.get(HelpFrame.CHUNK));
        assertLittleEndian(b, 0, Frames.HELP, 4);
        assertLittleEndian(b, 4, I, 4);
        assertLittleEndian(b, 8, I + 1, 4);
        assertLittleEndian(b, 12, I + 2, 4);
        assertLittleEndian(b, 16, L, 8);
        assertLittleEndian(b, 24, I + 3, 4);
        assertEquals(32, HelpFrame.FRAME_LENGTH);
        assertEquals((byte)0x5A, b.getByte(AT + HelpFrame.FRAME_LENGTH));
    }

    @Test
    void revoke()
    {
        final UnsafeBuffer b = noise();
        new RevokeFrame().wrap(b, AT).type(Frames.REVOKE).put(RevokeFrame.CTX, I).put(RevokeFrame.REVOKER, I + 1);
        final RevokeFrame f = new RevokeFrame().wrap(received(b), AT);
        assertEquals(Frames.REVOKE, f.type());
        assertEquals(I, f.get(RevokeFrame.CTX));
        assertEquals(I + 1, f.get(RevokeFrame.REVOKER));
        assertLittleEndian(b, 0, Frames.REVOKE, 4);
        assertLittleEndian(b, 4, I, 4);
        assertLittleEndian(b, 8, I + 1, 4);
        assertEquals(16, RevokeFrame.FRAME_LENGTH);
    }

    @Test
    void failed()
    {
        final UnsafeBuffer b = noise();
        new FailedFrame().wrap(b, AT).type(Frames.FAILED).put(FailedFrame.RANK, I).put(FailedFrame.INCARNATION, I + 1)
            .put(FailedFrame.PADDING, 0);
        final FailedFrame f = new FailedFrame().wrap(received(b), AT);
        assertEquals(Frames.FAILED, f.type());
        assertEquals(I, f.get(FailedFrame.RANK));
        assertEquals(I + 1, f.get(FailedFrame.INCARNATION));
        assertLittleEndian(b, 0, Frames.FAILED, 4);
        assertLittleEndian(b, 4, I, 4);
        assertLittleEndian(b, 8, I + 1, 4);
        assertLittleEndian(b, 12, 0, 4);
        assertEquals(16, FailedFrame.FRAME_LENGTH);
        assertEquals((byte)0x5A, b.getByte(AT + FailedFrame.FRAME_LENGTH));
    }

    @Test
    void agreementStepWithItsTwoBitmaps()
    {
        final int words = 3;
        final UnsafeBuffer b = noise();
        final AgreeFrame w = new AgreeFrame().wrap(b, AT).type(Frames.AGREE).put(AgreeFrame.CTX, I)
            .put(AgreeFrame.SEQ, I + 1).put(AgreeFrame.KIND, I + 2).put(AgreeFrame.EPOCH, I + 3)
            .put(AgreeFrame.VALUE, I + 4).put(AgreeFrame.MAX, I + 5).put(AgreeFrame.ACCEPTED_EPOCH, I + 6)
            .put(AgreeFrame.ACCEPTED_VALUE, I + 7).put(AgreeFrame.ACCEPTED_MAX, I + 8).put(AgreeFrame.WORDS, words)
            .put(AgreeFrame.INCARNATION, I + 9);
        for (int i = 0; i < words; i++)
        {
            w.failedWord(i, L + i).acceptedWord(i, ~(L + i));
        }
        final AgreeFrame f = new AgreeFrame().wrap(received(b), AT);
        assertEquals(Frames.AGREE, f.type());
        assertLittleEndian(b, 0, Frames.AGREE, 4);
        final List<FrameFlyweight.IntField<AgreeFrame>> header = List.of(AgreeFrame.CTX, AgreeFrame.SEQ,
            AgreeFrame.KIND, AgreeFrame.EPOCH, AgreeFrame.VALUE, AgreeFrame.MAX, AgreeFrame.ACCEPTED_EPOCH,
            AgreeFrame.ACCEPTED_VALUE, AgreeFrame.ACCEPTED_MAX);
        for (int i = 0; i < header.size(); i++)
        {
            assertEquals(I + i, f.get(header.get(i)));
            assertLittleEndian(b, 4 + 4 * i, I + i, 4); // ctx at 4 to acceptedMax at 36, in the table's order
        }
        assertEquals(words, f.get(AgreeFrame.WORDS));
        assertEquals(I + 9, f.get(AgreeFrame.INCARNATION));
        assertLittleEndian(b, 40, words, 4);
        assertLittleEndian(b, 44, I + 9, 4);
        assertEquals(48, AgreeFrame.HEADER_LENGTH);
        for (int i = 0; i < words; i++)
        {
            assertEquals(L + i, f.failedWord(i));
            assertEquals(~(L + i), f.acceptedWord(i));
            assertLittleEndian(b, 48 + 8 * i, L + i, 8);
            assertLittleEndian(b, 48 + 8 * (words + i), ~(L + i), 8);
        }
        assertEquals((byte)0x5A, b.getByte(AT + AgreeFrame.frameLength(words)), "nothing past the second bitmap");
    }
}
