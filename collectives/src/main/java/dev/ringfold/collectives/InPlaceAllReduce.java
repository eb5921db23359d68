package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.PeerSharedFiles;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.SharedLocations;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The all-reduce step of {@link SharedMemoryAllReduce} when every rank's source and destination live in node-shared
 * memory (tensors of a {@code NodeSharedAllocator}): nothing is staged. Each rank writes where its operands live
 * into its buffer of the node region ({@link #offer}); once every rank has, each maps its peers' files (once per
 * file, {@link PeerSharedFiles}) and reduces its 1/n slice straight from all n sources, writing the result straight
 * into all n destinations ({@link #reduceSlice}, in pieces that stay in cache): every byte is read once and written n times, by one rank, the
 * single-copy scheme of Open MPI's XPMEM collectives (coll/xhc) with no kernel module.
 *
 * <p>Reduction order as in the staged path: {@code ((x[0] op x[1]) op x[2]) ... op x[n-1]} for every element,
 * computed once by the slice's owner, so every rank holds the same bits, and the same bits as the staged path.
 * BF16/F16 sums and products accumulate in F32 and round once; AVG divides once ({@link Precision}).
 */
final class InPlaceAllReduce
{
    private static final int SOURCE = 0;
    private static final int DESTINATION = SharedLocations.MAX_DESCRIPTOR_BYTES;
    /** Both descriptors fit a chunk buffer of the region (at least 4 KiB). */
    static final int LOCATIONS_BYTES = 2 * SharedLocations.MAX_DESCRIPTOR_BYTES;

    private final int rank;
    private final int size;
    private final long[] srcOf;
    private final long[] dstOf;
    private final SourcesReduction reduction;
    private final UnsafeBuffer locations = new UnsafeBuffer(0, 0);

    InPlaceAllReduce(final int rank, final int size)
    {
        this.rank = rank;
        this.size = size;
        this.srcOf = new long[size];
        this.dstOf = new long[size];
        this.reduction = new SourcesReduction(size);
    }

    /**
     * Writes where this rank's operands live into {@code buffer} (its chunk buffer of the region) and returns
     * whether both are node-shared. Memory of Java arrays is never, nor a destination that overlaps its source
     * without being it (the slices would overwrite inputs other ranks still read).
     */
    boolean offer(final Object srcArray, final long src, final Object dstArray, final long dst, final long count,
        final DType dtype, final long buffer)
    {
        if (srcArray != null || dstArray != null)
        {
            return false;
        }
        final long bytes = count * dtype.bytes();
        if (src != dst && src < dst + bytes && dst < src + bytes)
        {
            return false;
        }
        locations.wrap(buffer, LOCATIONS_BYTES);
        return SharedLocations.describe(src, bytes, locations, SOURCE) > 0 &&
            SharedLocations.describe(dst, bytes, locations, DESTINATION) > 0;
    }

    /**
     * Every rank has offered node-shared operands: finds each peer's in this process ({@code bufferOf[r]}: rank r's
     * chunk buffer holding its locations).
     */
    void locate(final PeerSharedFiles peers, final long src, final long dst, final long[] bufferOf)
    {
        for (int r = 0; r < size; r++)
        {
            if (r == rank)
            {
                srcOf[r] = src;
                dstOf[r] = dst;
            }
            else
            {
                locations.wrap(bufferOf[r], LOCATIONS_BYTES);
                srcOf[r] = peers.address(locations, SOURCE);
                dstOf[r] = peers.address(locations, DESTINATION);
            }
        }
    }

    /** Reduces this rank's slice of {@code count} elements from every source into every destination. */
    void reduceSlice(final long count, final DType dtype, final ReduceOp op, final DType working)
    {
        final long sliceStart = Blocks.start(count, size, rank);
        final long sliceEnd = sliceStart + Blocks.length(count, size, rank);
        final long piece = SourcesReduction.pieceElements(working);
        final int eb = dtype.bytes();
        for (long first = sliceStart; first < sliceEnd; first += piece)
        {
            final long n = Math.min(piece, sliceEnd - first);
            final long at = first * eb;
            final long out = dstOf[rank] + at; // may be this rank's source
            reduction.reduce(srcOf, at, out, n, dtype, op, working);
            for (int r = 0; r < size; r++)
            {
                if (r != rank)
                {
                    UnsafeApi.copyMemory(null, out, null, dstOf[r] + at, n * eb);
                }
            }
        }
    }

    /** The call has ended: no peer address is kept past it. */
    void clear()
    {
        java.util.Arrays.fill(srcOf, 0);
        java.util.Arrays.fill(dstOf, 0);
    }
}
