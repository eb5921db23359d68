package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import org.agrona.UnsafeApi;

/**
 * All-gather around a ring: n-1 steps, each passing on the block received in the step before, straight into its
 * place in the destination. Blocks may differ in size (all-gatherv): block r has {@code bytes[r]} bytes at byte
 * offset {@code offsets[r]} of the destination.
 */
final class RingAllGather extends Operation
{
    private final Request in = new Request();
    private final Request out = new Request();
    private long src;
    private long dst;
    private long[] bytes;
    private long[] offsets;
    private int step;

    RingAllGather(final Communicator comm)
    {
        super(comm);
    }

    RingAllGather prepare(final long src, final long dst, final long[] bytes, final long[] offsets)
    {
        this.src = src;
        this.dst = dst;
        this.bytes = bytes;
        this.offsets = offsets;
        return this;
    }

    @Override
    public String describe()
    {
        return "allGather (ring) on " + comm.name() + ", step " + step;
    }

    @Override
    void begin()
    {
        if (src != dst + offsets[rank])
        {
            UnsafeApi.copyMemory(src, dst + offsets[rank], bytes[rank]);
        }
        step = 0;
        if (size == 1)
        {
            done();
            return;
        }
        post();
    }

    private void post()
    {
        final int out = Blocks.mod(rank - step, size);
        final int in = Blocks.mod(rank - step - 1, size);
        recv(dst + offsets[in], bytes[in], Blocks.mod(rank - 1, size), this.in);
        send(dst + offsets[out], bytes[out], Blocks.mod(rank + 1, size), this.out);
    }

    @Override
    int advance()
    {
        if (!finished(in) || !finished(out))
        {
            return 0;
        }
        if (++step < size - 1)
        {
            post();
            return 1;
        }
        done();
        return 1;
    }
}
