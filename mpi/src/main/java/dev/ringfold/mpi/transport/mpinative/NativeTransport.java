package dev.ringfold.mpi.transport.mpinative;

import dev.ringfold.mpi.RingfoldException;
import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import dev.ringfold.mpi.transport.Transport;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The native device: Ringfold's frames carried by the site's MPI library, called through the FFM API. MPI is
 * initialised here and finalised in {@link #close()}. Two duplicates of MPI_COMM_WORLD keep this transport's
 * traffic apart from anything else in the process: on the frame communicator every frame is one message tagged
 * with its length, received into a ring of persistent any-source receives that are tested in posting order (the
 * order MPI matches them in, so each peer's frames arrive in the order they were sent); on the bulk communicator
 * large off-heap messages move by address (see {@link Channel#sendByAddress}), tagged with the receiver's
 * request id, so MPI copies them straight from the sender's buffer into the receiver's.
 *
 * <p>Threading: asks for MPI_THREAD_MULTIPLE (or what {@code RINGFOLD_MPI_THREAD} names). The engine drives a
 * rank from one thread at a time, so SERIALIZED is all it needs; where the library gives only FUNNELED or SINGLE,
 * every MPI call must come from the thread that initialised it, and a call from another thread fails clearly.
 * Liveness is the MPI launcher's job: it ends the whole job when a rank dies.
 */
public final class NativeTransport implements Transport
{
    /** The largest frame: eager messages up to 32 KiB by default, DATA fragments for on-heap arrays. */
    public static final int MAX_FRAME = 64 * 1024;
    public static final String THREAD_VARIABLE = "RINGFOLD_MPI_THREAD";
    private static final int RECEIVES = 16;
    private static final int SEND_RING_BYTES = 512 * 1024;
    private static final int SENDS_IN_FLIGHT = 256;

    private final Arena arena = Arena.ofShared();
    private final String library;
    private final int rank;
    private final int size;
    private final int threadLevel;
    private final Thread onlyThread;
    private final MemorySegment frameComm;
    private final MemorySegment bulkComm;
    private final NativeChannel[] channels;
    private final UnsafeBuffer[] inbound = new UnsafeBuffer[RECEIVES];
    private final long receiveRequests;
    private final MemorySegment flag;
    private final long status;
    private final UnsafeBuffer statusView;
    private int nextReceive;

    private MemorySegment moveRequests;
    private int[] moveIds = new int[64];
    private int moves;
    private boolean closed;

    private NativeTransport(final String library, final int threadLevel)
    {
        this.library = library;
        this.threadLevel = threadLevel;
        this.onlyThread = threadLevel < Mpi.THREAD_SERIALIZED ? Thread.currentThread() : null;
        this.rank = Mpi.commRank(Mpi.COMM_WORLD);
        this.size = Mpi.commSize(Mpi.COMM_WORLD);
        this.frameComm = Mpi.commDup(Mpi.COMM_WORLD);
        this.bulkComm = Mpi.commDup(Mpi.COMM_WORLD);
        this.flag = arena.allocate(JAVA_INT);
        this.status = arena.allocate(Mpi.STATUS_BYTES, 8).address();
        this.statusView = new UnsafeBuffer(status, Mpi.STATUS_BYTES);
        this.moveRequests = arena.allocate((long)moveIds.length * Mpi.HANDLE_BYTES, 8);
        this.channels = new NativeChannel[size];
        for (int peer = 0; peer < size; peer++)
        {
            channels[peer] = new NativeChannel(this, peer, frameComm.address(), arena.allocate(SEND_RING_BYTES, 64),
                arena.allocate((long)SENDS_IN_FLIGHT * Mpi.HANDLE_BYTES, 8), MAX_FRAME, flag);
        }
        final MemorySegment requests = arena.allocate((long)RECEIVES * Mpi.HANDLE_BYTES, 8);
        this.receiveRequests = requests.address();
        for (int i = 0; i < RECEIVES; i++)
        {
            final MemorySegment buffer = arena.allocate(MAX_FRAME, 64);
            inbound[i] = new UnsafeBuffer(buffer.address(), MAX_FRAME);
            final long request = receiveRequests + (long)i * Mpi.HANDLE_BYTES;
            Mpi.recvInit(buffer.address(), MAX_FRAME, Mpi.ANY_SOURCE, Mpi.ANY_TAG, frameComm.address(), request);
            Mpi.start(request);
        }
    }

    /**
     * Loads the MPI library ({@link MpiLibrary}), initialises it and sets up this rank's paths. Ranks must have been
     * started by the MPI library's launcher (mpirun, or srun with its PMI plugin).
     */
    public static NativeTransport start(final Map<String, String> env)
    {
        final MpiLibrary library = MpiLibrary.load(env);
        final int required = requiredLevel(env.getOrDefault(THREAD_VARIABLE, "multiple"));
        final int provided = Mpi.initThread(required);
        return new NativeTransport(library.name(), provided);
    }

    private static int requiredLevel(final String name)
    {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT))
        {
            case "multiple" -> Mpi.THREAD_MULTIPLE;
            case "serialized" -> Mpi.THREAD_SERIALIZED;
            case "funneled" -> Mpi.THREAD_FUNNELED;
            case "single" -> Mpi.THREAD_SINGLE;
            default -> throw new IllegalArgumentException(THREAD_VARIABLE + "='" + name +
                "' is not one of multiple, serialized, funneled, single");
        };
    }

    public int rank()
    {
        return rank;
    }

    public int size()
    {
        return size;
    }

    /** The library in use, as found. */
    public String library()
    {
        return library;
    }

    /** The thread level MPI provides: 0 single, 1 funneled, 2 serialized, 3 multiple. */
    public int threadLevel()
    {
        return threadLevel;
    }

    /** Every rank's {@code mine} (at most {@code maxBytes} each), in rank order: for the start-up exchange. */
    public byte[][] allGather(final byte[] mine, final int maxBytes)
    {
        if (mine.length > maxBytes - 4)
        {
            throw new IllegalArgumentException("rank " + rank + ": " + mine.length + " bytes do not fit " + maxBytes);
        }
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment send = scratch.allocate(maxBytes);
            send.set(JAVA_INT, 0, mine.length);
            MemorySegment.copy(mine, 0, send, java.lang.foreign.ValueLayout.JAVA_BYTE, 4, mine.length);
            final MemorySegment all = scratch.allocate((long)maxBytes * size);
            Mpi.allGather(send, maxBytes, all, Mpi.COMM_WORLD);
            final byte[][] blobs = new byte[size][];
            for (int r = 0; r < size; r++)
            {
                final long at = (long)r * maxBytes;
                blobs[r] = all.asSlice(at + 4, all.get(JAVA_INT, at)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            }
            return blobs;
        }
    }

    @Override
    public Channel channel(final int peer)
    {
        return peer >= 0 && peer < size ? channels[peer] : null;
    }

    @Override
    public int poll(final FrameHandler handler, final int limit)
    {
        checkThread();
        int work = 0;
        for (int i = moves - 1; i >= 0; i--)
        {
            if (Mpi.test(moveRequest(i), flag, 0L))
            {
                final int id = moveIds[i];
                removeMove(i);
                handler.onMovedByAddress(id);
                work++;
            }
        }
        int frames = 0;
        while (frames < limit)
        {
            final long request = receiveRequests + (long)nextReceive * Mpi.HANDLE_BYTES;
            if (!Mpi.test(request, flag, status))
            {
                break;
            }
            final int source = statusView.getInt(Mpi.STATUS_SOURCE_OFFSET);
            final int length = statusView.getInt(Mpi.STATUS_TAG_OFFSET); // the tag is the frame's length
            handler.onFrame(source, inbound[nextReceive], 0, length);
            Mpi.start(request);
            nextReceive = nextReceive + 1 == RECEIVES ? 0 : nextReceive + 1;
            frames++;
        }
        return work + frames;
    }

    @Override
    public void checkLiveness(final FrameHandler handler)
    {
        // the MPI launcher ends the job when a rank dies; nothing to look at here
    }

    void checkThread()
    {
        if (onlyThread != null && Thread.currentThread() != onlyThread)
        {
            throw new RingfoldException("rank " + rank + ": " + library + " provides MPI thread level " + threadLevel +
                " (below SERIALIZED), so only thread '" + onlyThread.getName() + "', which initialised it, may use " +
                "the native device; called from '" + Thread.currentThread().getName() + "'");
        }
    }

    void startMove(final boolean send, final long address, final int length, final int peer, final int tag,
        final int id)
    {
        checkThread();
        if (moves == moveIds.length)
        {
            final MemorySegment larger = arena.allocate(moveRequests.byteSize() * 2, 8);
            larger.copyFrom(moveRequests);
            moveRequests = larger;
            moveIds = java.util.Arrays.copyOf(moveIds, moveIds.length * 2);
        }
        final long request = moveRequest(moves);
        if (send)
        {
            Mpi.isend(address, length, peer, tag, bulkComm.address(), request);
        }
        else
        {
            Mpi.irecv(address, length, peer, tag, bulkComm.address(), request);
        }
        moveIds[moves++] = id;
    }

    private long moveRequest(final int index)
    {
        return moveRequests.address() + (long)index * Mpi.HANDLE_BYTES;
    }

    private void removeMove(final int index)
    {
        final int last = --moves;
        if (index != last)
        {
            moveRequests.set(java.lang.foreign.ValueLayout.JAVA_LONG, (long)index * Mpi.HANDLE_BYTES,
                moveRequests.get(java.lang.foreign.ValueLayout.JAVA_LONG, (long)last * Mpi.HANDLE_BYTES));
            moveIds[index] = moveIds[last];
        }
    }

    /** Withdraws the posted receives, gives back what is in flight, frees the communicators and finalises MPI. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int i = 0; i < RECEIVES; i++)
        {
            final long request = receiveRequests + (long)i * Mpi.HANDLE_BYTES;
            Mpi.cancel(request);
            Mpi.await(request);
            Mpi.requestFree(request);
        }
        for (final NativeChannel channel : channels)
        {
            channel.abandonInFlight();
        }
        for (int i = moves - 1; i >= 0; i--)
        {
            if (!Mpi.test(moveRequest(i), flag, 0L))
            {
                Mpi.requestFree(moveRequest(i)); // its owner has failed or been abandoned: MPI may finish it alone
            }
        }
        moves = 0;
        Mpi.commFree(bulkComm);
        Mpi.commFree(frameComm);
        if (!Mpi.finalized())
        {
            Mpi.finalizeLibrary();
        }
        arena.close();
    }
}
