package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.tensors.SharedLocations;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * All-gather(v) over node-shared sources: every rank copies every rank's block straight from its source into its own
 * destination (which may be any memory): one copy per byte received, no hop through the region or a ring. Any
 * private source: the ring all-gather ({@link NodeSharedOperation}).
 */
final class InPlaceAllGather extends NodeSharedOperation
{
    private long dst;
    private long[] bytes;
    private long[] offsets;

    InPlaceAllGather(final Communicator comm, final NodeScratch scratch)
    {
        super(comm, scratch);
    }

    /** Rank r's {@code bytes[r]} land at byte {@code offsets[r]} of every rank's destination. */
    InPlaceAllGather prepare(final long src, final long dst, final long[] bytes, final long[] offsets,
        final Operation fallback)
    {
        this.dst = dst;
        this.bytes = bytes;
        this.offsets = offsets;
        prepare(src, fallback);
        return this;
    }

    @Override
    boolean offer(final UnsafeBuffer location)
    {
        final long mine = bytes[rank];
        // the source may be this rank's own block of the destination (MPI_IN_PLACE), nothing else of it: this rank
        // writes the rest while peers read its source
        final long own = dst + offsets[rank];
        for (int r = 0; r < size; r++)
        {
            final long to = dst + offsets[r];
            if (to != own && to < src + mine && src < to + bytes[r])
            {
                return false;
            }
        }
        return mine > 0 && SharedLocations.describe(src, mine, location, 0) > 0;
    }

    @Override
    void work()
    {
        for (int r = 0; r < size; r++)
        {
            final long to = dst + offsets[r];
            if (sourceOf[r] != to && bytes[r] > 0)
            {
                UnsafeApi.copyMemory(null, sourceOf[r], null, to, bytes[r]);
            }
        }
        if (Counters.ON)
        {
            long read = 0;
            for (int r = 0; r < size; r++)
            {
                read += r == rank ? 0 : bytes[r]; // every peer's block, straight from its source
            }
            countShared(read, 0);
        }
    }

    @Override
    String what()
    {
        return "allGather (node-shared) of " + bytes[rank] + " bytes from this rank";
    }
}
