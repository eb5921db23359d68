package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.internal.CommunicatorInternals;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.mpi.internal.CooperativeCopy;
import dev.ringfold.mpi.internal.CrossMemory;
import dev.ringfold.tensors.SharedLocations;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Broadcast through the node's shared memory ({@link NodeScratch}), one writer and many readers. Before the first
 * chunk the root says how its message goes ({@link #intent}), writing what the readers need into its buffer for
 * that chunk:
 * <ul>
 * <li>Node-shared memory (a tensor of a {@code NodeSharedAllocator}): nothing is staged; every other rank maps the
 * root's file (once, {@link dev.ringfold.tensors.PeerSharedFiles}) and copies the message straight from it.</li>
 * <li>Private off-heap memory: every other rank pulls the message straight from the root's process with
 * cross-memory attach ({@code process_vm_readv}, Open MPI's single copy), into its own off-heap memory. A reader
 * that cannot (its memory is a Java array, or the system refuses) asks the root to stage the message instead. A
 * large message (from RINGFOLD_CMA_SPLIT_MIN, 1 MiB by default, on an oversubscribed node too) is copied together:
 * the reader opens its {@link NodeScratch#copyTogetherLine line} and the root, which would otherwise only wait,
 * pushes the pieces it claims there into the reader's memory ({@code process_vm_writev}) while the reader pulls the
 * others, two cores copying at once ({@link CooperativeCopy}).</li>
 * <li>Otherwise (a Java array at the root, RINGFOLD_CMA=0, a reader refused before) staged: the root copies chunk
 * after chunk into its two buffers, publishing its progress every {@link #PIECE_BYTES}, and every other rank copies
 * each piece out as soon as it is there, so the root's copy in and the readers' copies out overlap. The root runs
 * up to two chunks ahead of the slowest reader.</li>
 * </ul>
 * In the first two the root returns once every reader is done with its memory. The caller's memory is only copied,
 * so it may be a Java array (no staging off-heap and back).
 */
final class SharedMemoryBroadcast extends BroadcastOperation
{
    /**
     * The root of a staged broadcast publishes how far it has filled a chunk every this many bytes, so that readers
     * copy a chunk's start while its end goes in (BENCHMARKS.md, "Broadcast with private buffers").
     */
    static final long PIECE_BYTES = 16 * 1024;
    /** The smallest message a root offers to be pulled (the selection table's shared-memory broadcasts start there). */
    static final long PULL_FROM = SelectionTable.SMALL_BROADCAST_BYTES;
    /** Where a root that offers its message to be pulled says where it is, in its buffer for the first chunk. */
    private static final int PID = 0;
    private static final int ADDRESS = 8;
    /** Where a reader copying together says the root may push to. */
    private static final long PROCESS_ID = ProcessHandle.current().pid();

    private final NodeScratch scratch;
    private Object array;
    private final RegionTurn turn;
    private long chunks;
    private long chunk;
    /** A reader: how much of the present chunk it has copied out. */
    private long copied;
    /**
     * Before the chunks: -1 the root's intent not yet said or read, else how the message goes: staged
     * ({@link NodeScratch#STAGED}), read from the root's node-shared memory, or pulled from the root's process.
     */
    private int direct;
    private final UnsafeBuffer location = new UnsafeBuffer(0, 0);
    /** A copy together: the pieces it is cut into, and their length. */
    private int pieces;
    private int pieceBytes;
    /** A reader copying together with the root: the generation it opened (0: none), where the message is. */
    private int together;
    private long rootPid;
    private long rootAddress;
    /** A reader: the errno of a failed piece (then it stages after all), 0 none. */
    private int failed;
    /** The root: a push failed, so it helps no reader in the rest of this call (a reader takes one piece back). */
    private boolean helpRefused;

    SharedMemoryBroadcast(final Communicator comm, final NodeScratch scratch)
    {
        super(comm);
        this.scratch = scratch;
        this.turn = new RegionTurn(scratch);
    }

    @Override
    public SharedMemoryBroadcast broadcast(final long address, final long bytes, final int root)
    {
        return prepare(null, address, bytes, root);
    }

    /** The message addressed as {@code Unsafe} does: an array and a byte offset, or null and an address. */
    SharedMemoryBroadcast prepare(final Object array, final long address, final long bytes, final int root)
    {
        this.array = array;
        super.broadcast(address, bytes, root);
        return this;
    }

    @Override
    public String describe()
    {
        return describe("shared memory") + ", chunk " + chunk + " of " + chunks;
    }

    @Override
    void begin()
    {
        chunk = 0;
        copied = 0;
        if (size == 1 || bytes == 0)
        {
            done();
            return;
        }
        chunks = (bytes + scratch.chunkBytes() - 1) / scratch.chunkBytes();
        turn.take(chunks);
        direct = -1;
        pieceBytes = CooperativeCopy.chunkBytes(bytes);
        pieces = CooperativeCopy.chunks(bytes, pieceBytes);
        together = 0;
        failed = 0;
        helpRefused = false;
    }

    @Override
    int advance()
    {
        if (!turn.acquire())
        {
            return 0;
        }
        int work = 0;
        if (direct != NodeScratch.STAGED)
        {
            final long g = turn.firstChunk();
            if (together != 0)
            {
                return copyTogether(g);
            }
            if (direct < 0)
            {
                if (rank == root)
                {
                    if (!scratch.free(g))
                    {
                        return 0;
                    }
                    direct = intent(g);
                    scratch.publishIntent(g, direct, stamp);
                }
                else
                {
                    direct = scratch.intentOf(root, g);
                    if (direct < 0)
                    {
                        return 0;
                    }
                    checkCall(root, scratch.stampOf(root, g));
                    if (direct == NodeScratch.NODE_SHARED)
                    {
                        location.wrap(scratch.buffer(root, g), SharedLocations.MAX_DESCRIPTOR_BYTES);
                        UnsafeApi.copyMemory(null, scratch.peerFiles().address(location, 0), array, address, bytes);
                        if (Counters.ON)
                        {
                            countShared(bytes, 0);
                        }
                        scratch.publishAll(g + chunks - 1);
                        done();
                        return 1;
                    }
                    if (direct == NodeScratch.PULL && pull(g))
                    {
                        return 1;
                    }
                }
                work++;
            }
            if (rank == root && direct != NodeScratch.STAGED) // its message is read in place until every reader is done
            {
                final int answers = direct == NodeScratch.PULL ? scratch.pullAnswers(g, g + chunks - 1) :
                    scratch.allReached(NodeScratch.RELEASED, g + chunks - 1) ? 0 : -1;
                if (answers < 0)
                {
                    return direct == NodeScratch.PULL ? work + help(g) : work;
                }
                if (answers == 0)
                {
                    scratch.publishAll(g + chunks - 1);
                    done();
                    return work + 1;
                }
                direct = NodeScratch.STAGED; // a reader cannot pull, and every other one has: the chunks below after all
            }
        }
        final long chunkBytes = scratch.chunkBytes();
        while (chunk < chunks)
        {
            final long g = turn.firstChunk() + chunk;
            final long offset = chunk * chunkBytes;
            final long n = Math.min(chunkBytes, bytes - offset);
            if (rank == root)
            {
                if (!scratch.free(g))
                {
                    return work;
                }
                final long buffer = scratch.buffer(root, g);
                for (long at = 0; at < n; at += PIECE_BYTES) // the readers copy each piece while the next goes in
                {
                    final long piece = Math.min(PIECE_BYTES, n - at);
                    UnsafeApi.copyMemory(array, address + offset + at, null, buffer + at, piece);
                    scratch.publishProgress(g, at + piece);
                }
                if (Counters.ON)
                {
                    countShared(0, n);
                }
            }
            else
            {
                long written = scratch.progressOf(root, g, n);
                if (written <= copied)
                {
                    if (!scratch.reached(root, NodeScratch.ARRIVED, g)) // and the root alive
                    {
                        return work;
                    }
                    written = n;
                }
                UnsafeApi.copyMemory(null, scratch.buffer(root, g) + copied, array, address + offset + copied,
                    written - copied);
                work++;
                copied = written;
                if (copied < n)
                {
                    continue;
                }
                copied = 0;
                if (Counters.ON)
                {
                    countShared(n, 0);
                }
            }
            scratch.publishAll(g);
            chunk++;
            work++;
        }
        done();
        return work;
    }

    /**
     * The root: how its message goes to the readers. Node-shared memory is read in place; private off-heap memory
     * is pulled by each reader with cross-memory attach, a single copy that needs neither the root's time nor its
     * cache to stay warm; a Java array (which the collector may move) is staged in chunks. The location, or pid and
     * address, go into the root's buffer for the call's first chunk.
     */
    private int intent(final long g)
    {
        if (array != null)
        {
            return NodeScratch.STAGED;
        }
        location.wrap(scratch.buffer(root, g), SharedLocations.MAX_DESCRIPTOR_BYTES);
        if (SharedLocations.describe(address, bytes, location, 0) > 0)
        {
            return NodeScratch.NODE_SHARED;
        }
        if (bytes < PULL_FROM || !scratch.mayBePulled())
        {
            return NodeScratch.STAGED;
        }
        location.putLong(PID, ProcessHandle.current().pid());
        location.putLong(ADDRESS, address);
        return NodeScratch.PULL;
    }

    /**
     * A reader, offered the root's message to pull: copies it straight from the root's process into its own memory.
     * Where it cannot (its memory is a Java array, or the system refuses cross-memory attach) it asks the root to
     * stage the message instead and returns false, to go on with the chunks.
     */
    private boolean pull(final long g)
    {
        int errno = -1;
        if (array == null)
        {
            location.wrap(scratch.buffer(root, g), SharedLocations.MAX_DESCRIPTOR_BYTES);
            final long pid = location.getLong(PID);
            if (scratch.pulledAlone && pieces > 1 && bytes >= comm.settings().cooperativeBroadcastFrom())
            {
                rootPid = pid;
                rootAddress = location.getLong(ADDRESS);
                scratch.letPeersIn(); // the root writes into this process
                final UnsafeBuffer line = scratch.copyTogetherLine(rank);
                line.putLong(NodeScratch.COPY_TOGETHER_ADDRESS, address);
                line.putLong(NodeScratch.COPY_TOGETHER_PID, PROCESS_ID);
                together = generation(g);
                CooperativeCopy.open(line, together); // released last: the root that sees it sees the above
                copyTogether(g);
                return true;
            }
            errno = scratch.crossMemory().read(pid, address, location.getLong(ADDRESS), bytes);
            if (errno == 0)
            {
                scratch.pulledAlone = true;
                pulled(g);
                return true;
            }
            if (CrossMemory.isGoneError(errno))
            {
                rootPid = pid;
                throw rootGone();
            }
        }
        scratch.askToStage(g, errno > 0);
        direct = NodeScratch.STAGED;
        return false;
    }

    /** A reader: the message is all here. */
    private void pulled(final long g)
    {
        if (Counters.ON)
        {
            countShared(bytes, 0);
        }
        scratch.publishAll(g + chunks - 1);
        done();
    }

    /** The generation of the copy together of the call whose first chunk is {@code g}: never 0 (a fresh line). */
    private static int generation(final long g)
    {
        return (int)(g % Integer.MAX_VALUE) + 1;
    }

    /**
     * A reader copying together with the root: pulls every piece it can still claim, then waits (returning) for
     * the pieces the root claimed; once all are in, it copies the one the root may have given back and is done.
     * A piece it cannot read closes the copy (it claims the rest without copying) and, once the root's pieces are
     * in, asks the root to stage the message after all.
     */
    private int copyTogether(final long g)
    {
        final UnsafeBuffer line = scratch.copyTogetherLine(rank);
        int work = 0;
        int k;
        while ((k = CooperativeCopy.claim(line, together, pieces)) >= 0)
        {
            if (failed == 0)
            {
                failed = readPiece(k);
            }
            CooperativeCopy.copied(line);
            work++;
        }
        if (CooperativeCopy.done(line) < pieces)
        {
            CommunicatorInternals.checkAlive(comm, root, "copy a broadcast together with"); // it may hold a piece
            return work;
        }
        together = 0;
        final int returned = CooperativeCopy.returned(line);
        if (returned >= 0 && failed == 0)
        {
            failed = readPiece(returned);
        }
        if (failed != 0)
        {
            scratch.askToStage(g, false);
            direct = NodeScratch.STAGED;
            return work + 1;
        }
        pulled(g);
        return work + 1;
    }

    /** A reader copying together: pulls piece {@code k} from the root; 0, or the errno (a gone root throws). */
    private int readPiece(final int k)
    {
        final long offset = (long)k * pieceBytes;
        final int errno = scratch.crossMemory().read(rootPid, address + offset, rootAddress + offset,
            Math.min(pieceBytes, bytes - offset));
        if (errno != 0 && CrossMemory.isGoneError(errno))
        {
            throw rootGone();
        }
        return errno;
    }

    /**
     * The root, waiting for its readers' pulls: pushes the pieces it can claim of every copy together a reader has
     * opened for this call. A push that fails is given back (the reader copies it) and ends the help.
     */
    private int help(final long g)
    {
        if (helpRefused || pieces < 2)
        {
            return 0;
        }
        final int generation = generation(g);
        int work = 0;
        for (int r = 0; r < size && !helpRefused; r++)
        {
            if (r == rank)
            {
                continue;
            }
            final UnsafeBuffer line = scratch.copyTogetherLine(r);
            int k;
            while ((k = CooperativeCopy.claim(line, generation, pieces)) >= 0)
            {
                final long offset = (long)k * pieceBytes;
                final long n = Math.min(pieceBytes, bytes - offset);
                if (scratch.crossMemory().write(line.getLong(NodeScratch.COPY_TOGETHER_PID), address + offset,
                    line.getLong(NodeScratch.COPY_TOGETHER_ADDRESS) + offset, n) != 0)
                {
                    CooperativeCopy.giveBack(line, k);
                    helpRefused = true;
                    break;
                }
                CooperativeCopy.copied(line);
                if (Counters.ON)
                {
                    countShared(0, n);
                }
                work++;
            }
        }
        return work;
    }

    private PeerFailedException rootGone()
    {
        CommunicatorInternals.checkAlive(comm, root, "pull a broadcast from");
        return new PeerFailedException(comm.worldRank(root), "rank " + rank + " of " + comm.name() +
            ": broadcast: the root's process " + rootPid + " is gone");
    }

    @Override
    void ended()
    {
        array = null; // the caller's: not kept reachable past the call
        turn.release(error());
    }
}
