package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import org.agrona.UnsafeApi;

/**
 * Broadcast through the node's shared memory ({@link NodeScratch}), one writer and many readers: the root copies
 * chunk after chunk into its two buffers (ARRIVED), every other rank copies each chunk out of the root's buffer as
 * soon as it is there (RELEASED). The root runs up to two chunks ahead of the slowest reader; readers copy at once
 * and in parallel, so the message is read once per reader and written once by the root, with no message sent.
 */
final class SharedMemoryBroadcast extends Operation
{
    private final NodeScratch scratch;
    private long address;
    private long bytes;
    private int root;
    private long turn = -1;
    private boolean hasTurn;
    private long firstChunk;
    private long chunks;
    private long chunk;

    SharedMemoryBroadcast(final Communicator comm, final NodeScratch scratch)
    {
        super(comm);
        this.scratch = scratch;
    }

    SharedMemoryBroadcast prepare(final long address, final long bytes, final int root)
    {
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
        hasTurn = false;
        chunk = 0;
        if (size == 1 || bytes == 0)
        {
            done();
            return;
        }
        chunks = (bytes + scratch.chunkBytes() - 1) / scratch.chunkBytes();
        turn = scratch.takeTurn();
    }

    @Override
    int advance()
    {
        if (!hasTurn)
        {
            if (!scratch.isTurn(turn))
            {
                return 0;
            }
            hasTurn = true;
            scratch.checkUsable();
            firstChunk = scratch.claimChunks(chunks);
        }
        int work = 0;
        final long chunkBytes = scratch.chunkBytes();
        while (chunk < chunks)
        {
            final long g = firstChunk + chunk;
            final long offset = chunk * chunkBytes;
            final long n = Math.min(chunkBytes, bytes - offset);
            if (rank == root)
            {
                if (!scratch.free(g))
                {
                    return work;
                }
                UnsafeApi.copyMemory(address + offset, scratch.buffer(root, g), n);
            }
            else
            {
                if (!scratch.reached(root, NodeScratch.ARRIVED, g))
                {
                    return work;
                }
                UnsafeApi.copyMemory(scratch.buffer(root, g), address + offset, n);
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
        if (error() != null && scratch != null)
        {
            scratch.failed(error());
        }
        if (hasTurn)
        {
            hasTurn = false;
            scratch.endTurn();
        }
    }
}
