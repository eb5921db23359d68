package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;

/**
 * Broadcast along a pipelined chain root → root+1 → …: the message travels in chunks, and each rank forwards a
 * chunk as soon as it has it, so all links are busy at once and the time approaches one message time plus n
 * chunk times. Chunks land straight in the destination buffer. Best for large messages.
 */
final class ChainBroadcast extends BroadcastOperation
{
    static final long CHUNK_BYTES = 512 * 1024;

    private Request[] ins = requests(1);
    private Request[] outs = requests(1);
    private int chunks;
    private int forwarded;

    ChainBroadcast(final Communicator comm)
    {
        super(comm);
    }

    @Override
    public String describe()
    {
        return describe("chain") + ", " + forwarded + " of " + chunks + " chunks forwarded";
    }

    private long chunkBytes(final int c)
    {
        return Math.min(CHUNK_BYTES, bytes - c * CHUNK_BYTES);
    }

    @Override
    void begin()
    {
        chunks = (int)Math.max(1, (bytes + CHUNK_BYTES - 1) / CHUNK_BYTES);
        if (ins.length < chunks)
        {
            ins = requests(chunks);
            outs = requests(chunks);
        }
        forwarded = 0;
        final int vr = Blocks.mod(rank - root, size);
        if (vr != 0)
        {
            final int previous = Blocks.mod(rank - 1, size);
            for (int c = 0; c < chunks; c++)
            {
                recv(address + c * CHUNK_BYTES, chunkBytes(c), previous, ins[c]);
            }
        }
    }

    @Override
    int advance()
    {
        final int vr = Blocks.mod(rank - root, size);
        final boolean last = vr == size - 1;
        final int next = Blocks.mod(rank + 1, size);
        int work = 0;
        while (forwarded < chunks && (vr == 0 || finished(ins[forwarded])))
        {
            if (!last)
            {
                send(address + forwarded * CHUNK_BYTES, chunkBytes(forwarded), next, outs[forwarded]);
            }
            forwarded++;
            work++;
        }
        if (forwarded < chunks)
        {
            return work;
        }
        if (!last)
        {
            for (int c = 0; c < chunks; c++)
            {
                if (!finished(outs[c]))
                {
                    return work;
                }
            }
        }
        done();
        return work + 1;
    }
}
