package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.RuntimeSettings;
import dev.ringfold.mpi.CommunicatorClosedException;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.internal.CommunicatorInternals;
import dev.ringfold.mpi.auth.KernelRandom;
import dev.ringfold.mpi.internal.CooperativeCopy;
import dev.ringfold.mpi.internal.CrossMemory;
import dev.ringfold.tensors.PeerSharedFiles;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node-shared region the shared-memory collectives of one communicator (all of whose ranks share a node) work
 * in, mapped once and reused by every call. Rank 0 creates the file, sends its name, every rank maps it, and after
 * a barrier rank 0 removes the name: from then on nothing is left in /dev/shm even if ranks are killed, and the
 * memory goes with the last mapping (the same unlink-after-map as the transport's ring files).
 *
 * <p>Layout: a page of counters, one slot per rank of three cache lines (ARRIVED, REDUCED, RELEASED), each line
 * written only by its rank with ordered stores and read by the others with volatile loads, and a fourth line that
 * the rank and a broadcast's root claim pieces from ({@link #copyTogetherLine}); then two chunk buffers
 * per rank ({@link #chunkBytes()} each). Chunks are numbered across calls; chunk g uses buffer {@code g & 1}, and
 * after a rank has finished its part of chunk g every one of its counters reads at least g + 1. A rank may write its
 * buffer for chunk g once every rank's RELEASED reads g - 1 or more (all are done with chunk g - 2, the buffer's
 * previous use).
 *
 * <p>Collectives in flight at once (non-blocking) take turns on the region in call order, which is the same on every
 * rank. {@link #close()} (the communicator's close) unmaps the region. A collective that failed leaves the counters out of step between ranks: the communicator's shared-memory
 * collectives are not usable after a failure (a dead peer, a deadline), as MPI leaves a communicator after an error.
 */
final class NodeScratch implements AutoCloseable
{
    static final int ARRIVED = 0;
    static final int REDUCED = 64;
    static final int RELEASED = 128;
    /**
     * In ARRIVED's line (same writer): whether the rank's operands of a call are node-shared (see publishIntent), one
     * word per parity of the call's first chunk, so that a rank that has gone on to its next call cannot overwrite
     * an intent a slower peer has still to read (it reuses the word only at a chunk whose buffer it may write, when
     * every rank is done with this one).
     */
    private static final int INTENT = 8;
    /**
     * In ARRIVED's line too, beside the intent and per parity in the same way: the stamp of the call
     * ({@link Call#stamp()}), written before the intent is released, so that ranks which called different
     * collectives find out at the call's first hand-off instead of hanging or mixing chunks.
     */
    private static final int STAMP = 24;
    /**
     * In ARRIVED's line too: how far this rank has written its buffers, as a position in the stream of chunks
     * ({@code g * chunkBytes() + bytes written of chunk g}), so that a reader can copy the first part of a chunk
     * while the writer is still filling the rest (see {@link #publishProgress}).
     */
    private static final int PROGRESS = 40;
    /**
     * In ARRIVED's line too: {@code (g + 1) << 1 | refused}, a reader asking the root of the broadcast whose first
     * chunk is g to stage its message after all instead of having it pulled ({@link #askToStage}); the low bit says
     * the reader can never pull (cross-memory attach not permitted), for the root's later choices.
     */
    private static final int STAGE_REQUEST = 48;
    /** An intent ({@link #publishIntent}): the rank's operands are private and go through the chunk buffers. */
    static final int STAGED = 0;
    /** An intent: the rank's operands are node-shared; where they are is in its buffer for the call's first chunk. */
    static final int NODE_SHARED = 1;
    /**
     * An intent of a broadcast's root: its message is private off-heap memory, to be pulled from its process with
     * cross-memory attach; its pid and the message's address are in its buffer for the call's first chunk.
     */
    static final int PULL = 2;
    /**
     * The rank's line for pulling a broadcast together with its root: {@link CooperativeCopy}'s words, then where
     * the reader's memory is and its pid, written by the reader before it opens the copy.
     */
    private static final int COPY_TOGETHER = 192;
    static final int COPY_TOGETHER_ADDRESS = 24;
    static final int COPY_TOGETHER_PID = 32;
    private static final int SLOT_BYTES = 256;
    private static final int NAME_BYTES = 256;
    private static final long MAGIC = 0x5246434F4C4C4543L; // "RFCOLLEC"
    private static final int MAGIC_OFFSET = 0;
    private static final int RANKS_OFFSET = 8;
    private static final int CHUNK_OFFSET = 16;
    private static final int FIRST_SLOT = 64;
    private static final AtomicLong SEQUENCE = new AtomicLong();

    static final long CHUNK_BYTES = 256 * 1024;
    static final long OVERSUBSCRIBED_CHUNK_BYTES = 1 << 20;

    private final Communicator comm;
    private final MappedByteBuffer mapped; // unmapped by close(), or when collected if in use then
    private final UnsafeBuffer control;
    private final long data;
    private final long chunk;
    private final int rank;
    private final int size;
    /** Collectives in flight on the region take turns in call order. */
    final CallOrder order = new CallOrder();
    private long nextChunk;
    private RuntimeException broken;
    private PeerSharedFiles peerFiles;
    private CrossMemory crossMemory;
    /** Whether this process has let its peers read it (see {@link CrossMemory#allowPeers()}). */
    private boolean readable;
    /** Whether this rank has pulled a broadcast from a root alone: only then does it ask the root to help. */
    boolean pulledAlone;
    private final UnsafeBuffer[] copyTogether;

    private NodeScratch(final Communicator comm, final MappedByteBuffer mapped, final long chunk)
    {
        this.comm = comm;
        this.mapped = mapped;
        this.rank = comm.rank();
        this.size = comm.size();
        this.chunk = chunk;
        final long controlBytes = controlBytes(size);
        this.control = new UnsafeBuffer(BufferUtil.address(mapped), (int)controlBytes);
        this.data = BufferUtil.address(mapped) + controlBytes;
        this.copyTogether = new UnsafeBuffer[size];
        for (int r = 0; r < size; r++)
        {
            copyTogether[r] = new UnsafeBuffer(control, FIRST_SLOT + r * SLOT_BYTES + COPY_TOGETHER, 64);
        }
    }

    /**
     * The per-rank chunk buffer: 256 KiB, or 1 MiB where the communicator has more ranks than the node has CPUs.
     * Every chunk is two hand-offs among all ranks, and oversubscribed a hand-off waits for a descheduled rank's
     * next time slice, so fewer, larger chunks win there (np 4 on 2 cores, seven alternating pairs: faster in 7 of 7
     * at 16 MiB, 6 of 7 at 1 and 64 MiB; docs/collectives.md has the command); with a core per rank the smaller
     * chunk keeps the buffers in cache.
     * RINGFOLD_SHM_CHUNK_BYTES ({@code configured}, 0 when not set) overrides; every rank must see the same value.
     */
    static long chunkBytes(final long configured, final int ranks)
    {
        if (configured > 0)
        {
            return configured;
        }
        return ranks > Runtime.getRuntime().availableProcessors() ? OVERSUBSCRIBED_CHUNK_BYTES : CHUNK_BYTES;
    }

    private static long controlBytes(final int size)
    {
        return (FIRST_SLOT + (long)size * SLOT_BYTES + 4095) & ~4095L;
    }

    private static long fileBytes(final int size, final long chunk)
    {
        return controlBytes(size) + 2L * size * chunk;
    }

    /**
     * Collective over {@code comm} (every rank on one node): creates and maps the region. {@code tag} is a collective
     * tag of the calling sequence, used for the file's name.
     */
    static NodeScratch map(final Communicator comm, final int tag)
    {
        final ByteBuffer name = BufferUtil.allocateDirectAligned(NAME_BYTES, 64);
        final long nameAddress = BufferUtil.address(name);
        final RuntimeSettings settings = comm.settings();
        final Path dir = settings.shmDir();
        final long chunk = chunkBytes(settings.collectives().shmChunkBytes(), comm.size());
        final long length = fileBytes(comm.size(), chunk);
        Path path = null;
        MappedByteBuffer mapped = null;
        RuntimeException failure = null;
        if (comm.rank() == 0)
        {
            path = dir.resolve("ringfold-" + settings.jobId().replaceAll("[^A-Za-z0-9_.-]", "") + "-coll" +
                ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-" +
                KernelRandom.nameSuffix()); // a name no one can take first
            try
            {
                mapped = create(path, length, comm.size(), chunk);
                final byte[] bytes = path.getFileName().toString().getBytes(StandardCharsets.US_ASCII);
                name.put(0, bytes);
            }
            catch (final RuntimeException ex)
            {
                failure = ex; // the others get an empty name and fail too, instead of waiting for one
            }
            final Request[] sends = new Request[comm.size()];
            for (int r = 1; r < comm.size(); r++)
            {
                sends[r] = CommunicatorInternals.isendCollective(comm, nameAddress, NAME_BYTES, r, tag, new Request());
            }
            for (int r = 1; r < comm.size(); r++)
            {
                sends[r].await();
            }
        }
        else
        {
            final Request recv =
                CommunicatorInternals.irecvCollective(comm, nameAddress, NAME_BYTES, 0, tag, new Request());
            recv.await();
            int end = 0;
            while (end < NAME_BYTES && name.get(end) != 0)
            {
                end++;
            }
            final byte[] bytes = new byte[end];
            name.get(0, bytes);
            try
            {
                if (end == 0)
                {
                    throw new IllegalStateException("rank 0 of " + comm.name() +
                        " could not create the shared-memory collectives' region");
                }
                path = dir.resolve(new String(bytes, StandardCharsets.US_ASCII));
                mapped = open(path, length);
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
        }
        comm.barrier(); // everyone has mapped it (or failed): the name can go
        // the transfers above read and write the name by its address: the buffer must outlive them, and rank 0 uses
        // it last before its sends (a collection there frees the memory its queued send still reads)
        java.lang.ref.Reference.reachabilityFence(name);
        if (comm.rank() == 0 && path != null)
        {
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException ignore)
            {
            }
        }
        if (failure != null)
        {
            if (mapped != null)
            {
                IoUtil.unmap(mapped);
            }
            throw new IllegalStateException("rank " + comm.rank() + " of " + comm.name() +
                ": shared-memory collectives: " + failure.getMessage(), failure);
        }
        return new NodeScratch(comm, mapped, chunk);
    }

    private static MappedByteBuffer create(final Path path, final long length, final int ranks, final long chunk)
    {
        boolean created = false;
        try
        {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            created = true;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                final MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
                final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, FIRST_SLOT);
                header.putInt(RANKS_OFFSET, ranks);
                header.putLong(CHUNK_OFFSET, chunk);
                header.putLongVolatile(MAGIC_OFFSET, MAGIC);
                return mapped;
            }
        }
        catch (final IOException ex)
        {
            try
            {
                if (created) // a file of that name made by someone else is not ours to remove
                {
                    Files.deleteIfExists(path);
                }
            }
            catch (final IOException ignore)
            {
            }
            throw new UncheckedIOException("cannot create " + path + " (" + length + " bytes): " + ex.getMessage(), ex);
        }
    }

    private static MappedByteBuffer open(final Path path, final long length)
    {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (ch.size() != length)
            {
                throw new IllegalStateException(path + " has " + ch.size() + " bytes, expected " + length +
                    " (ranks with different RINGFOLD_SHM_CHUNK_BYTES, or seeing different CPU counts?)");
            }
            final MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
            if (new UnsafeBuffer(mapped, 0, FIRST_SLOT).getLongVolatile(MAGIC_OFFSET) != MAGIC)
            {
                IoUtil.unmap(mapped);
                throw new IllegalStateException(path + " is not a collectives region");
            }
            return mapped;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map " + path + ": " + ex.getMessage(), ex);
        }
    }

    long chunkBytes()
    {
        return chunk;
    }

    /** Where rank {@code r} keeps chunk {@code g}. */
    long buffer(final int r, final long g)
    {
        return data + (2L * r + (g & 1)) * chunk;
    }

    /** This rank has finished a step of chunk {@code g}: {@code counter} now reads g + 1 for the others. */
    void publish(final int counter, final long g)
    {
        control.putLongRelease(FIRST_SLOT + rank * SLOT_BYTES + counter, g + 1);
    }

    /**
     * This rank has written the first {@code bytes} of its buffer for chunk {@code g}: released, so that a reader
     * that sees the position sees the bytes. Call it only once {@link #free}(g) holds; ARRIVED for g, published
     * after the whole chunk, implies the position too.
     */
    void publishProgress(final long g, final long bytes)
    {
        control.putLongRelease(FIRST_SLOT + rank * SLOT_BYTES + PROGRESS, g * chunk + bytes);
    }

    /**
     * How many bytes of its buffer for chunk {@code g} rank {@code r} has written (at most {@code bytes}, the
     * chunk's length); 0 before it has started on g.
     */
    long progressOf(final int r, final long g, final long bytes)
    {
        final long written = control.getLongAcquire(FIRST_SLOT + r * SLOT_BYTES + PROGRESS) - g * chunk;
        return written <= 0 ? 0 : Math.min(written, bytes);
    }

    /**
     * This rank's operands of the call whose first chunk is {@code g} are node-shared (their locations are in its
     * buffer for chunk g) or not: {@code (g + 1) << 2 | mode}, released after the locations were written. Call it
     * only once {@link #free}(g) holds.
     */
    void publishIntent(final long g, final boolean shared, final long stamp)
    {
        publishIntent(g, shared ? NODE_SHARED : STAGED, stamp);
    }

    /** As {@link #publishIntent(long, boolean, long)} with one of {@link #STAGED}, {@link #NODE_SHARED}, {@link #PULL}. */
    void publishIntent(final long g, final int mode, final long stamp)
    {
        control.putLong(stampWord(rank, g), stamp);
        control.putLongRelease(intentWord(rank, g), (g + 1) << 2 | mode);
    }

    /**
     * A rank whose call starting at chunk {@code g} is not {@code stamp}, or -1: only once every rank's intent for
     * g has been seen (or its ARRIVED for g, published after it).
     */
    int otherCall(final long g, final long stamp)
    {
        for (int r = 0; r < size; r++)
        {
            if (r != rank && stampOf(r, g) != stamp)
            {
                return r;
            }
        }
        return -1;
    }

    /** The stamp rank {@code r} published with its intent for the call whose first chunk is {@code g}. */
    long stampOf(final int r, final long g)
    {
        return control.getLong(stampWord(r, g));
    }

    private static int stampWord(final int r, final long g)
    {
        return FIRST_SLOT + r * SLOT_BYTES + STAMP + 8 * (int)(g & 1);
    }

    /**
     * Every rank's intent for the call whose first chunk is {@code g}: -1 while some rank has not said (each such
     * rank checked for being alive), 1 when every operand of every rank is node-shared, 0 otherwise. The same answer
     * on every rank once it is not -1.
     */
    int allIntents(final long g)
    {
        int all = 1;
        for (int r = 0; r < size; r++)
        {
            final int intent = intentOf(r, g);
            if (intent < 0)
            {
                all = -1;
            }
            else if (all > 0 && intent != NODE_SHARED)
            {
                all = 0;
            }
        }
        return all;
    }

    /**
     * Rank r's intent for the call whose first chunk is {@code g}: -1 while not said (r checked for being alive),
     * else {@link #STAGED}, {@link #NODE_SHARED} or {@link #PULL}.
     */
    int intentOf(final int r, final long g)
    {
        final long v = control.getLongAcquire(intentWord(r, g));
        if ((v >>> 2) <= g)
        {
            CommunicatorInternals.checkAlive(comm, r, "wait in a shared-memory collective on");
            return -1;
        }
        return (int)(v & 3);
    }

    /**
     * A reader of the broadcast whose first chunk is {@code g} cannot pull the root's message (its memory is a Java
     * array, or cross-memory attach is {@code refused} here, which the root then remembers): the root stages it.
     */
    void askToStage(final long g, final boolean refused)
    {
        control.putLongRelease(FIRST_SLOT + rank * SLOT_BYTES + STAGE_REQUEST, (g + 1) << 1 | (refused ? 1 : 0));
    }

    /**
     * The root of the broadcast whose first chunk is {@code g} and last {@code last}, which offered its message to be
     * pulled: -1 while some reader has neither released {@code last} nor asked to stage (each such reader checked
     * for being alive), 0 once every reader has pulled, 1 once every reader has answered and some asked to stage.
     * Only then may the root write over the offer in its buffer: a reader still to answer may still read it.
     */
    int pullAnswers(final long g, final long last)
    {
        boolean answered = true;
        boolean asked = false;
        for (int r = 0; r < size; r++)
        {
            if (r == rank || control.getLongVolatile(FIRST_SLOT + r * SLOT_BYTES + RELEASED) > last)
            {
                continue;
            }
            if ((control.getLongAcquire(FIRST_SLOT + r * SLOT_BYTES + STAGE_REQUEST) >>> 1) > g)
            {
                asked = true;
            }
            else
            {
                answered &= reached(r, RELEASED, last); // on past this one: a dead one further on must still be seen
            }
        }
        return !answered ? -1 : asked ? 1 : 0;
    }

    /**
     * Whether a broadcast from this rank may offer its message to be pulled: cross-memory attach is not switched
     * off (RINGFOLD_CMA=0), the platform has it, and no reader has found it refused. The first time, lets the
     * peers read this process.
     */
    boolean mayBePulled()
    {
        if (comm.settings().crossMemory() == 0 || !CrossMemory.supported())
        {
            return false;
        }
        for (int r = 0; r < size; r++)
        {
            if (r != rank && (control.getLongAcquire(FIRST_SLOT + r * SLOT_BYTES + STAGE_REQUEST) & 1) != 0)
            {
                return false;
            }
        }
        letPeersIn();
        return true;
    }

    /** Lets the peers read and write this process by cross-memory attach, the first time. */
    void letPeersIn()
    {
        if (!readable)
        {
            CrossMemory.allowPeers();
            readable = true;
        }
    }

    /**
     * Rank {@code r}'s line for pulling a broadcast together with the root ({@link CooperativeCopy}): the reader
     * opens a copy there, the root claims pieces of it and pushes them into the reader's memory.
     */
    UnsafeBuffer copyTogetherLine(final int r)
    {
        return copyTogether[r];
    }

    /** The cross-memory copies of this communicator's broadcasts, set up on first use. */
    CrossMemory crossMemory()
    {
        if (crossMemory == null)
        {
            crossMemory = new CrossMemory();
        }
        return crossMemory;
    }

    private static int intentWord(final int r, final long g)
    {
        return FIRST_SLOT + r * SLOT_BYTES + INTENT + 8 * (int)(g & 1);
    }

    /** The node peers' shared files this communicator's in-place collectives reach, mapped on first use. */
    PeerSharedFiles peerFiles()
    {
        if (peerFiles == null)
        {
            peerFiles = new PeerSharedFiles(4 * size); // a call names at most 2 files per rank
        }
        return peerFiles;
    }

    /** This rank has finished every step of chunk {@code g}. */
    void publishAll(final long g)
    {
        publish(ARRIVED, g);
        publish(REDUCED, g);
        publish(RELEASED, g);
    }

    /** Whether rank {@code r} has finished {@code counter}'s step of chunk {@code g}; if not, whether it is alive. */
    boolean reached(final int r, final int counter, final long g)
    {
        if (control.getLongVolatile(FIRST_SLOT + r * SLOT_BYTES + counter) > g)
        {
            return true;
        }
        checkUsable(); // closed meanwhile
        CommunicatorInternals.checkAlive(comm, r, "wait in a shared-memory collective on");
        return false;
    }

    /** Whether every other rank has finished the step; checks each one that has not for being alive. */
    boolean allReached(final int counter, final long g)
    {
        boolean all = true;
        for (int r = 0; r < size; r++)
        {
            if (r != rank)
            {
                all &= reached(r, counter, g); // on, past a rank behind: a dead one further on must still be seen
            }
        }
        return all;
    }

    /** Whether this rank may write its buffer for chunk {@code g}: every rank is done with chunk g - 2. */
    boolean free(final long g)
    {
        return g < 2 || allReached(RELEASED, g - 2);
    }

    /**
     * Throws once a collective on the region has failed (the ranks' counters are out of step, and waiting would
     * hang); checked when a collective queues for the region and again when its turn comes.
     */
    void checkUsable()
    {
        if (broken instanceof CommunicatorClosedException closed)
        {
            throw closed;
        }
        if (broken != null)
        {
            final String message = "rank " + rank + " of " + comm.name() + ": the shared-memory collectives " +
                "cannot be used after a failure: " + broken.getMessage();
            throw broken instanceof PeerFailedException dead ? new PeerFailedException(dead.worldRank(), message) :
                new IllegalStateException(message, broken);
        }
    }

    /**
     * Unmaps the region, when the communicator closes; every later use fails. If a collective is still queued for
     * it or using it (a non-blocking call never awaited), the mapping is left to the collector instead, so that the
     * collective fails at its next step rather than touch unmapped memory.
     */
    @Override
    public void close()
    {
        failed(new CommunicatorClosedException("rank " + rank + ": communicator " + comm.name() +
            " has been closed; its shared-memory region is gone"));
        if (order.isIdle())
        {
            IoUtil.unmap(mapped);
            if (crossMemory != null)
            {
                crossMemory.close();
            }
        }
    }

    /** A collective on the region failed: every later one fails at once (see {@link #checkUsable}). */
    void failed(final RuntimeException cause)
    {
        if (broken == null)
        {
            broken = cause;
        }
    }

    /** The first of {@code chunks} chunk numbers for the collective whose turn it is. */
    long claimChunks(final long chunks)
    {
        final long first = nextChunk;
        nextChunk += chunks;
        return first;
    }
}
