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

    /**
     * The frame reads {@code value} from {@code field}, and the field's bytes sit at {@code at} (the documented
     * offset), little-endian.
     */
    private static <F extends FrameFlyweight<F>> void assertField(
        final F frame, final FrameFlyweight.IntField<F> field, final int at, final int value)
    {
        assertEquals(value, frame.get(field), "field at " + at);
        assertLittleEndian(frame.buffer(), at, value, 4);
    }

    private static <F extends FrameFlyweight<F>> void assertField(
        final F frame, final FrameFlyweight.LongField<F> field, final int at, final long value)
    {
        assertEquals(value, frame.get(field), "field at " + at);
        assertLittleEndian(frame.buffer(), at, value, 8);
    }

    /** The frame's type, first, little-endian. */
    private static void assertType(final FrameFlyweight<?> frame, final int type)
    {
        assertEquals(type, frame.type());
        assertEquals(type, Frames.type(frame.buffer(), AT));
        assertLittleEndian(frame.buffer(), 0, type, 4);
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
        assertType(f, Frames.EAGER);
        assertField(f, EagerFrame.CTX, 4, I);
        assertField(f, EagerFrame.TAG, 8, I + 1);
        assertField(f, EagerFrame.MESSAGE_LENGTH, 12, I + 2);
        assertField(f, EagerFrame.STAMP, 16, L);
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
        assertType(f, Frames.RTS);
        assertField(f, RtsFrame.CTX, 4, I);
        assertField(f, RtsFrame.TAG, 8, I + 1);
        assertField(f, RtsFrame.MESSAGE_LENGTH, 12, I + 2);
        assertField(f, RtsFrame.SEND_ID, 16, I + 3);
        assertField(f, RtsFrame.ADDRESS, 24, L);
        assertField(f, RtsFrame.STAMP, 32, L + 1);
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
            assertType(f, type);
            assertField(f, IdPairFrame.SEND_ID, 4, I);
            assertField(f, IdPairFrame.RECV_ID, 8, I + 7);
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
        assertType(f, Frames.DATA);
        assertField(f, DataFrame.RECV_ID, 4, I);
        assertField(f, DataFrame.POSITION, 8, I + 9);
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
            assertType(f, type);
            assertField(f, IdFrame.ID, 4, I);
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
        assertType(f, Frames.HELP);
        assertField(f, HelpFrame.GENERATION, 4, I);
        assertField(f, HelpFrame.SEND_ID, 8, I + 1);
        assertField(f, HelpFrame.MESSAGE_LENGTH, 12, I + 2);
        assertField(f, HelpFrame.ADDRESS, 16, L);
        assertField(f, HelpFrame.CHUNK, 24, I + 3);
        assertEquals(32, HelpFrame.FRAME_LENGTH);
        assertEquals((byte)0x5A, b.getByte(AT + HelpFrame.FRAME_LENGTH));
    }

    @Test
    void revoke()
    {
        final UnsafeBuffer b = noise();
        new RevokeFrame().wrap(b, AT).type(Frames.REVOKE).put(RevokeFrame.CTX, I).put(RevokeFrame.REVOKER, I + 1);
        final RevokeFrame f = new RevokeFrame().wrap(received(b), AT);
        assertType(f, Frames.REVOKE);
        assertField(f, RevokeFrame.CTX, 4, I);
        assertField(f, RevokeFrame.REVOKER, 8, I + 1);
        assertEquals(16, RevokeFrame.FRAME_LENGTH);
    }

    @Test
    void failed()
    {
        final UnsafeBuffer b = noise();
        new FailedFrame().wrap(b, AT).type(Frames.FAILED).put(FailedFrame.RANK, I).put(FailedFrame.INCARNATION, I + 1)
            .put(FailedFrame.PADDING, 0);
        final FailedFrame f = new FailedFrame().wrap(received(b), AT);
        assertType(f, Frames.FAILED);
        assertField(f, FailedFrame.RANK, 4, I);
        assertField(f, FailedFrame.INCARNATION, 8, I + 1);
        assertField(f, FailedFrame.PADDING, 12, 0);
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
        assertType(f, Frames.AGREE);
        final List<FrameFlyweight.IntField<AgreeFrame>> header = List.of(AgreeFrame.CTX, AgreeFrame.SEQ,
            AgreeFrame.KIND, AgreeFrame.EPOCH, AgreeFrame.VALUE, AgreeFrame.MAX, AgreeFrame.ACCEPTED_EPOCH,
            AgreeFrame.ACCEPTED_VALUE, AgreeFrame.ACCEPTED_MAX);
        for (int i = 0; i < header.size(); i++)
        {
            assertField(f, header.get(i), 4 + 4 * i, I + i); // ctx at 4 to acceptedMax at 36, in the table's order
        }
        assertField(f, AgreeFrame.WORDS, 40, words);
        assertField(f, AgreeFrame.INCARNATION, 44, I + 9);
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
