package dev.ringfold.mpi.transport.tcp;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One TCP connection. Outbound frames are claimed in place in a send buffer as {@code [length][pad][frame]},
 * 8-byte aligned, and written as soon as they are committed; the rest goes out on later flushes. Inbound bytes
 * are parsed into whole frames in a receive buffer; a frame longer than the limit is a protocol error that
 * closes the connection rather than growing anything.
 */
final class TcpChannel implements Channel
{
    private static final int PREFIX = 8;

    private final int peer;
    private final SocketChannel socket;
    private final ByteBuffer sendBytes;
    private final UnsafeBuffer send;
    private final ByteBuffer recvBytes;
    private final UnsafeBuffer recv;
    private final int maxFrame;
    private int writeStart;
    private int writeEnd;
    private int readStart;
    private String failure;
    private boolean reported;

    TcpChannel(final int peer, final SocketChannel socket, final int bufferBytes)
    {
        this.peer = peer;
        this.socket = socket;
        this.sendBytes = BufferUtil.allocateDirectAligned(bufferBytes, 64);
        this.send = new UnsafeBuffer(sendBytes);
        this.recvBytes = BufferUtil.allocateDirectAligned(bufferBytes, 64);
        this.recv = new UnsafeBuffer(recvBytes);
        this.maxFrame = bufferBytes / 4;
        recvBytes.clear();
    }

    private static int aligned(final int length)
    {
        return (length + 7) & ~7;
    }

    @Override
    public int tryClaim(final int length)
    {
        if (failure != null)
        {
            return NO_ROOM;
        }
        final int need = PREFIX + aligned(length);
        if (writeEnd + need > send.capacity())
        {
            flush();
            // move the unsent tail to the front only when that is cheap: never a few MiB after every partial write
            if (writeStart > 0 && writeEnd - writeStart <= send.capacity() / 4)
            {
                send.putBytes(0, send, writeStart, writeEnd - writeStart);
                writeEnd -= writeStart;
                writeStart = 0;
            }
            if (writeEnd + need > send.capacity())
            {
                return NO_ROOM;
            }
        }
        send.putInt(writeEnd, length);
        return writeEnd + PREFIX;
    }

    @Override
    public MutableDirectBuffer buffer()
    {
        return send;
    }

    @Override
    public void commit(final int offset)
    {
        writeEnd = offset + aligned(send.getInt(offset - PREFIX));
        flush();
    }

    @Override
    public int maxFrameLength()
    {
        return maxFrame;
    }

    @Override
    public int flush()
    {
        if (writeStart == writeEnd || failure != null)
        {
            return 0;
        }
        try
        {
            sendBytes.limit(writeEnd).position(writeStart);
            final int n = socket.write(sendBytes);
            writeStart += n;
            if (writeStart == writeEnd)
            {
                writeStart = 0;
                writeEnd = 0;
            }
            return n > 0 ? 1 : 0;
        }
        catch (final IOException ex)
        {
            failure = "connection lost: " + ex.getMessage();
            return 0;
        }
    }

    /** Reads what has arrived and delivers every whole frame (up to {@code limit}). */
    int receive(final FrameHandler handler, final int limit)
    {
        if (failure != null)
        {
            // a write found the connection gone (a dead peer's reset): the engine hears of it here, once
            if (!reported)
            {
                reported = true;
                handler.onPeerFailure(peer, failure);
            }
            return 0;
        }
        int n;
        try
        {
            n = socket.read(recvBytes);
        }
        catch (final IOException ex)
        {
            n = -1;
            failure = "connection lost: " + ex.getMessage();
        }
        if (n < 0)
        {
            if (failure == null)
            {
                failure = "connection closed by the peer";
            }
            deliver(handler, Integer.MAX_VALUE); // what it sent before it went is still a message
            reported = true;
            handler.onPeerFailure(peer, failure);
            return 0;
        }
        return deliver(handler, limit);
    }

    private int deliver(final FrameHandler handler, final int limit)
    {
        int frames = 0;
        final int end = recvBytes.position();
        while (frames < limit && end - readStart >= PREFIX)
        {
            final int length = recv.getInt(readStart);
            if (length < 0 || length > maxFrame)
            {
                failure = "sent a frame of " + length + " bytes (limit " + maxFrame + "): protocol error, connection closed";
                close();
                reported = true;
                handler.onPeerFailure(peer, failure);
                return frames;
            }
            final int whole = PREFIX + aligned(length);
            if (end - readStart < whole)
            {
                break;
            }
            handler.onFrame(peer, recv, readStart + PREFIX, length);
            readStart += whole;
            frames++;
        }
        if (readStart == end)
        {
            readStart = 0;
            recvBytes.clear();
        }
        else if (recvBytes.remaining() < maxFrame + PREFIX)
        {
            recv.putBytes(0, recv, readStart, end - readStart);
            recvBytes.position(end - readStart);
            recvBytes.limit(recvBytes.capacity());
            readStart = 0;
        }
        return frames;
    }

    @Override
    public String kind()
    {
        return "tcp";
    }

    void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
        }
    }
}
