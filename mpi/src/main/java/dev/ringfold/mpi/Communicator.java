package dev.ringfold.mpi;

import dev.ringfold.mpi.internal.CommunicatorInternals;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.collections.Int2ObjectHashMap;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * A group of ranks with a private communication context, in the spirit of an MPI communicator.
 * Point-to-point messages on one communicator never match receives on another; between a pair of ranks, with one
 * tag, they are non-overtaking. Payloads are byte regions: off-heap buffers (Agrona, ByteBuffer, MemorySegment,
 * and Arrow buffers through tensors' ArrowMessages) or Java primitive arrays with element offset and count. Not thread-safe (see {@link Engine}).
 *
 * <p>Blocking calls return a {@link Status} owned by the communicator, overwritten by its next blocking call.
 */
public final class Communicator implements AutoCloseable
{
    public static final int ANY_SOURCE = Engine.ANY;
    public static final int ANY_TAG = Engine.ANY;
    /**
     * The rank that is no rank, as MPI's MPI_PROC_NULL (the same value as mpiJava's {@code MPI.PROC_NULL}): a send
     * to it or a receive from it completes at once and moves nothing; the receive's status has source PROC_NULL,
     * tag ANY_TAG and count 0. For the edges of a non-periodic neighbourhood (a halo exchange's first and last rank).
     */
    public static final int PROC_NULL = -3;
    /** The color that leaves a rank out of every communicator {@link #split} makes (split returns null). */
    public static final int UNDEFINED = -32766;

    private static final int BARRIER_TAG = 1;
    private static final int SPLIT_TAG = 2;
    private static final int JOIN_TAG = 3;
    /** On WORLD's collective context: a replacement asks to be taken in ({@link #joinGrow}); its incarnation. */
    private static final int KNOCK_TAG = 4;
    /** On WORLD's collective context: a survivor tells a replacement the communicator it was taken into. */
    private static final int GROWN_TAG = 5;
    private static final int FIRST_COLLECTIVE_TAG = CommunicatorInternals.FIRST_COLLECTIVE_TAG;
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);
    private static final long LONG_BASE = UnsafeApi.arrayBaseOffset(long[].class);

    private final Engine engine;
    private final String name;
    private final int context;
    private final int[] worldOfRank;
    private final int[] rankOfWorld;
    private final int rank;
    // the requests of blocking calls, reused: a failed call withdraws its request before it returns
    private final Request sendRequest = new Request();
    private final Request recvRequest = new Request();
    private final Status probeStatus = new Status();
    private int children;
    /**
     * The process each member was when this communicator was made: a member whose slot a replacement took since is
     * a failed member here (the process that joined is not the one that was in it), except on WORLD, whose members
     * are the slots (a replacement takes the dead rank's place there for point-to-point).
     */
    private final int[] incarnationOf;
    /** On WORLD: the incarnation of the last knock received from each world rank, -1 where none waits. */
    private int[] knocks;
    /** A replacement's WORLD: its request to be taken in is sent ({@link #askToJoin}). */
    private boolean askedToJoin;
    private boolean closed;
    private long timeoutNs;
    /** The agreements on it by sequence number: the running one, and the last ones decided, to answer late askers. */
    private final Int2ObjectHashMap<Agreement> agreements = new Int2ObjectHashMap<>();
    private int agreementsStarted;
    /** The failures acknowledged ({@link #failureAck()}, or decided by the last {@link #agree}), by comm rank. */
    private long[] acknowledged;
    /** State layers above keep for this communicator ({@link #attached}), in order of creation. */
    private final java.util.LinkedHashMap<Object, AutoCloseable> attached = new java.util.LinkedHashMap<>();

    Communicator(final Engine engine, final String name, final int context, final int[] worldOfRank)
    {
        this.engine = engine;
        this.name = name;
        this.context = context;
        this.worldOfRank = worldOfRank;
        this.rankOfWorld = new int[engine.worldSize()];
        Arrays.fill(rankOfWorld, -1);
        for (int r = 0; r < worldOfRank.length; r++)
        {
            rankOfWorld[worldOfRank[r]] = r;
        }
        this.rank = rankOfWorld[engine.worldRank()];
        this.incarnationOf = new int[worldOfRank.length];
        for (int r = 0; r < worldOfRank.length; r++)
        {
            incarnationOf[r] = engine.incarnation(worldOfRank[r]);
        }
        this.timeoutNs = engine.defaultTimeoutNanos();
        this.acknowledged = new long[(worldOfRank.length + 63) >>> 6];
        engine.register(this);
    }

    public int rank()
    {
        return rank;
    }

    public int size()
    {
        return worldOfRank.length;
    }

    /** For messages: "WORLD", "WORLD.dup1", "WORLD.split2(color 0)". */
    public String name()
    {
        return name;
    }

    /** The settings of this rank's runtime (every RINGFOLD_* variable, read once at start-up). */
    public RuntimeSettings settings()
    {
        return engine.settings();
    }

    /**
     * The communication context its point-to-point messages carry (its collectives use the one above it): the key
     * of its traffic in {@link dev.ringfold.mpi.trace.Counters}.
     */
    public int context()
    {
        return context;
    }

    /** The world rank of a rank of this communicator. */
    public int worldRank(final int rank)
    {
        checkRank(rank, "rank", false);
        return worldOfRank[rank];
    }

    /** The transport between this rank and another: "shm" or "tcp". */
    public String transportTo(final int rank)
    {
        return engine.transportTo(worldRank(rank));
    }

    /**
     * Whether this rank and {@code rank} reach each other through memory both map (the same node, connected by
     * shared memory; with RINGFOLD_DEV=tcp no two ranks do). True for this rank itself.
     */
    public boolean sharesMemoryWith(final int rank)
    {
        return engine.sharesMemoryWith(worldRank(rank));
    }

    /**
     * Collective: splits this communicator into the groups of ranks that share memory ({@link #sharesMemoryWith}),
     * one per node, ordered as here (MPI's {@code MPI_Comm_split_type} with {@code MPI_COMM_TYPE_SHARED}).
     */
    public Communicator splitByNode()
    {
        int color = rank;
        for (int r = 0; r < rank; r++)
        {
            if (sharesMemoryWith(r))
            {
                color = r; // the node's lowest rank names the group
                break;
            }
        }
        return split(color, rank);
    }

    Engine engine()
    {
        return engine;
    }

    int rankOfWorld(final int worldRank)
    {
        return worldRank < 0 ? worldRank : rankOfWorld[worldRank];
    }

    // ------------------------------------------------------------------------------ off-heap: Agrona buffers

    public void send(final DirectBuffer buffer, final int offset, final int length, final int dest, final int tag)
    {
        await(isend(buffer, offset, length, dest, tag, sendRequest));
    }

    public Status recv(final MutableDirectBuffer buffer, final int offset, final int length, final int source,
        final int tag)
    {
        return await(irecv(buffer, offset, length, source, tag, recvRequest));
    }

    public Request isend(final DirectBuffer buffer, final int offset, final int length, final int dest, final int tag)
    {
        return isend(buffer, offset, length, dest, tag, new Request());
    }

    /** As {@link #isend(DirectBuffer, int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request isend(final DirectBuffer buffer, final int offset, final int length, final int dest, final int tag,
        final Request into)
    {
        return sendBuffer(buffer, offset, length, dest, tag, into, false);
    }

    public Request irecv(final MutableDirectBuffer buffer, final int offset, final int length, final int source,
        final int tag)
    {
        return irecv(buffer, offset, length, source, tag, new Request());
    }

    /** As {@link #irecv(MutableDirectBuffer, int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request irecv(final MutableDirectBuffer buffer, final int offset, final int length, final int source,
        final int tag, final Request into)
    {
        checkRegion(buffer, offset, length, "receive");
        return startRecv(buffer.byteArray(), buffer.addressOffset() + offset, length, source, tag, into);
    }

    /**
     * Synchronous mode (MPI_Ssend): returns once the receiver has matched the message, whatever its size; a
     * standard send of a small message may return as soon as its bytes have left.
     */
    public void ssend(final DirectBuffer buffer, final int offset, final int length, final int dest, final int tag)
    {
        await(sendBuffer(buffer, offset, length, dest, tag, sendRequest, true));
    }

    /** Synchronous mode, non-blocking (MPI_Issend): completes once the receiver has matched the message. */
    public Request issend(final DirectBuffer buffer, final int offset, final int length, final int dest,
        final int tag)
    {
        return sendBuffer(buffer, offset, length, dest, tag, new Request(), true);
    }

    // ------------------------------------------------------------------- off-heap: ByteBuffer, MemorySegment

    /** Sends the bytes between the buffer's position and limit (the position does not move). */
    public void send(final ByteBuffer buffer, final int dest, final int tag)
    {
        await(sendByteBuffer(buffer, dest, tag, sendRequest));
    }

    /** Receives into the bytes between the buffer's position and limit (the position does not move). */
    public Status recv(final ByteBuffer buffer, final int source, final int tag)
    {
        return await(recvByteBuffer(buffer, source, tag, recvRequest));
    }

    public Request isend(final ByteBuffer buffer, final int dest, final int tag)
    {
        return sendByteBuffer(buffer, dest, tag, new Request());
    }

    public Request irecv(final ByteBuffer buffer, final int source, final int tag)
    {
        return recvByteBuffer(buffer, source, tag, new Request());
    }

    public void send(final MemorySegment segment, final int dest, final int tag)
    {
        await(sendSegment(segment, dest, tag, sendRequest, false));
    }

    public Status recv(final MemorySegment segment, final int source, final int tag)
    {
        return await(recvSegment(segment, source, tag, recvRequest));
    }

    public Request isend(final MemorySegment segment, final int dest, final int tag)
    {
        return sendSegment(segment, dest, tag, new Request(), false);
    }

    public Request irecv(final MemorySegment segment, final int source, final int tag)
    {
        return recvSegment(segment, source, tag, new Request());
    }

    /** Synchronous mode (see {@link #ssend(DirectBuffer, int, int, int, int)}). */
    public void ssend(final MemorySegment segment, final int dest, final int tag)
    {
        await(sendSegment(segment, dest, tag, sendRequest, true));
    }

    /** Synchronous mode, non-blocking (see {@link #issend(DirectBuffer, int, int, int, int)}). */
    public Request issend(final MemorySegment segment, final int dest, final int tag)
    {
        return sendSegment(segment, dest, tag, new Request(), true);
    }

    private Request sendBuffer(final DirectBuffer buffer, final int offset, final int length, final int dest,
        final int tag, final Request r, final boolean synchronous)
    {
        checkRegion(buffer, offset, length, "send");
        return startSend(buffer.byteArray(), buffer.addressOffset() + offset, length, dest, tag, r, synchronous);
    }

    private Request sendByteBuffer(final ByteBuffer buffer, final int dest, final int tag, final Request r)
    {
        checkNotNull(buffer, "send");
        return buffer.isDirect() ?
            startSend(null, BufferUtil.address(buffer) + buffer.position(), buffer.remaining(), dest, tag, r) :
            startSend(BufferUtil.array(buffer), BYTE_BASE + BufferUtil.arrayOffset(buffer) + buffer.position(),
                buffer.remaining(), dest, tag, r); // works for read-only heap buffers too
    }

    private Request recvByteBuffer(final ByteBuffer buffer, final int source, final int tag, final Request r)
    {
        checkNotNull(buffer, "receive");
        if (buffer.isReadOnly())
        {
            throw new IllegalArgumentException(where("receive") + ": the receive buffer is read-only");
        }
        return buffer.isDirect() ?
            startRecv(null, BufferUtil.address(buffer) + buffer.position(), buffer.remaining(), source, tag, r) :
            startRecv(buffer.array(), BYTE_BASE + buffer.arrayOffset() + buffer.position(), buffer.remaining(), source, tag, r);
    }

    private Request sendSegment(final MemorySegment segment, final int dest, final int tag, final Request r,
        final boolean synchronous)
    {
        checkNotNull(segment, "send");
        final int length = segmentLength(segment, "send");
        return startSend(segmentBase(segment), segmentAddress(segment), length, dest, tag, r, synchronous);
    }

    private Request recvSegment(final MemorySegment segment, final int source, final int tag, final Request r)
    {
        checkNotNull(segment, "receive");
        if (segment.isReadOnly())
        {
            throw new IllegalArgumentException(where("receive") + ": the receive segment is read-only");
        }
        final int length = segmentLength(segment, "receive");
        return startRecv(segmentBase(segment), segmentAddress(segment), length, source, tag, r);
    }

    // --------------------------------------------------------------------------------------- primitive arrays

    public void send(final byte[] data, final int offset, final int count, final int dest, final int tag)
    {
        await(sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, sendRequest));
    }

    public void send(final int[] data, final int offset, final int count, final int dest, final int tag)
    {
        await(sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, sendRequest));
    }

    public void send(final long[] data, final int offset, final int count, final int dest, final int tag)
    {
        await(sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, sendRequest));
    }

    public void send(final float[] data, final int offset, final int count, final int dest, final int tag)
    {
        await(sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, sendRequest));
    }

    public void send(final double[] data, final int offset, final int count, final int dest, final int tag)
    {
        await(sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, sendRequest));
    }

    public Status recv(final byte[] data, final int offset, final int count, final int source, final int tag)
    {
        return await(recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, recvRequest));
    }

    public Status recv(final int[] data, final int offset, final int count, final int source, final int tag)
    {
        return await(recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, recvRequest));
    }

    public Status recv(final long[] data, final int offset, final int count, final int source, final int tag)
    {
        return await(recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, recvRequest));
    }

    public Status recv(final float[] data, final int offset, final int count, final int source, final int tag)
    {
        return await(recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, recvRequest));
    }

    public Status recv(final double[] data, final int offset, final int count, final int source, final int tag)
    {
        return await(recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, recvRequest));
    }

    public Request isend(final byte[] data, final int offset, final int count, final int dest, final int tag)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, new Request());
    }

    public Request isend(final int[] data, final int offset, final int count, final int dest, final int tag)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, new Request());
    }

    public Request isend(final long[] data, final int offset, final int count, final int dest, final int tag)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, new Request());
    }

    public Request isend(final float[] data, final int offset, final int count, final int dest, final int tag)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, new Request());
    }

    public Request isend(final double[] data, final int offset, final int count, final int dest, final int tag)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, new Request());
    }

    public Request irecv(final byte[] data, final int offset, final int count, final int source, final int tag)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, new Request());
    }

    public Request irecv(final int[] data, final int offset, final int count, final int source, final int tag)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, new Request());
    }

    public Request irecv(final long[] data, final int offset, final int count, final int source, final int tag)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, new Request());
    }

    public Request irecv(final float[] data, final int offset, final int count, final int source, final int tag)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, new Request());
    }

    public Request irecv(final double[] data, final int offset, final int count, final int source, final int tag)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, new Request());
    }

    /** As {@link #isend(byte[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request isend(final byte[] data, final int offset, final int count, final int dest, final int tag,
        final Request into)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, into);
    }

    /** As {@link #irecv(byte[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request irecv(final byte[] data, final int offset, final int count, final int source, final int tag,
        final Request into)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, into);
    }

    /** As {@link #isend(int[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request isend(final int[] data, final int offset, final int count, final int dest, final int tag,
        final Request into)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, into);
    }

    /** As {@link #irecv(int[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request irecv(final int[] data, final int offset, final int count, final int source, final int tag,
        final Request into)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, into);
    }

    /** As {@link #isend(long[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request isend(final long[] data, final int offset, final int count, final int dest, final int tag,
        final Request into)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, into);
    }

    /** As {@link #irecv(long[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request irecv(final long[] data, final int offset, final int count, final int source, final int tag,
        final Request into)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, into);
    }

    /** As {@link #isend(float[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request isend(final float[] data, final int offset, final int count, final int dest, final int tag,
        final Request into)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, into);
    }

    /** As {@link #irecv(float[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request irecv(final float[] data, final int offset, final int count, final int source, final int tag,
        final Request into)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, into);
    }

    /** As {@link #isend(double[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request isend(final double[] data, final int offset, final int count, final int dest, final int tag,
        final Request into)
    {
        return sendArray(data, data == null ? 0 : data.length, offset, count, dest, tag, into);
    }

    /** As {@link #irecv(double[], int, int, int, int)}, reusing a completed request: allocates nothing. */
    public Request irecv(final double[] data, final int offset, final int count, final int source, final int tag,
        final Request into)
    {
        return recvArray(data, data == null ? 0 : data.length, offset, count, source, tag, into);
    }

    private Request sendArray(final Object array, final int arrayLength, final int offset, final int count,
        final int dest, final int tag, final Request r)
    {
        checkArray(array, arrayLength, offset, count, "send");
        final int shift = elementShift(array);
        return startSend(array, arrayBase(shift) + ((long)offset << shift), bytes(count, shift), dest, tag, r);
    }

    private Request recvArray(final Object array, final int arrayLength, final int offset, final int count,
        final int source, final int tag, final Request r)
    {
        checkArray(array, arrayLength, offset, count, "receive");
        final int shift = elementShift(array);
        return startRecv(array, arrayBase(shift) + ((long)offset << shift), bytes(count, shift), source, tag, r);
    }

    private static int elementShift(final Object array)
    {
        return array instanceof byte[] ? 0 : array instanceof int[] || array instanceof float[] ? 2 : 3;
    }

    private static long arrayBase(final int shift)
    {
        // every primitive array type has the same base offset on HotSpot; keep them apart in case one day not
        return shift == 0 ? BYTE_BASE : shift == 2 ? INT_BASE : LONG_BASE;
    }

    // ----------------------------------------------------------------------------------- combined and probing

    /** Sends and receives at once (no deadlock when every rank calls it); returns the receive's status. */
    public Status sendRecv(final DirectBuffer sendBuffer, final int sendOffset, final int sendLength, final int dest,
        final int sendTag, final MutableDirectBuffer recvBuffer, final int recvOffset, final int recvLength,
        final int source, final int recvTag)
    {
        checkRegion(recvBuffer, recvOffset, recvLength, "receive");
        checkRegion(sendBuffer, sendOffset, sendLength, "send");
        return sendRecv(sendBuffer.byteArray(), sendBuffer.addressOffset() + sendOffset, sendLength, dest, sendTag,
            recvBuffer.byteArray(), recvBuffer.addressOffset() + recvOffset, recvLength, source, recvTag);
    }

    public Status sendRecv(final byte[] sendData, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final byte[] recvData, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        return sendRecvArrays(sendData, sendData == null ? 0 : sendData.length, sendOffset, sendCount, dest, sendTag,
            recvData, recvData == null ? 0 : recvData.length, recvOffset, recvCount, source, recvTag);
    }

    public Status sendRecv(final int[] sendData, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final int[] recvData, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        return sendRecvArrays(sendData, sendData == null ? 0 : sendData.length, sendOffset, sendCount, dest, sendTag,
            recvData, recvData == null ? 0 : recvData.length, recvOffset, recvCount, source, recvTag);
    }

    public Status sendRecv(final long[] sendData, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final long[] recvData, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        return sendRecvArrays(sendData, sendData == null ? 0 : sendData.length, sendOffset, sendCount, dest, sendTag,
            recvData, recvData == null ? 0 : recvData.length, recvOffset, recvCount, source, recvTag);
    }

    public Status sendRecv(final float[] sendData, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final float[] recvData, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        return sendRecvArrays(sendData, sendData == null ? 0 : sendData.length, sendOffset, sendCount, dest, sendTag,
            recvData, recvData == null ? 0 : recvData.length, recvOffset, recvCount, source, recvTag);
    }

    /** As the other array forms: counts and offsets in elements; the status's count is in bytes. */
    public Status sendRecv(final double[] sendData, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final double[] recvData, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        return sendRecvArrays(sendData, sendData == null ? 0 : sendData.length, sendOffset, sendCount, dest, sendTag,
            recvData, recvData == null ? 0 : recvData.length, recvOffset, recvCount, source, recvTag);
    }

    /** Both arrays of one element type (the public forms say which). */
    private Status sendRecvArrays(final Object sendData, final int sendArrayLength, final int sendOffset,
        final int sendCount, final int dest, final int sendTag, final Object recvData, final int recvArrayLength,
        final int recvOffset, final int recvCount, final int source, final int recvTag)
    {
        checkArray(recvData, recvArrayLength, recvOffset, recvCount, "receive");
        checkArray(sendData, sendArrayLength, sendOffset, sendCount, "send");
        final int shift = elementShift(sendData);
        return sendRecv(sendData, arrayBase(shift) + ((long)sendOffset << shift), bytes(sendCount, shift), dest,
            sendTag, recvData, arrayBase(shift) + ((long)recvOffset << shift), bytes(recvCount, shift), source, recvTag);
    }

    private Status sendRecv(final Object sendBase, final long sendAddress, final int sendLength, final int dest,
        final int sendTag, final Object recvBase, final long recvAddress, final int recvLength, final int source,
        final int recvTag)
    {
        checkOpen();
        checkPeer(dest, "dest");
        checkTag(sendTag, false);
        startRecv(recvBase, recvAddress, recvLength, source, recvTag, recvRequest);
        try
        {
            startSend(sendBase, sendAddress, sendLength, dest, sendTag, sendRequest);
        }
        catch (final RuntimeException ex)
        {
            withdraw(recvRequest); // a rejected send leaves no receive behind
            throw ex;
        }
        awaitBoth();
        return recvRequest.status;
    }

    /** Waits until a matching message can be received; returns its source, tag and size without receiving it. */
    public Status probe(final int source, final int tag)
    {
        checkOpen();
        checkSource(source);
        checkTag(tag, true);
        if (source == PROC_NULL)
        {
            probeStatus.set(PROC_NULL, ANY_TAG, 0);
            return probeStatus;
        }
        engine.probe(context, worldOf(source), tag, this, probeStatus);
        return probeStatus;
    }

    /** As {@link #probe} without waiting: the status, or null if no matching message has arrived. */
    public Status iprobe(final int source, final int tag)
    {
        checkOpen();
        checkSource(source);
        checkTag(tag, true);
        if (source == PROC_NULL)
        {
            probeStatus.set(PROC_NULL, ANY_TAG, 0);
            return probeStatus;
        }
        return engine.iprobe(context, worldOf(source), tag, this, probeStatus) ? probeStatus : null;
    }

    // ------------------------------------------------------------------------- fault tolerance (ULFM)

    /**
     * Revokes this communicator on every member (ULFM's MPIX_Comm_revoke): not collective, returns at once. Every
     * pending and later operation on it (point-to-point, its collectives, persistent requests, waits inside
     * collective algorithms), here and on every other member, fails promptly with
     * {@link CommunicatorRevokedException}, except {@link #agree}, {@link #shrink}, the failure queries and
     * {@link #close()}. Other communicators, even of the same ranks, are untouched. Revoking it again does nothing.
     */
    public void revoke()
    {
        checkNotClosed();
        checkFaultTolerant("revoke");
        engine.revoked(context, engine.worldRank());
    }

    /** Whether a member has revoked this communicator (as far as this rank has heard). */
    public boolean isRevoked()
    {
        return engine.revoker(context) >= 0;
    }

    /**
     * A fault-tolerant agreement among the members (ULFM's MPIX_Comm_agree): collective over the survivors, works
     * on a revoked communicator. Returns the bitwise AND of the flags of the members that take part; every member
     * that returns gets the same value even if members die before or during it (a dead member's flags count only if
     * it handed them in before it died, the same way for all). It also agrees on the failed members: afterwards
     * every survivor's {@link #acknowledgedFailures()} is the same set. The protocol is in {@link Agreement}.
     */
    public int agree(final int flags)
    {
        return agreement(flags, Integer.MIN_VALUE).value();
    }

    private Agreement agreement(final int flags, final int max)
    {
        final Agreement a = startAgreement(flags, max);
        engine.await(a, timeoutNs);
        acknowledged = a.failedSet().clone();
        return a;
    }

    /** Starts this member's next agreement without waiting for it (agree waits; tests step it). */
    Agreement startAgreement(final int flags, final int max)
    {
        checkNotClosed();
        checkFaultTolerant("agree");
        final int seq = agreementsStarted++;
        agreements.remove(seq - 3); // an asker can be at most one agreement behind a member that decided
        final Agreement a = agreement(seq);
        a.start(flags, max);
        return a;
    }

    private Agreement agreement(final int seq)
    {
        Agreement a = agreements.get(seq);
        if (a == null)
        {
            a = new Agreement(this, seq);
            agreements.put(seq, a);
        }
        return a;
    }

    /** An agreement step from world rank {@code worldPeer}. */
    void onAgreementStep(final int worldPeer, final AgreeFrame step)
    {
        final int from = rankOfWorld(worldPeer);
        final int seq = step.get(AgreeFrame.SEQ);
        if (from < 0 || seq < agreementsStarted - 3)
        {
            return; // not a member, or an agreement long decided everywhere
        }
        final int words = step.get(AgreeFrame.WORDS);
        final long[] failedSet = new long[words];
        final long[] acceptedSet = new long[words];
        for (int w = 0; w < words; w++)
        {
            failedSet[w] = step.failedWord(w);
            acceptedSet[w] = step.acceptedWord(w);
        }
        agreement(seq).onMessage(from, step.get(AgreeFrame.KIND), step.get(AgreeFrame.EPOCH),
            step.get(AgreeFrame.VALUE), step.get(AgreeFrame.MAX), failedSet, step.get(AgreeFrame.ACCEPTED_EPOCH),
            step.get(AgreeFrame.ACCEPTED_VALUE), step.get(AgreeFrame.ACCEPTED_MAX), acceptedSet);
    }

    /**
     * A new communicator of the members that survive (ULFM's MPIX_Comm_shrink), in the same relative order, with a
     * fresh context agreed by all: collective over the survivors, works on a revoked communicator, and every
     * survivor gets the same group even if members die during it (one that dies after the group is decided is a
     * failed member of the new communicator, which its collectives report as for any other). Its deadline is this
     * communicator's.
     */
    public Communicator shrink()
    {
        final Agreement a = agreement(-1, engine.nextContext());
        final long[] gone = a.failedSet();
        int survivors = 0;
        for (int r = 0; r < size(); r++)
        {
            survivors += Agreement.has(gone, r) ? 0 : 1;
        }
        final int[] world = new int[survivors];
        for (int r = 0, i = 0; r < size(); r++)
        {
            if (!Agreement.has(gone, r))
            {
                world[i++] = worldOfRank[r];
            }
        }
        engine.contextTaken(a.maxValue());
        final Communicator child = new Communicator(engine, name + ".shrink" + ++children, a.maxValue(), world);
        child.timeoutNs = timeoutNs;
        return child;
    }

    /**
     * A new communicator of the members that survive plus the replacements waiting to join (mpjrun --elastic with
     * --max-replacements; each replacement calls {@link #joinGrow} on its WORLD): ULFM has no such call (it grows
     * by spawning and merging), so this is {@link #shrink} with the newcomers added. Collective over the survivors,
     * works on a revoked communicator. A replacement is taken in when every survivor that takes part has its
     * request (its knock, from the incarnation that holds the world slot now): a fault-tolerant agreement decides
     * that and the context, as for shrink, so every survivor gets the same group even if members or newcomers die
     * during it (one that dies after the group is decided is a failed member of the new communicator). Members are
     * ordered by world rank. Each survivor then tells each newcomer the group and the context; a newcomer not yet
     * known to every survivor is taken in by a later grow. With no newcomer agreed, the result is shrink's.
     */
    public Communicator grow()
    {
        checkNotClosed();
        checkFaultTolerant("grow");
        final Communicator world = world();
        world.receiveKnocks();
        final int n = engine.worldSize();
        final long[] joining = new long[(n + 63) >>> 6];
        Agreement a = null;
        int ctx = -1;
        // 31 world ranks per agreement: the agreement ANDs an int of flags (one agreement up to 31 ranks)
        for (int base = 0; base < n; base += 31)
        {
            int flags = 0;
            for (int r = base; r < Math.min(n, base + 31); r++)
            {
                flags |= waitingToJoin(world, r) ? 1 << (r - base) : 0;
            }
            a = agreement(flags, base == 0 ? engine.nextContext() : Integer.MIN_VALUE);
            ctx = base == 0 ? a.maxValue() : ctx;
            for (int bits = a.value(); bits != 0; bits &= bits - 1)
            {
                final int r = base + Integer.numberOfTrailingZeros(bits);
                joining[r >>> 6] |= 1L << r;
            }
        }
        final long[] gone = a.failedSet();
        final long[] members = joining.clone();
        for (int r = 0; r < size(); r++)
        {
            if (!Agreement.has(gone, r))
            {
                members[worldOfRank[r] >>> 6] |= 1L << worldOfRank[r];
            }
        }
        final int[] group = ranksOf(members); // ascending world ranks
        final int[] newcomers = ranksOf(joining);
        engine.contextTaken(ctx);
        final Communicator child = new Communicator(engine, name + ".grow" + ++children, ctx, group);
        child.timeoutNs = timeoutNs;
        final int[] told = new int[3 + group.length + newcomers.length];
        told[0] = ctx;
        told[1] = group.length;
        told[2] = newcomers.length;
        System.arraycopy(group, 0, told, 3, group.length);
        System.arraycopy(newcomers, 0, told, 3 + group.length, newcomers.length);
        for (final int newcomer : newcomers)
        {
            world.knocks[newcomer] = -1;
            try
            {
                world.await(world.internalSend(told, INT_BASE, 4 * told.length, newcomer, GROWN_TAG, new Request()));
            }
            catch (final PeerFailedException ex)
            {
                // it died after the agreement: a failed member of the new communicator, found by its first call
            }
        }
        return child;
    }

    /**
     * A replacement's request to be taken in (the first half of {@link #joinGrow}, which sends it if this was not
     * called): sends it to every rank alive and returns at once, so that the survivors reach their step boundary
     * and agree while this process gets ready; {@link #joinGrow} then waits for their word. Once per process.
     */
    public void askToJoin()
    {
        checkOpen();
        checkFaultTolerant("askToJoin");
        final int me = engine.worldRank();
        if (context != 0 || engine.incarnation(me) == 0)
        {
            throw new IllegalStateException(where("askToJoin") + ": only a replacement (incarnation > 0, started by " +
                "mpjrun --max-replacements) joins, on WORLD; this is incarnation " + engine.incarnation(me) + " on " +
                name);
        }
        if (askedToJoin)
        {
            throw new IllegalStateException(where("askToJoin") + ": incarnation " + engine.incarnation(me) +
                " already asked to join; joinGrow() waits for the survivors");
        }
        askedToJoin = true;
        final int n = engine.worldSize();
        final int[] knock = {engine.incarnation(me)};
        for (int r = 0; r < n; r++)
        {
            if (r != me && engine.failure(r) == null)
            {
                try
                {
                    await(internalSend(knock, INT_BASE, 4, r, KNOCK_TAG, new Request()));
                }
                catch (final PeerFailedException ex)
                {
                    // gone since: it will not take part in the survivors' grow
                }
            }
        }
    }

    /**
     * A replacement's side of {@link #grow} (call it on WORLD, in a process started by mpjrun --elastic
     * --max-replacements): asks every rank alive to be taken in (unless {@link #askToJoin} did), waits until the
     * survivors' grow takes it, and returns the communicator they made, the same group and context. Before it, a
     * replacement talks to the others point-to-point on WORLD only and makes no communicator of its own (the
     * context it would use is the survivors' to give). Fails when no rank is left to join, or when a rank it waits
     * for closed its runtime.
     */
    public Communicator joinGrow()
    {
        if (!askedToJoin)
        {
            askToJoin();
        }
        checkOpen();
        final int n = engine.worldSize();
        // waits for the first survivor's word; ranks that close their runtime meanwhile (the run ended before this
        // replacement was ready) or die are no longer waited for, and with none left the join fails
        final Completion toldOrAlone = new Completion()
        {
            @Override
            public boolean isComplete()
            {
                return engine.arrived(1, GROWN_TAG, -1L, Communicator.this, probeStatus) || nobodyElse();
            }

            @Override
            public String describe()
            {
                return "joinGrow (waiting for the survivors to take this replacement in at a step boundary)";
            }
        };
        engine.await(toldOrAlone, timeoutNs);
        if (!engine.arrived(1, GROWN_TAG, -1L, this, probeStatus))
        {
            throw new IllegalStateException(where("joinGrow") + ": no rank of the job is left to join (they failed " +
                "or closed their runtime before this replacement was taken in)");
        }
        final int from = probeStatus.source();
        final int[] told = new int[3 + 2 * n];
        await(internalRecv(told, INT_BASE, 4 * told.length, from, GROWN_TAG, recvRequest));
        final int ctx = told[0];
        final int[] group = Arrays.copyOfRange(told, 3, 3 + told[1]);
        final int[] newcomers = Arrays.copyOfRange(told, 3 + told[1], 3 + told[1] + told[2]);
        final int[] copy = new int[told.length];
        for (final int r : group)
        {
            if (r != from && Arrays.binarySearch(newcomers, r) < 0)
            {
                try
                {
                    // every survivor of the agreement tells each newcomer the same: taken here so none is left over
                    await(internalRecv(copy, INT_BASE, 4 * copy.length, r, GROWN_TAG, recvRequest));
                }
                catch (final PeerFailedException ex)
                {
                    continue; // it died after the agreement: a failed member, as on the survivors
                }
                if (!Arrays.equals(copy, 0, 3 + told[1] + told[2], told, 0, 3 + told[1] + told[2]))
                {
                    throw new IllegalStateException(where("joinGrow") + ": world ranks " + from + " and " + r +
                        " told different groups: " + Arrays.toString(told) + " and " + Arrays.toString(copy));
                }
            }
        }
        if (engine.nextContext() > ctx)
        {
            throw new IllegalStateException(where("joinGrow") + ": the survivors' context " + ctx + " is in use " +
                "here: a replacement makes no communicator before it joins");
        }
        engine.contextTaken(ctx);
        final Communicator child = new Communicator(engine, "WORLD.grow", ctx, group);
        child.timeoutNs = timeoutNs;
        return child;
    }

    /**
     * Whether a replacement outside this communicator asked to join ({@link #joinGrow}) and waits for a
     * {@link #grow}: local, cheap enough for every step of a training loop (no progress is driven; the request
     * arrives as other calls drive it). Different members learn of a newcomer at different times: a caller that
     * sees one revokes the communicator so that every member grows at the same point.
     */
    public boolean growPending()
    {
        checkNotClosed();
        final Communicator world = world();
        if (!engine.arrived(1, KNOCK_TAG, -1L, world, world.probeStatus) && world.knocks == null)
        {
            return false;
        }
        world.receiveKnocks();
        for (int r = 0; r < engine.worldSize(); r++)
        {
            if (waitingToJoin(world, r))
            {
                return true;
            }
        }
        return false;
    }

    /** Whether every other world rank is known to have failed or closed its runtime. */
    private boolean nobodyElse()
    {
        for (int r = 0; r < engine.worldSize(); r++)
        {
            if (r != engine.worldRank() && engine.failure(r) == null)
            {
                return false;
            }
        }
        return true;
    }

    /** This rank's incarnation: 0 for the job's first processes, n for the n-th replacement of its world slot. */
    public int incarnation()
    {
        return engine.incarnation(engine.worldRank());
    }

    private Communicator world()
    {
        final Communicator world = engine.communicator(0);
        if (world == null)
        {
            throw new CommunicatorClosedException(where("grow") + ": WORLD is closed");
        }
        return world;
    }

    /** On WORLD: takes the knocks that arrived, keeping the incarnation each names. */
    private void receiveKnocks()
    {
        if (knocks == null)
        {
            knocks = new int[engine.worldSize()];
            Arrays.fill(knocks, -1);
        }
        final int[] knock = new int[1];
        while (engine.arrived(1, KNOCK_TAG, -1L, this, probeStatus))
        {
            final int from = probeStatus.source();
            await(internalRecv(knock, INT_BASE, 4, from, KNOCK_TAG, recvRequest));
            knocks[from] = knock[0];
        }
    }

    /**
     * Whether world rank {@code r} is alive, its present incarnation knocked (an older one's knock is stale), and it
     * is not a member here (or was, as the process it replaced).
     */
    private boolean waitingToJoin(final Communicator world, final int r)
    {
        return world.knocks[r] > 0 && world.knocks[r] == engine.incarnation(r) && engine.failure(r) == null &&
            (rankOfWorld[r] < 0 || incarnationOf[rankOfWorld[r]] != world.knocks[r]);
    }

    /**
     * Acknowledges the failures this rank knows of now (ULFM's MPIX_Comm_failure_ack): afterwards
     * {@link #acknowledgedFailures()} returns them. Local.
     */
    public void failureAck()
    {
        checkNotClosed();
        checkFaultTolerant("failureAck");
        acknowledged = failedNow();
    }

    /**
     * The members whose failure was acknowledged (ULFM's MPIX_Comm_failure_get_acked), by the last
     * {@link #failureAck()} or decided by the last {@link #agree}: comm ranks, ascending.
     */
    public int[] acknowledgedFailures()
    {
        return ranksOf(acknowledged);
    }

    /**
     * The members this rank knows now to have failed (died, closed their runtime, or were replaced by a newer
     * process in their world slot, which a communicator made before does not hold), acknowledged or not (ULFM's
     * MPIX_Comm_get_failed): comm ranks, ascending. Every survivor learns of a member's death within about a second
     * of it while it waits in the runtime (a rank that notices one tells every other).
     */
    public int[] knownFailures()
    {
        return ranksOf(failedNow());
    }

    /**
     * The members this rank knows to have failed (died, or closed their runtime; or replaced, see
     * {@link #incarnationOf}), as a bitmap over comm ranks.
     */
    long[] failedNow()
    {
        final long[] now = new long[(worldOfRank.length + 63) >>> 6];
        for (int r = 0; r < worldOfRank.length; r++)
        {
            if (engine.failure(worldOfRank[r]) != null ||
                (context != 0 && engine.incarnation(worldOfRank[r]) != incarnationOf[r]))
            {
                now[r >>> 6] |= 1L << r;
            }
        }
        return now;
    }

    private static int[] ranksOf(final long[] bits)
    {
        int count = 0;
        for (final long word : bits)
        {
            count += Long.bitCount(word);
        }
        final int[] ranks = new int[count];
        for (int w = 0, i = 0; w < bits.length; w++)
        {
            for (long word = bits[w]; word != 0; word &= word - 1)
            {
                ranks[i++] = 64 * w + Long.numberOfTrailingZeros(word);
            }
        }
        return ranks;
    }

    /** The error of an operation on this communicator once revoked; {@code what} names the operation, or null. */
    CommunicatorRevokedException revokedError(final String what)
    {
        final int revoker = engine.revoker(context);
        final int byRank = rankOfWorld(revoker);
        return new CommunicatorRevokedException(revoker, "rank " + rank + " of " + name + ": " +
            (what == null ? "" : what + ": ") + "communicator " + name + " was revoked by its rank " + byRank +
            " (world rank " + revoker + ")");
    }

    private void checkFaultTolerant(final String op)
    {
        if (!engine.faultTolerant())
        {
            throw new RingfoldException(where(op) + ": fault-tolerant operations are not available over -dev " +
                "native: Open MPI 4.1 has no ULFM (revoke, agree, shrink, failure acknowledgement); use -dev shm/tcp");
        }
    }

    // ------------------------------------------- for collective algorithms, through CommunicatorInternals

    static
    {
        CommunicatorInternals.install(new Internals());
    }

    /**
     * The operations of {@link CommunicatorInternals}: for the layers above the runtime, not part of this API (the
     * package is exported only to Ringfold's modules). Documented there.
     */
    private static final class Internals implements CommunicatorInternals.Access
    {
        @Override
        public Request isendCollective(final Communicator comm, final long address, final int length, final int dest,
            final int tag, final long stamp, final Request into)
        {
            return comm.isendCollective(address, length, dest, tag, stamp, into);
        }

        @Override
        public Request irecvCollective(final Communicator comm, final long address, final int length,
            final int source, final int tag, final Request into)
        {
            return comm.irecvCollective(address, length, source, tag, into);
        }

        @Override
        public boolean arrivedCollective(final Communicator comm, final int tag, final long unlessStamp,
            final Status into)
        {
            return comm.arrivedCollective(tag, unlessStamp, into);
        }

        @Override
        public long stamp(final Request request)
        {
            return request.stamp;
        }

        @Override
        public long stamp(final Status status)
        {
            return status.stamp;
        }

        @Override
        public void checkAlive(final Communicator comm, final int rank, final String what)
        {
            comm.checkAlive(rank, what);
        }

        @Override
        public void addProgressHook(final Communicator comm, final Progressable hook)
        {
            comm.checkOpen();
            comm.engine.addHook(hook);
        }

        @Override
        public void removeProgressHook(final Communicator comm, final Progressable hook)
        {
            comm.engine.removeHook(hook);
        }

        @Override
        public int deadMember(final Communicator comm)
        {
            return comm.deadMember();
        }

        @Override
        public String failureOf(final Communicator comm, final int worldRank)
        {
            return comm.failureOf(worldRank);
        }

        @Override
        public <T extends AutoCloseable> T attached(final Communicator comm, final Object key,
            final java.util.function.Function<Communicator, T> create)
        {
            return comm.attached(key, create);
        }
    }

    /** A send on the collective context, carrying {@code stamp} ({@link CommunicatorInternals#isendCollective}). */
    private Request isendCollective(final long address, final int length, final int dest, final int tag,
        final long stamp, final Request into)
    {
        checkCollective(length, dest, "dest", tag, into);
        return internalSend(null, address, length, worldOfRank[dest], tag, context + 1, into, false, stamp);
    }

    /** Whether a message on the collective context has arrived ({@link CommunicatorInternals#arrivedCollective}). */
    private boolean arrivedCollective(final int tag, final long unlessStamp, final Status into)
    {
        return engine.arrived(context + 1, tag, unlessStamp, this, into);
    }

    /** The receive matching {@link #isendCollective}. */
    private Request irecvCollective(final long address, final int length, final int source, final int tag,
        final Request into)
    {
        checkCollective(length, source, "source", tag, into);
        return internalRecv(null, address, length, worldOfRank[source], tag, into);
    }

    private void checkCollective(final int length, final int peer, final String argument, final int tag,
        final Request into)
    {
        checkOpen();
        checkRank(peer, argument, false);
        if (tag < FIRST_COLLECTIVE_TAG)
        {
            throw new IllegalArgumentException(where("collective message") + ": tag=" + tag + " is below " +
                FIRST_COLLECTIVE_TAG + " (reserved for the runtime)");
        }
        if (length < 0)
        {
            throw new IllegalArgumentException(where("collective message") + ": length=" + length + " must be >= 0");
        }
        checkReusable(into);
    }

    /** Throws if a rank is known to have died or left, or this communicator is revoked (see CommunicatorInternals). */
    private void checkAlive(final int rank, final String what)
    {
        engine.checkPeer(worldOfRank[rank], what);
        if (engine.revoker(context) >= 0)
        {
            throw revokedError(what + " rank " + rank);
        }
    }

    /** Waits, driving progress with the runtime's idle strategy and deadline, until the completion is complete. */
    public void await(final Completion completion)
    {
        checkOpen();
        engine.await(completion, timeoutNs, this);
    }

    /** As {@link #await(Completion)} with a deadline for this wait alone (zero: none). */
    public void await(final Completion completion, final Duration timeout)
    {
        checkOpen();
        engine.await(completion, nanos(timeout), this);
    }

    // ------------------------------------------------------------------------------------------- deadlines

    /**
     * Sets the deadline of every blocking wait on this communicator (and on those split or duplicated from it
     * afterwards); zero for none. The default is RINGFOLD_TIMEOUT_MS. A wait that passes it throws
     * {@link DeadlineExceededException} saying what it waited for, and withdraws what had not started to move.
     */
    public Communicator timeout(final Duration timeout)
    {
        checkOpen();
        timeoutNs = nanos(timeout);
        return this;
    }

    /** The deadline of a blocking wait on this communicator; zero for none. */
    public Duration timeout()
    {
        return Duration.ofNanos(timeoutNs);
    }

    long timeoutNanos()
    {
        return timeoutNs;
    }

    long nanos(final Duration timeout)
    {
        if (timeout == null || timeout.isNegative())
        {
            throw new IllegalArgumentException(where("timeout") + ": " + timeout + " must be a duration >= 0 (zero for none)");
        }
        return timeout.compareTo(Duration.ofDays(365)) > 0 ? 0 : timeout.toNanos();
    }

    /** Drives progress once without waiting (what {@link Request#test()} does). */
    public int progress()
    {
        checkOpen();
        return engine.progress();
    }

    // ---------------------------------------------------------------------------- groups and synchronisation

    /** Returns when every rank of the communicator has entered it (dissemination: ceil(log2 n) rounds). */
    public void barrier()
    {
        checkOpen();
        final int n = size();
        for (int distance = 1; distance < n; distance <<= 1)
        {
            final int to = worldOfRank[(rank + distance) % n];
            final int from = worldOfRank[(rank - distance + n) % n];
            internalRecv(null, 0, 0, from, BARRIER_TAG, recvRequest);
            recvRequest.operation = "barrier"; // a stall or deadline names the call, not its messages
            try
            {
                internalSend(null, 0, 0, to, BARRIER_TAG, sendRequest);
                sendRequest.operation = "barrier";
            }
            catch (final RuntimeException ex)
            {
                withdraw(recvRequest);
                throw ex;
            }
            awaitBoth();
        }
    }

    /** A communicator with the same ranks and a separate context. Collective. */
    public Communicator dup()
    {
        return split(0, rank, ".dup");
    }

    /**
     * Splits into one communicator per color, ranks ordered by key then by rank here. Collective.
     * A rank whose color is {@link #UNDEFINED} takes part but gets null.
     */
    public Communicator split(final int color, final int key)
    {
        return split(color, key, ".split");
    }

    private Communicator split(final int color, final int key, final String kind)
    {
        checkOpen();
        if (color < 0 && color != UNDEFINED)
        {
            throw new IllegalArgumentException(where("split") + ": color " + color + " must be >= 0 or UNDEFINED");
        }
        final int n = size();
        final int[] mine = {color, key, engine.nextContext()};
        final int[] all = new int[3 * n];
        final Request[] sends = new Request[n];
        for (int r = 0; r < n; r++)
        {
            if (r != rank)
            {
                sends[r] = internalSend(mine, INT_BASE, 12, worldOfRank[r], SPLIT_TAG, new Request());
            }
        }
        System.arraycopy(mine, 0, all, 3 * rank, 3);
        for (int r = 0; r < n; r++)
        {
            if (r != rank)
            {
                await(internalRecv(all, INT_BASE + 12L * r, 12, worldOfRank[r], SPLIT_TAG, recvRequest));
            }
        }
        Request.waitAll(sends);
        int ctx = 0;
        for (int r = 0; r < n; r++)
        {
            ctx = Math.max(ctx, all[3 * r + 2]);
        }
        engine.contextTaken(ctx);
        final int childNumber = ++children;
        if (color == UNDEFINED)
        {
            return null;
        }
        final Integer[] members = java.util.stream.IntStream.range(0, n).filter(r -> all[3 * r] == color)
            .boxed().toArray(Integer[]::new);
        Arrays.sort(members, (a, b) -> all[3 * a + 1] != all[3 * b + 1] ?
            Integer.compare(all[3 * a + 1], all[3 * b + 1]) : Integer.compare(a, b));
        final int[] world = new int[members.length];
        for (int i = 0; i < members.length; i++)
        {
            world[i] = worldOfRank[members[i]];
        }
        final Communicator child = new Communicator(engine,
            name + kind + childNumber + (kind.equals(".dup") ? "" : "(color " + color + ")"), ctx, world);
        child.timeoutNs = timeoutNs;
        return child;
    }

    /**
     * One communicator of this communicator's ranks and another, disjoint group's: the two sides of an MPI
     * inter-communicator, which carries its point-to-point messages. Collective over both groups: the leaders
     * (localLeader here, remoteLeader of peer) exchange their groups and agree on a context through peer, with tag;
     * the group holding the lower world rank comes first, each in its own rank order.
     */
    public Communicator joinGroup(final Communicator peer, final int localLeader, final int remoteLeader,
        final int tag)
    {
        checkOpen();
        checkRank(localLeader, "localLeader", false);
        final int n = size();
        final int leader = worldOfRank[localLeader];
        final int[] header = {engine.nextContext(), 0}; // a context free on every member, the remote group's size
        int[] remote;
        if (rank == localLeader)
        {
            final int[] proposal = new int[1];
            for (int r = 0; r < n; r++)
            {
                if (r != rank)
                {
                    await(internalRecv(proposal, INT_BASE, 4, worldOfRank[r], JOIN_TAG, recvRequest));
                    header[0] = Math.max(header[0], proposal[0]);
                }
            }
            final int[] theirs = new int[2];
            final Request sent = peer.isend(new int[] {header[0], n}, 0, 2, remoteLeader, tag);
            peer.recv(theirs, 0, 2, remoteLeader, tag);
            sent.await();
            remote = new int[theirs[1]];
            final Request sentGroup = peer.isend(worldOfRank, 0, n, remoteLeader, tag);
            peer.recv(remote, 0, remote.length, remoteLeader, tag);
            sentGroup.await();
            header[0] = Math.max(header[0], theirs[0]);
            header[1] = remote.length;
            for (int r = 0; r < n; r++)
            {
                if (r != rank)
                {
                    await(internalSend(header, INT_BASE, 8, worldOfRank[r], JOIN_TAG, new Request()));
                    await(internalSend(remote, INT_BASE, 4 * remote.length, worldOfRank[r], JOIN_TAG,
                        new Request()));
                }
            }
        }
        else
        {
            await(internalSend(header, INT_BASE, 4, leader, JOIN_TAG, new Request()));
            await(internalRecv(header, INT_BASE, 8, leader, JOIN_TAG, recvRequest));
            remote = new int[header[1]];
            await(internalRecv(remote, INT_BASE, 4 * remote.length, leader, JOIN_TAG, recvRequest));
        }
        engine.contextTaken(header[0]);
        final int childNumber = ++children;
        final boolean localFirst = Arrays.stream(worldOfRank).min().orElseThrow() <
            Arrays.stream(remote).min().orElseThrow();
        final int[] first = localFirst ? worldOfRank : remote;
        final int[] second = localFirst ? remote : worldOfRank;
        final int[] world = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, world, first.length, second.length);
        final Communicator child = new Communicator(engine, name + ".join" + childNumber, header[0], world);
        child.timeoutNs = timeoutNs;
        return child;
    }

    /**
     * The state a layer above the runtime keeps for this communicator under {@code key}, made on first use and
     * closed by {@link #close()}, the last made first ({@link CommunicatorInternals#attached}).
     */
    private <T extends AutoCloseable> T attached(final Object key, final java.util.function.Function<Communicator, T> create)
    {
        synchronized (attached)
        {
            checkOpen();
            @SuppressWarnings("unchecked") T state = (T)attached.get(key);
            if (state == null)
            {
                state = create.apply(this);
                attached.put(key, state);
            }
            return state;
        }
    }

    /**
     * Frees this communicator: closes the state the layers above attached to it (its collectives' algorithms and
     * node regions, say), the last made first; further
     * calls on it fail. Closing it again does nothing. The world communicator is closed by Ringfold.close().
     */
    @Override
    public void close()
    {
        final AutoCloseable[] states;
        synchronized (attached)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            states = attached.values().toArray(new AutoCloseable[0]);
            attached.clear();
        }
        engine.deregister(this);
        RuntimeException failure = null;
        for (int i = states.length - 1; i >= 0; i--)
        {
            try
            {
                states[i].close();
            }
            catch (final Exception ex)
            {
                if (failure == null)
                {
                    failure = new IllegalStateException(where("close") + ": releasing " + states[i] + " failed", ex);
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    public boolean isClosed()
    {
        return closed || engine.isClosed();
    }

    // -------------------------------------------------------------------------------------------- internals

    private Request startSend(final Object base, final long address, final int length, final int dest, final int tag,
        final Request r)
    {
        return startSend(base, address, length, dest, tag, r, false);
    }

    private Request startSend(final Object base, final long address, final int length, final int dest, final int tag,
        final Request r, final boolean synchronous)
    {
        checkOpen();
        checkPeer(dest, "dest");
        checkTag(tag, false);
        checkReusable(r);
        if (dest == PROC_NULL)
        {
            return completeWithNothing(r, true, tag);
        }
        return internalSend(base, address, length, worldOfRank[dest], tag, context, r, synchronous);
    }

    private Request startRecv(final Object base, final long address, final int length, final int source, final int tag,
        final Request r)
    {
        checkOpen();
        checkSource(source);
        checkTag(tag, true);
        checkReusable(r);
        if (source == PROC_NULL)
        {
            return completeWithNothing(r, false, tag);
        }
        return internalRecv(base, address, length, worldOf(source), tag, context, r);
    }

    /** A send to or a receive from PROC_NULL: complete at once, nothing moved, the engine never sees it. */
    private Request completeWithNothing(final Request r, final boolean isSend, final int tag)
    {
        r.isSend = isSend;
        r.synchronous = false;
        r.comm = this;
        r.ctx = context;
        r.peer = PROC_NULL;
        r.tag = tag;
        r.base = null;
        r.address = 0;
        r.length = 0;
        r.error = null;
        r.status.set(PROC_NULL, isSend ? tag : ANY_TAG, 0);
        r.state = Request.DONE;
        return r;
    }

    private Request internalSend(final Object base, final long address, final int length, final int worldDest,
        final int tag, final Request r)
    {
        return internalSend(base, address, length, worldDest, tag, context + 1, r);
    }

    private Request internalRecv(final Object base, final long address, final int length, final int worldSource,
        final int tag, final Request r)
    {
        return internalRecv(base, address, length, worldSource, tag, context + 1, r);
    }

    private Request internalSend(final Object base, final long address, final int length, final int worldDest,
        final int tag, final int ctx, final Request r)
    {
        return internalSend(base, address, length, worldDest, tag, ctx, r, false);
    }

    private Request internalSend(final Object base, final long address, final int length, final int worldDest,
        final int tag, final int ctx, final Request r, final boolean synchronous)
    {
        return internalSend(base, address, length, worldDest, tag, ctx, r, synchronous, 0L);
    }

    private Request internalSend(final Object base, final long address, final int length, final int worldDest,
        final int tag, final int ctx, final Request r, final boolean synchronous, final long stamp)
    {
        r.stamp = stamp;
        r.isSend = true;
        r.synchronous = synchronous;
        r.comm = this;
        r.ctx = ctx;
        r.peer = worldDest;
        r.tag = tag;
        r.base = base;
        r.address = address;
        r.length = length;
        engine.start(r);
        return r;
    }

    private Request internalRecv(final Object base, final long address, final int length, final int worldSource,
        final int tag, final int ctx, final Request r)
    {
        r.isSend = false;
        r.comm = this;
        r.ctx = ctx;
        r.peer = worldSource;
        r.tag = tag;
        r.base = base;
        r.address = address;
        r.length = length;
        engine.start(r);
        return r;
    }

    private Status await(final Request r)
    {
        try
        {
            if (r.state == Request.PENDING)
            {
                engine.await(r, timeoutNs);
            }
        }
        catch (final RuntimeException ex)
        {
            withdraw(r);
            throw ex;
        }
        r.state = Request.IDLE;
        r.throwIfFailed();
        return r.status;
    }

    private void awaitBoth()
    {
        try
        {
            Request.waitAll(sendRequest, recvRequest);
        }
        catch (final RuntimeException ex)
        {
            withdraw(sendRequest);
            withdraw(recvRequest);
            throw ex;
        }
        sendRequest.state = Request.IDLE;
        recvRequest.state = Request.IDLE;
    }

    /** The world rank of a member that died (failed without closing), or -1 (see CommunicatorInternals). */
    int deadMember()
    {
        for (final int world : worldOfRank)
        {
            if (engine.died(world))
            {
                return world;
            }
        }
        return -1;
    }

    /** Why a world rank is known to have failed ("process 123 has exited"), or null. */
    String failureOf(final int worldRank)
    {
        return engine.failure(worldRank);
    }

    /** After a failed blocking call: withdraw its request; afterwards nothing touches the caller's buffer. */
    private void withdraw(final Request r)
    {
        if (r.state == Request.PENDING)
        {
            engine.withdraw(r);
        }
    }

    private int worldOf(final int source)
    {
        return source == ANY_SOURCE ? Engine.ANY : worldOfRank[source];
    }

    /** Not closed and not revoked: what every operation but the fault-tolerant ones needs. */
    private void checkOpen()
    {
        checkNotClosed();
        final int revoker = engine.revoker(context);
        if (revoker >= 0)
        {
            throw revokedError(null);
        }
    }

    private void checkNotClosed()
    {
        if (closed)
        {
            throw new CommunicatorClosedException("rank " + rank + ": communicator " + name + " has been closed");
        }
        if (engine.isClosed())
        {
            throw new CommunicatorClosedException("rank " + rank + ": the Ringfold runtime has been closed; " + name +
                " can no longer be used");
        }
    }

    private String where(final String op)
    {
        return "rank " + rank + " of " + name + ": " + op;
    }

    private void checkPeer(final int dest, final String argument)
    {
        if (dest != PROC_NULL && (dest < 0 || dest >= worldOfRank.length))
        {
            throw new IllegalArgumentException("rank " + rank + " of " + name + ": " + argument + "=" + dest +
                " is outside [0, " + worldOfRank.length + ") and is not PROC_NULL");
        }
    }

    private void checkSource(final int source)
    {
        if (source != PROC_NULL && source != ANY_SOURCE && (source < 0 || source >= worldOfRank.length))
        {
            throw new IllegalArgumentException("rank " + rank + " of " + name + ": source=" + source +
                " is outside [0, " + worldOfRank.length + ") and is not ANY_SOURCE or PROC_NULL");
        }
    }

    private void checkRank(final int r, final String argument, final boolean anyAllowed)
    {
        if ((r < 0 || r >= worldOfRank.length) && !(anyAllowed && r == ANY_SOURCE))
        {
            throw new IllegalArgumentException("rank " + rank + " of " + name + ": " + argument + "=" + r +
                " is outside [0, " + worldOfRank.length + ")" + (anyAllowed ? " and is not ANY_SOURCE" : ""));
        }
    }

    private void checkTag(final int tag, final boolean anyAllowed)
    {
        if (tag < 0 && !(anyAllowed && tag == ANY_TAG))
        {
            throw new IllegalArgumentException("rank " + rank + " of " + name + ": tag=" + tag + " must be >= 0" +
                (anyAllowed ? " or ANY_TAG" : ""));
        }
    }

    private void checkReusable(final Request r)
    {
        if (r.state == Request.PENDING)
        {
            throw new IllegalStateException(where("reuse") + ": the request " + r + " is still in flight");
        }
    }

    private void checkNotNull(final Object buffer, final String op)
    {
        if (buffer == null)
        {
            throw new NullPointerException(where(op) + ": the buffer is null");
        }
    }

    private void checkRegion(final DirectBuffer buffer, final int offset, final int length, final String op)
    {
        checkNotNull(buffer, op);
        if (length < 0)
        {
            throw new IllegalArgumentException(where(op) + ": length=" + length + " must be >= 0");
        }
        if (offset < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IndexOutOfBoundsException(where(op) + ": offset=" + offset + " length=" + length +
                " does not fit a buffer of capacity " + buffer.capacity());
        }
    }

    private void checkArray(final Object array, final int arrayLength, final int offset, final int count, final String op)
    {
        checkNotNull(array, op);
        if (count < 0)
        {
            throw new IllegalArgumentException(where(op) + ": count=" + count + " must be >= 0");
        }
        if (offset < 0 || (long)offset + count > arrayLength)
        {
            throw new IndexOutOfBoundsException(where(op) + ": offset=" + offset + " count=" + count +
                " does not fit an array of length " + arrayLength);
        }
    }

    private int segmentLength(final MemorySegment segment, final String op)
    {
        if (segment.byteSize() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(where(op) + ": segment of " + segment.byteSize() +
                " bytes exceeds the largest message (" + Integer.MAX_VALUE + " bytes)");
        }
        return (int)segment.byteSize();
    }

    private Object segmentBase(final MemorySegment segment)
    {
        if (segment.isNative())
        {
            return null;
        }
        return segment.heapBase().orElseThrow(() -> new IllegalArgumentException(where("send") +
            ": a read-only heap MemorySegment hides its array; send a writable or a native segment"));
    }

    private long segmentAddress(final MemorySegment segment)
    {
        if (segment.isNative())
        {
            return segment.address();
        }
        return UnsafeApi.arrayBaseOffset(segmentBase(segment).getClass()) + segment.address();
    }

    private int bytes(final int count, final int shift)
    {
        final long bytes = (long)count << shift;
        if (bytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(where("message") + ": " + count + " elements are " + bytes +
                " bytes, more than the largest message (" + Integer.MAX_VALUE + " bytes)");
        }
        return (int)bytes;
    }

    @Override
    public String toString()
    {
        return name + "{rank=" + rank + ", size=" + size() + "}";
    }
}
