package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import org.agrona.UnsafeApi;

/**
 * Gather to a root, or scatter from it: the root posts one receive (send) per rank at once and every other rank
 * one send (receive). Blocks may differ in size (gatherv/scatterv): block r has {@code bytes[r]} bytes at byte
 * offset {@code offsets[r]} of the root's buffer.
 */
final class LinearGather extends Operation
{
    private Request[] requests = requests(1);
    private boolean scatter;
    private long local;
    private long rootBuffer;
    private long[] bytes;
    private long[] offsets;
    private int root;
    private int posted;

    LinearGather(final Communicator comm)
    {
        super(comm);
    }

    /** Gather: every rank's {@code local} block into the root's {@code rootBuffer}. */
    LinearGather gather(final long local, final long rootBuffer, final long[] bytes, final long[] offsets,
        final int root)
    {
        return prepare(false, local, rootBuffer, bytes, offsets, root);
    }

    /** Scatter: block r of the root's {@code rootBuffer} into rank r's {@code local}. */
    LinearGather scatter(final long rootBuffer, final long local, final long[] bytes, final long[] offsets,
        final int root)
    {
        return prepare(true, local, rootBuffer, bytes, offsets, root);
    }

    private LinearGather prepare(final boolean scatter, final long local, final long rootBuffer, final long[] bytes,
        final long[] offsets, final int root)
    {
        this.scatter = scatter;
        this.local = local;
        this.rootBuffer = rootBuffer;
        this.bytes = bytes;
        this.offsets = offsets;
        this.root = root;
        return this;
    }

    @Override
    public String describe()
    {
        return (scatter ? "scatter" : "gather") + " (linear) with root " + root + " on " + comm.name();
    }

    @Override
    void begin()
    {
        posted = 0;
        if (rank == root)
        {
            if (requests.length < size)
            {
                requests = requests(size);
            }
            for (int r = 0; r < size; r++)
            {
                final long at = rootBuffer + offsets[r];
                if (r == root)
                {
                    if (at != local)
                    {
                        UnsafeApi.copyMemory(scatter ? at : local, scatter ? local : at, bytes[r]);
                    }
                }
                else if (scatter)
                {
                    send(at, bytes[r], r, requests[posted++]);
                }
                else
                {
                    recv(at, bytes[r], r, requests[posted++]);
                }
            }
        }
        else if (scatter)
        {
            recv(local, bytes[rank], root, requests[posted++]);
        }
        else
        {
            send(local, bytes[rank], root, requests[posted++]);
        }
    }

    @Override
    int advance()
    {
        for (int i = 0; i < posted; i++)
        {
            if (!finished(requests[i]))
            {
                return 0;
            }
        }
        done();
        return 1;
    }
}
