package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.SharedLocations;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reduce-scatter over node-shared sources: rank r reduces block r straight from every rank's source into its own
 * destination (which may be any memory), reading each byte of the sources once across the node and writing each
 * result once. The order and precision of {@link SourcesReduction}, so the bits are the same on every run. Any
 * private source: the ring's reduce-scatter ({@link NodeSharedOperation}).
 */
final class InPlaceReduceScatter extends NodeSharedOperation
{
    private final SourcesReduction reduction;
    private long dst;
    private long blockCount;
    private DType dtype;
    private ReduceOp op;

    InPlaceReduceScatter(final Communicator comm, final NodeScratch scratch)
    {
        super(comm, scratch);
        this.reduction = new SourcesReduction(size);
    }

    InPlaceReduceScatter prepare(final long src, final long dst, final long blockCount, final DType dtype,
        final ReduceOp op, final Operation fallback)
    {
        this.dst = dst;
        this.blockCount = blockCount;
        this.dtype = dtype;
        this.op = op;
        prepare(src, fallback);
        return this;
    }

    @Override
    boolean offer(final UnsafeBuffer location)
    {
        final long bytes = blockCount * size * dtype.bytes();
        final long blockBytes = blockCount * dtype.bytes();
        // the destination may be this rank's own block of the source, nothing else of it: peers read the rest
        final long own = src + rank * blockBytes;
        if (dst != own && dst < src + bytes && src < dst + blockBytes)
        {
            return false;
        }
        return SharedLocations.describe(src, bytes, location, 0) > 0;
    }

    @Override
    void work()
    {
        final DType working = Precision.working(dtype, op);
        final long piece = SourcesReduction.pieceElements(working);
        final int eb = dtype.bytes();
        final long block = rank * blockCount * eb;
        for (long first = 0; first < blockCount; first += piece)
        {
            final long n = Math.min(piece, blockCount - first);
            reduction.reduce(sourceOf, block + first * eb, dst + first * eb, n, dtype, op, working);
        }
        if (Counters.ON)
        {
            countShared((size - 1) * blockCount * eb, 0); // its block of the n - 1 peers' sources
        }
    }

    @Override
    String what()
    {
        return "reduceScatter (node-shared) of " + blockCount + " " + dtype + " per rank";
    }
}
