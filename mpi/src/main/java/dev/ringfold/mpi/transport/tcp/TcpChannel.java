package dev.ringfold.mpi.transport.tcp;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.collections.IntArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One TCP connection. Outbound frames are claimed in place in a send buffer as {@code [length][pad][frame]},
 * 8-byte aligned, and written as soon as they are committed; the rest goes out on later flushes. Inbound bytes
 * are parsed into whole frames in a receive buffer; a frame longer than the limit is a protocol error that
 * closes the connection rather than growing anything.
 * <p>
 * A large off-heap message moves by address ({@link #sendByAddress}): in the stream, after the frames committed
 * before it, goes a record {@code [BULK][tag][length][0]}, then the message's bytes written straight from the
 * sender's memory, then zeros to the next multiple of 8. The receiver reads them straight into the buffer that
 * {@link #receiveByAddress} posted for the tag. The bytes then cross user space in no copy of ours (the frame path
 * copies them twice more: into the send buffer and out of the receive buffer), as Open MPI's TCP path does; a
 * record for a tag not posted, or of another length, is a protocol error.
 * <p>
 * A move withdrawn with {@link #cancelByAddress} still crosses the connection whole, so that the stream stays in
 * step: the sender's rest comes from a buffer of zeros, the receiver's rest goes into a scratch buffer.
 */
final class TcpChannel implements Channel
{
    /** The byte order of prefixes and move records on the wire, the frames' own: the same on every node. */
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int PREFIX = 8;
    /** In the length field of a prefix: not a frame but a message moved by address. */
    private static final int BULK = -1;
    private static final int BULK_HEADER = 16;
    private static final int INITIAL_MOVES = 8;
    /** Bytes read at a time beyond the frame being completed (whole frames are read at once however large). */
    private static final int READ_AHEAD = 64 * 1024;
    /**
     * The most of a move written per flush; the engine reads its connections between slices. Both ranks of an
     * exchange write at once, and one write of a whole 512 KiB block kept a rank in the kernel while its peer's
     * bytes piled up unread (namespaces, np 2, all-reduce 1 MiB: 700–800 µs unsliced, 290–370 µs in 128 KiB
     * slices; 16 MiB 11–13 ms against 6–8.5; 256 KiB slices helped nothing, 64 KiB as much as 128).
     */
    private static final int WRITE_SLICE = 128 * 1024;

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

    // outbound moves by address, oldest first: each goes on the wire once the send buffer is written up to its at
    private final ByteBuffer bulkHeader = ByteBuffer.allocateDirect(BULK_HEADER).order(ORDER);
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(8);
    private final AddressWindow outWindow = new AddressWindow();
    private final ByteBuffer[] bulkParts = new ByteBuffer[3];
    private boolean bulkStarted;
    private int outDone;
    private ByteBuffer zeroSlice;   // the source of withdrawn outbound moves, made at the first
    private ByteBuffer discardSlice; // the sink of withdrawn inbound moves, made at the first
    private int outHead;
    private int outCount;
    private int[] outAt = new int[INITIAL_MOVES];
    private long[] outAddress = new long[INITIAL_MOVES];
    private int[] outLength = new int[INITIAL_MOVES];
    private int[] outTag = new int[INITIAL_MOVES];
    private int[] outId = new int[INITIAL_MOVES];
    private final IntArrayQueue sent = new IntArrayQueue(INITIAL_MOVES, IntArrayQueue.DEFAULT_NULL_VALUE);

    // inbound moves by address: posted ones by tag, and the one being read
    private int postedCount;
    private int[] postedTag = new int[INITIAL_MOVES];
    private long[] postedAddress = new long[INITIAL_MOVES];
    private int[] postedLength = new int[INITIAL_MOVES];
    private int[] postedId = new int[INITIAL_MOVES];
    private final AddressWindow inWindow = new AddressWindow();
    private long inAddress;
    private int inLength;
    private int inDone;
    private int inId = -1;
    private int skip;
    private int frameRest;
    private SelectionKey key;
    private int interest;

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
                for (int i = 0; i < outCount; i++)
                {
                    outAt[(outHead + i) % outAt.length] -= writeStart;
                }
                writeEnd -= writeStart;
                writeStart = 0;
            }
            if (writeEnd + need > send.capacity())
            {
                return NO_ROOM;
            }
        }
        send.putInt(writeEnd, length, ORDER);
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
        writeEnd = offset + aligned(send.getInt(offset - PREFIX, ORDER));
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
        if (failure != null)
        {
            return 0;
        }
        int work = 0;
        try
        {
            while (true)
            {
                final int stop = outCount > 0 ? outAt[outHead] : writeEnd;
                if (writeStart < stop)
                {
                    sendBytes.limit(stop).position(writeStart);
                    final int n = socket.write(sendBytes);
                    writeStart += n;
                    work |= n > 0 ? 1 : 0;
                    if (writeStart < stop)
                    {
                        break; // the socket is full
                    }
                }
                if (outCount == 0 || !writeMove())
                {
                    break;
                }
                work = 1;
            }
            if (writeStart == writeEnd && outCount == 0)
            {
                writeStart = 0;
                writeEnd = 0;
            }
            return work;
        }
        catch (final IOException ex)
        {
            failure = "connection lost: " + ex.getMessage();
            return 0;
        }
    }

    /** Writes the oldest move by address, header, bytes and padding in one gathering write; true once all are out. */
    private boolean writeMove() throws IOException
    {
        final int h = outHead;
        if (!bulkStarted)
        {
            bulkStarted = true;
            bulkHeader.clear();
            bulkHeader.putInt(BULK).putInt(outTag[h]).putInt(outLength[h]).putInt(0).flip();
            bulkParts[0] = bulkHeader;
            bulkParts[2] = zeros.clear().limit(0);
            outDone = 0;
        }
        final int length = outLength[h];
        final int n = Math.min(WRITE_SLICE, length - outDone);
        final ByteBuffer bytes = outAddress[h] == 0 ? zeros(n) : outWindow.view(outAddress[h] + outDone, n);
        bulkParts[1] = bytes;
        if (outDone + n == length && bulkParts[2].limit() == 0)
        {
            bulkParts[2].limit(aligned(length) - length);
        }
        socket.write(bulkParts);
        outDone += n - bytes.remaining();
        if (bulkParts[0].hasRemaining() || outDone < length || bulkParts[2].hasRemaining())
        {
            return false;
        }
        bulkStarted = false;
        sent.addInt(outId[h]);
        outHead = (h + 1) % outAt.length;
        outCount--;
        return true;
    }

    @Override
    public boolean movesByAddress()
    {
        return true;
    }

    @Override
    public boolean withdrawsByAddress()
    {
        return true;
    }

    @Override
    public void cancelByAddress(final int id)
    {
        for (int k = 0; k < outCount; k++)
        {
            final int i = (outHead + k) % outAt.length;
            if (outId[i] == id)
            {
                outAddress[i] = 0;
            }
        }
        for (int i = 0; i < postedCount; i++)
        {
            if (postedId[i] == id)
            {
                postedAddress[i] = 0;
            }
        }
        if (inId == id)
        {
            inAddress = 0;
        }
    }

    private ByteBuffer zeros(final int n)
    {
        if (zeroSlice == null)
        {
            zeroSlice = ByteBuffer.allocateDirect(WRITE_SLICE);
        }
        return zeroSlice.clear().limit(n);
    }

    private ByteBuffer discard(final int n)
    {
        if (discardSlice == null)
        {
            discardSlice = ByteBuffer.allocateDirect(WRITE_SLICE);
        }
        return discardSlice.clear().limit(Math.min(n, WRITE_SLICE));
    }

    @Override
    public void sendByAddress(final long address, final int length, final int tag, final int id)
    {
        if (outCount == outAt.length)
        {
            growMoves();
        }
        final int i = (outHead + outCount) % outAt.length;
        outAt[i] = writeEnd;
        outAddress[i] = address;
        outLength[i] = length;
        outTag[i] = tag;
        outId[i] = id;
        outCount++;
        flush();
    }

    private void growMoves()
    {
        final int n = outAt.length;
        final int[] at = new int[2 * n];
        final long[] address = new long[2 * n];
        final int[] length = new int[2 * n];
        final int[] tag = new int[2 * n];
        final int[] id = new int[2 * n];
        for (int k = 0; k < outCount; k++)
        {
            final int from = (outHead + k) % n;
            at[k] = outAt[from];
            address[k] = outAddress[from];
            length[k] = outLength[from];
            tag[k] = outTag[from];
            id[k] = outId[from];
        }
        outAt = at;
        outAddress = address;
        outLength = length;
        outTag = tag;
        outId = id;
        outHead = 0;
    }

    @Override
    public void receiveByAddress(final long address, final int length, final int tag, final int id)
    {
        if (postedCount == postedTag.length)
        {
            final int n = 2 * postedCount;
            postedTag = java.util.Arrays.copyOf(postedTag, n);
            postedAddress = java.util.Arrays.copyOf(postedAddress, n);
            postedLength = java.util.Arrays.copyOf(postedLength, n);
            postedId = java.util.Arrays.copyOf(postedId, n);
        }
        postedTag[postedCount] = tag;
        postedAddress[postedCount] = address;
        postedLength[postedCount] = length;
        postedId[postedCount] = id;
        postedCount++;
    }

    /** Reads what has arrived and delivers every whole frame (up to {@code limit}) and every finished move. */
    int receive(final FrameHandler handler, final int limit)
    {
        int frames = 0;
        while (!sent.isEmpty())
        {
            handler.onMovedByAddress(sent.pollInt());
            frames++;
        }
        if (failure != null)
        {
            // a write found the connection gone (a dead peer's reset): the engine hears of it here, once
            if (!reported)
            {
                reported = true;
                handler.onPeerFailure(peer, failure);
            }
            return frames;
        }
        int n = 0;
        try
        {
            if (inId >= 0)
            {
                // the rest of a message moved by address goes straight into its buffer
                n = socket.read(inAddress == 0 ? discard(inLength - inDone) :
                    inWindow.view(inAddress + inDone, inLength - inDone));
                inDone += Math.max(0, n);
                if (n >= 0 && inDone < inLength)
                {
                    return frames + (n > 0 ? 1 : 0);
                }
                if (n >= 0)
                {
                    frames += finishMove(handler);
                }
            }
            if (n >= 0)
            {
                // frames and the first bytes of a move come through the receive buffer, but not a move's bulk:
                // read past a whole frame only so far, so that the rest of a move that follows goes straight in
                final int position = recvBytes.position();
                recvBytes.limit(Math.min(recvBytes.capacity(), position + Math.max(READ_AHEAD, frameRest)));
                n = socket.read(recvBytes);
                recvBytes.limit(recvBytes.capacity());
            }
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
            return frames;
        }
        return frames + deliver(handler, limit);
    }

    private int finishMove(final FrameHandler handler)
    {
        final int id = inId;
        skip = aligned(inLength) - inLength;
        inId = -1;
        handler.onMovedByAddress(id);
        return 1;
    }

    private int deliver(final FrameHandler handler, final int limit)
    {
        int frames = 0;
        frameRest = 0;
        final int end = recvBytes.position();
        final int skipped = Math.min(skip, end - readStart);
        readStart += skipped;
        skip -= skipped;
        while (frames < limit && inId < 0 && end - readStart >= PREFIX)
        {
            final int length = recv.getInt(readStart, ORDER);
            if (length == BULK)
            {
                if (end - readStart < BULK_HEADER)
                {
                    break;
                }
                if (!startMove(handler, recv.getInt(readStart + 4, ORDER), recv.getInt(readStart + 8, ORDER)))
                {
                    return frames;
                }
                readStart += BULK_HEADER;
                // what came in with the frames before it
                final int take = Math.min(end - readStart, inLength);
                if (inAddress != 0)
                {
                    UnsafeApi.copyMemory(recv.addressOffset() + readStart, inAddress, take);
                }
                readStart += take;
                inDone = take;
                frames++;
                if (inDone == inLength)
                {
                    finishMove(handler);
                    final int pad = Math.min(skip, end - readStart);
                    readStart += pad;
                    skip -= pad;
                }
                continue;
            }
            if (length < 0 || length > maxFrame)
            {
                return frames + protocolError(handler, "sent a frame of " + length + " bytes (limit " + maxFrame + ")");
            }
            final int whole = PREFIX + aligned(length);
            if (end - readStart < whole)
            {
                frameRest = whole - (end - readStart);
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

    /** Takes the posted receive of {@code tag} for the move that starts here; false (connection closed) if none. */
    private boolean startMove(final FrameHandler handler, final int tag, final int length)
    {
        for (int i = 0; i < postedCount; i++)
        {
            if (postedTag[i] == tag)
            {
                if (postedLength[i] != length)
                {
                    protocolError(handler, "moved " + length + " bytes for tag " + tag + ", posted for " + postedLength[i]);
                    return false;
                }
                inAddress = postedAddress[i];
                inLength = length;
                inDone = 0;
                inId = postedId[i];
                postedCount--;
                postedTag[i] = postedTag[postedCount];
                postedAddress[i] = postedAddress[postedCount];
                postedLength[i] = postedLength[postedCount];
                postedId[i] = postedId[postedCount];
                return true;
            }
        }
        protocolError(handler, "moved " + length + " bytes for tag " + tag + ", which no receive posted");
        return false;
    }

    private int protocolError(final FrameHandler handler, final String what)
    {
        failure = what + ": protocol error, connection closed";
        close();
        reported = true;
        handler.onPeerFailure(peer, failure);
        return 0;
    }

    /** Lets {@link TcpTransport#awaitInput} wake on this connection: {@code key} is its registration. */
    void watch(final SelectionKey key)
    {
        this.key = key;
        this.interest = key.interestOps();
    }

    /** Before a wait: wake on input, and also on room while output waits; on nothing once the connection failed. */
    void updateInterest()
    {
        final int ops = failure != null ? 0 :
            writeStart < writeEnd || outCount > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (ops != interest && key.isValid())
        {
            key.interestOps(ops);
            interest = ops;
        }
    }

    @Override
    public String kind()
    {
        return "tcp";
    }

    /** Whether the engine has heard of this connection's end. */
    boolean hasReported()
    {
        return reported;
    }

    /** The engine hears of this connection's end another way (its replacement came): not from here as well. */
    void markReported()
    {
        reported = true;
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
