package dev.ringfold.mpi.transport.tcp;

import dev.ringfold.mpi.transport.FrameHandler;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages moved by address over a real loopback connection, with socket buffers far smaller than the messages so
 * that every write and read stops part-way: they arrive in the stream's order among the frames, byte for byte,
 * and a move that the receiver did not post (or posted for another length) closes the connection.
 */
class TcpChannelMoveTest
{
    private static final int CHANNEL_BUFFER = 64 * 1024;
    private static final int SOCKET_BUFFER = 16 * 1024;

    private ServerSocketChannel server;
    private SocketChannel left;
    private SocketChannel right;
    private TcpChannel sender;
    private TcpChannel receiver;
    private final Events atSender = new Events();
    private final Events atReceiver = new Events();

    /** Records what a channel delivers, in order. */
    private static final class Events implements FrameHandler
    {
        final List<String> seen = new ArrayList<>();
        String failure;

        @Override
        public void onFrame(final int peer, final DirectBuffer buffer, final int offset, final int length)
        {
            seen.add("frame " + buffer.getInt(offset) + " of " + length);
        }

        @Override
        public void onPeerFailure(final int peer, final String reason)
        {
            failure = reason;
        }

        @Override
        public void onMovedByAddress(final int id)
        {
            seen.add("moved " + id);
        }
    }

    @BeforeEach
    void connect() throws IOException
    {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        left = SocketChannel.open(server.getLocalAddress());
        right = server.accept();
        for (final SocketChannel ch : new SocketChannel[] {left, right})
        {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
        }
        sender = new TcpChannel(1, left, CHANNEL_BUFFER);
        receiver = new TcpChannel(0, right, CHANNEL_BUFFER);
    }

    @AfterEach
    void close() throws IOException
    {
        sender.close();
        receiver.close();
        server.close();
    }

    private void frame(final int value, final int length)
    {
        final int at = sender.tryClaim(length);
        assertTrue(at >= 0, "room for a frame of " + length);
        sender.buffer().putInt(at, value);
        sender.commit(at);
    }

    private void pump(final BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "not done in 20 s: sender saw " + atSender.seen +
                ", receiver saw " + atReceiver.seen + ", failure " + atReceiver.failure);
            sender.flush();
            sender.receive(atSender, Integer.MAX_VALUE);
            receiver.receive(atReceiver, Integer.MAX_VALUE);
        }
    }

    private static UnsafeBuffer random(final int length)
    {
        final UnsafeBuffer b = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(8, length), 64));
        final byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        b.putBytes(0, bytes);
        return b;
    }

    private static byte[] bytes(final UnsafeBuffer b, final int length)
    {
        final byte[] out = new byte[length];
        b.getBytes(0, out);
        return out;
    }

    @Test
    void movesArriveWholeAndInStreamOrderAmongFrames()
    {
        final int big = (1 << 20) + 3; // not a multiple of 8: the padding after it must not shift the next frame
        final int small = 100 * 1024;
        final UnsafeBuffer src1 = random(big);
        final UnsafeBuffer src2 = random(small);
        final UnsafeBuffer dst1 = new UnsafeBuffer(BufferUtil.allocateDirectAligned(big + 5, 64));
        final UnsafeBuffer dst2 = new UnsafeBuffer(BufferUtil.allocateDirectAligned(small, 64));
        receiver.receiveByAddress(dst2.addressOffset(), small, 70, 7);
        receiver.receiveByAddress(dst1.addressOffset(), big, 40, 4);

        frame(11, 12);
        sender.sendByAddress(src1.addressOffset(), big, 40, 1);
        frame(22, 4000);
        sender.sendByAddress(src2.addressOffset(), small, 70, 2);
        frame(33, 8);
        pump(() -> atReceiver.seen.size() == 5 && atSender.seen.size() == 2);

        assertEquals(List.of("frame 11 of 12", "moved 4", "frame 22 of 4000", "moved 7", "frame 33 of 8"),
            atReceiver.seen);
        assertEquals(List.of("moved 1", "moved 2"), atSender.seen);
        assertArrayEquals(bytes(src1, big), bytes(dst1, big));
        assertArrayEquals(bytes(src2, small), bytes(dst2, small));
        assertEquals(0, dst1.getByte(big), "nothing written past the posted length");
        assertEquals(null, atReceiver.failure);
    }

    @Test
    void aMoveNobodyPostedClosesTheConnection()
    {
        final UnsafeBuffer src = random(4096);
        sender.sendByAddress(src.addressOffset(), 4096, 99, 1);
        pump(() -> atReceiver.failure != null);
        assertTrue(atReceiver.failure.contains("tag 99, which no receive posted"), atReceiver.failure);
        assertTrue(atReceiver.seen.isEmpty(), atReceiver.seen::toString);
    }

    @Test
    void aMoveOfAnotherLengthThanPostedClosesTheConnection()
    {
        final UnsafeBuffer src = random(8192);
        final UnsafeBuffer dst = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        receiver.receiveByAddress(dst.addressOffset(), 4096, 5, 5);
        sender.sendByAddress(src.addressOffset(), 8192, 5, 1);
        pump(() -> atReceiver.failure != null);
        assertTrue(atReceiver.failure.contains("moved 8192 bytes for tag 5, posted for 4096"), atReceiver.failure);
        assertEquals(0, dst.getLong(0), "no byte of it written");
    }
}
