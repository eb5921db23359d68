package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import org.agrona.UnsafeApi;

/**
 * All-to-all by pairwise exchange: in step s each rank sends to rank+s and receives from rank-s, so every pair
 * meets once and no rank is the target of everyone at the same moment. Blocks may differ in size (all-to-allv).
 */
final class PairwiseAllToAll extends Operation
{
    private final Request in = new Request();
    private final Request out = new Request();
    private long src;
    private long[] sendBytes;
    private long[] sendOffsets;
    private long dst;
    private long[] recvBytes;
    private long[] recvOffsets;
    private int step;

    PairwiseAllToAll(final Communicator comm)
    {
        super(comm);
    }

    PairwiseAllToAll prepare(final long src, final long[] sendBytes, final long[] sendOffsets, final long dst,
        final long[] recvBytes, final long[] recvOffsets)
    {
        this.src = src;
        this.sendBytes = sendBytes;
        this.sendOffsets = sendOffsets;
        this.dst = dst;
        this.recvBytes = recvBytes;
        this.recvOffsets = recvOffsets;
        return this;
    }

    @Override
    public String describe()
    {
        return "allToAll (pairwise) on " + comm.name() + ", step " + step;
    }

    @Override
    void begin()
    {
        UnsafeApi.copyMemory(src + sendOffsets[rank], dst + recvOffsets[rank], Math.min(sendBytes[rank], recvBytes[rank]));
        step = 1;
        if (size == 1)
        {
            done();
            return;
        }
        post();
    }

    private void post()
    {
        final int to = Blocks.mod(rank + step, size);
        final int from = Blocks.mod(rank - step, size);
        recv(dst + recvOffsets[from], recvBytes[from], from, in);
        send(src + sendOffsets[to], sendBytes[to], to, out);
    }

    @Override
    int advance()
    {
        if (!finished(in) || !finished(out))
        {
            return 0;
        }
        if (++step < size)
        {
            post();
            return 1;
        }
        done();
        return 1;
    }
}
