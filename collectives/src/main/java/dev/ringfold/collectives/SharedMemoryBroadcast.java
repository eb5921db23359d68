package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import org.agrona.UnsafeApi;

/**
 * Broadcast through the node's shared memory ({@link NodeScratch}), one writer and many readers: the root copies
 * chunk after chunk into its two buffers (ARRIVED), every other rank copies each chunk out of the root's buffer as
 * soon as it is there (RELEASED). The root runs up to two chunks ahead of the slowest reader; readers copy at once
 * and in parallel, so the message is read once per reader and written once by the root, with no message sent.
 * The caller's memory is only copied, so it may be a Java array (no staging off-heap and back).
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
    }

    @Override
    int advance()
    {
        if (!turn.acquire())
        {
            return 0;
        }
        int work = 0;
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
            }
            else
            {
                if (!scratch.reached(root, NodeScratch.ARRIVED, g))
                {
                    return work;
                }
                UnsafeApi.copyMemory(null, scratch.buffer(root, g), array, address + offset, n);
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
