package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.tensors.SharedLocations;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Broadcast through the node's shared memory ({@link NodeScratch}), one writer and many readers: the root copies
 * chunk after chunk into its two buffers (ARRIVED), every other rank copies each chunk out of the root's buffer as
 * soon as it is there (RELEASED). The root runs up to two chunks ahead of the slowest reader; readers copy at once
 * and in parallel, so the message is read once per reader and written once by the root, with no message sent.
 * The caller's memory is only copied, so it may be a Java array (no staging off-heap and back).
 *
 * <p>Before the first chunk the root says whether its message lives in node-shared memory (a tensor of a
 * {@code NodeSharedAllocator}), writing where into its buffer for that chunk. If it does, nothing is staged: every
 * other rank maps the root's file (once, {@link dev.ringfold.tensors.PeerSharedFiles}) and copies the message
 * straight from it into its own memory, which may be anything, and the root returns once every reader is done.
 * Otherwise the chunks below run as before; the readers' memory plays no part in the choice.
 */
final class SharedMemoryBroadcast extends Operation implements Broadcaster
{
    private final NodeScratch scratch;
    private Object array;
    private long address;
    private long bytes;
    private int root;
    private final RegionTurn turn;
    private long chunks;
    private long chunk;
    /** Before the chunks: -1 the root's intent not yet said or read, 0 staged, 1 straight from the root's memory. */
    private int direct;
    private final UnsafeBuffer location = new UnsafeBuffer(0, 0);

    SharedMemoryBroadcast(final Communicator comm, final NodeScratch scratch)
    {
        super(comm);
        this.scratch = scratch;
        this.turn = new RegionTurn(scratch);
    }

    public SharedMemoryBroadcast broadcast(final long address, final long bytes, final int root)
    {
        return prepare(null, address, bytes, root);
    }

    /** The message addressed as {@code Unsafe} does: an array and a byte offset, or null and an address. */
    SharedMemoryBroadcast prepare(final Object array, final long address, final long bytes, final int root)
    {
        this.array = array;
        this.address = address;
        this.bytes = bytes;
        this.root = root;
        return this;
    }

    @Override
    public String describe()
    {
        return "broadcast (shared memory) of " + bytes + " bytes from rank " + root + " on " + comm.name() +
            ", chunk " + chunk + " of " + chunks;
    }

    @Override
    void begin()
    {
        chunk = 0;
        if (size == 1 || bytes == 0)
        {
            done();
            return;
        }
        chunks = (bytes + scratch.chunkBytes() - 1) / scratch.chunkBytes();
        turn.take(chunks);
        direct = -1;
    }

    @Override
    int advance()
    {
        if (!turn.acquire())
        {
            return 0;
        }
        int work = 0;
        if (direct != 0)
        {
            final long g = turn.firstChunk();
            if (direct < 0)
            {
                if (rank == root)
                {
                    if (!scratch.free(g))
                    {
                        return 0;
                    }
                    location.wrap(scratch.buffer(root, g), SharedLocations.MAX_DESCRIPTOR_BYTES);
                    direct = array == null && SharedLocations.describe(address, bytes, location, 0) > 0 ? 1 : 0;
                    scratch.publishIntent(g, direct > 0, stamp);
                }
                else
                {
                    direct = scratch.intentOf(root, g);
                    if (direct < 0)
                    {
                        return 0;
                    }
                    checkCall(root, scratch.stampOf(root, g));
                    if (direct > 0)
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
                }
                work++;
            }
            if (direct > 0) // the root: its message is being read in place until every reader is done
            {
                if (!scratch.allReached(NodeScratch.RELEASED, g + chunks - 1))
                {
                    return work;
                }
                scratch.publishAll(g + chunks - 1);
                done();
                return work + 1;
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
                UnsafeApi.copyMemory(array, address + offset, null, scratch.buffer(root, g), n);
                if (Counters.ON)
                {
                    countShared(0, n);
                }
            }
            else
            {
                if (!scratch.reached(root, NodeScratch.ARRIVED, g))
                {
                    return work;
                }
                UnsafeApi.copyMemory(null, scratch.buffer(root, g), array, address + offset, n);
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

    @Override
    void ended()
    {
        array = null; // the caller's: not kept reachable past the call
        turn.release(error());
    }
}
