package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;

/**
 * All-reduce through the node's shared memory ({@link NodeScratch}), for communicators whose ranks all share a node.
 * Chunk by chunk: every rank copies its chunk of the input into its buffer (ARRIVED); each rank reduces its 1/n slice
 * of the chunk reading every rank's buffer directly, writes the result over its own slice and into its destination
 * (REDUCED); then each rank copies the other ranks' result slices into its destination (RELEASED). Every byte is read
 * and written a fixed number of times whatever n is, and no message is sent. With two buffers per rank a rank copies
 * chunk k + 1 in while its peers still reduce chunk k.
 *
 * <p>Reduction order, the same on every rank and every run for a given n: every element is
 * {@code ((x[0] op x[1]) op x[2]) ... op x[n-1]}, computed once (by the rank owning its slice) and copied to the
 * others, so all ranks hold the same bits. BF16/F16 sums travel in F32 and AVG divides once ({@link Precision}).
 *
 * <p>Before the first chunk every rank says whether its source and destination are node-shared (tensors of a
 * {@code NodeSharedAllocator}), writing where they live into its buffer for that chunk: a rank with private memory
 * says so and goes on at once; a rank with node-shared memory waits for the others' answers. When every rank's are
 * node-shared, nothing is staged: {@link InPlaceAllReduce} reduces each slice from all sources into all
 * destinations. Otherwise every rank runs the chunks below, so a mix of shared and private operands is the staged
 * all-reduce, never a read of memory a peer did not offer.
 *
 * <p>The caller's memory is only ever copied into and out of the region, so it may as well be a Java array
 * ({@link #prepare(Object, long, Object, long, long, DType, ReduceOp)}): the array forms of the API then reduce
 * without staging the message off-heap and back, which would double the bytes moved.
 */
final class SharedMemoryAllReduce extends ReducingOperation implements AllReducer
{
    private static final int FREE = 0;
    private static final int ARRIVING = 1;
    private static final int REDUCING = 2;
    private static final int OFFERING = 3;
    private static final int DECIDING = 4;
    private static final int IN_PLACE = 5;

    private final NodeScratch scratch;
    private final long[] sources;
    private final RegionTurn turn;
    private final InPlaceAllReduce inPlace;
    private final long[] locationsOf;
    private Object srcArray;
    private Object dstArray;
    private long chunks;
    private long chunkElements;
    private long chunk;
    private int state;

    SharedMemoryAllReduce(final Communicator comm, final NodeScratch scratch)
    {
        super(comm);
        this.scratch = scratch;
        this.turn = new RegionTurn(scratch);
        this.sources = new long[size];
        this.inPlace = new InPlaceAllReduce(rank, size);
        this.locationsOf = new long[size];
    }

    public SharedMemoryAllReduce allReduce(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return prepare(null, src, null, dst, count, dtype, op);
    }

    /** Source and destination addressed as {@code Unsafe} does: an array and a byte offset, or null and an address. */
    SharedMemoryAllReduce prepare(final Object srcArray, final long src, final Object dstArray, final long dst,
        final long count, final DType dtype, final ReduceOp op)
    {
        set(src, dst, count, dtype, op);
        this.srcArray = srcArray;
        this.dstArray = dstArray;
        return this;
    }

    @Override
    public String describe()
    {
        return describe("allReduce", "shared memory") + switch (state)
        {
            case OFFERING -> ", waiting for the region";
            case DECIDING -> ", waiting for every rank to say where its operands live";
            case IN_PLACE -> ", in place over node-shared operands, waiting for the other slices";
            default -> ", chunk " + chunk + " of " + chunks + (state == FREE ? ", waiting for buffer" :
                state == ARRIVING ? ", waiting for inputs" : ", waiting for results");
        };
    }

    @Override
    void begin()
    {
        working = Precision.working(dtype, op);
        chunk = 0;
        state = FREE;
        if (size == 1 || count == 0)
        {
            if (size == 1)
            {
                final long w = scratch(count * working.bytes());
                Precision.load(dtype, working, w, srcArray, src, count);
                Precision.store(op, 1, dtype, working, dstArray, dst, w, count);
            }
            done();
            return;
        }
        chunkElements = scratch.chunkBytes() / working.bytes();
        chunks = (count + chunkElements - 1) / chunkElements;
        turn.take(chunks);
        state = OFFERING;
    }

    @Override
    int advance()
    {
        if (!turn.acquire())
        {
            return 0;
        }
        int work = 0;
        if (state >= OFFERING)
        {
            final long g = turn.firstChunk();
            if (state == OFFERING)
            {
                if (!scratch.free(g))
                {
                    return 0;
                }
                final boolean shared = inPlace.offer(srcArray, src, dstArray, dst, count, dtype,
                    scratch.buffer(rank, g));
                scratch.publishIntent(g, shared, stamp);
                state = shared ? DECIDING : FREE; // a private operand: the call is staged whatever the others say
                work++;
            }
            if (state == DECIDING)
            {
                final int everyRank = scratch.allIntents(g);
                if (everyRank < 0)
                {
                    return work;
                }
                checkCalls(scratch, g);
                state = everyRank > 0 ? IN_PLACE : FREE;
                if (state == IN_PLACE)
                {
                    for (int r = 0; r < size; r++)
                    {
                        locationsOf[r] = scratch.buffer(r, g);
                    }
                    inPlace.locate(scratch.peerFiles(), src, dst, locationsOf);
                    inPlace.reduceSlice(count, dtype, op, working);
                    if (Counters.ON)
                    {
                        // its slice read from the n - 1 peers' sources and written into their destinations
                        final long peersSlices = (size - 1) * Blocks.length(count, size, rank) * dtype.bytes();
                        countShared(peersSlices, peersSlices);
                    }
                    scratch.publish(NodeScratch.REDUCED, g);
                }
                work++;
            }
            if (state == IN_PLACE)
            {
                if (!scratch.allReached(NodeScratch.REDUCED, g))
                {
                    return work; // the other slices are still being written into this rank's destination
                }
                scratch.publishAll(g + chunks - 1); // the chunks claimed and not needed are done as well
                done();
                return work + 1;
            }
        }
        while (chunk < chunks)
        {
            final long g = turn.firstChunk() + chunk;
            final long first = chunk * chunkElements;
            final long n = Math.min(chunkElements, count - first);
            final int ws = working.bytes();
            if (state == FREE)
            {
                if (!scratch.free(g))
                {
                    return work;
                }
                Precision.load(dtype, working, scratch.buffer(rank, g), srcArray, src + first * dtype.bytes(), n);
                scratch.publish(NodeScratch.ARRIVED, g);
                if (Counters.ON)
                {
                    // the chunk staged for the peers: they read the others' slices of it now and, once this rank
                    // has reduced its own slice over it, that slice too
                    countShared(0, n * ws);
                }
                state = ARRIVING;
                work++;
            }
            if (state == ARRIVING)
            {
                if (!scratch.allReached(NodeScratch.ARRIVED, g))
                {
                    return work;
                }
                if (chunk == 0) // every rank's intent, and its stamp, came before its first ARRIVED
                {
                    checkCalls(scratch, g);
                }
                final long sliceStart = Blocks.start(n, size, rank);
                final long sliceLength = Blocks.length(n, size, rank);
                if (sliceLength > 0)
                {
                    for (int r = 0; r < size; r++)
                    {
                        sources[r] = scratch.buffer(r, g) + sliceStart * ws;
                    }
                    final long mine = sources[rank];
                    ReduceKernels.reduceAll(op, working, mine, sources, sliceLength);
                    Precision.store(op, size, dtype, working, dstArray, dst + (first + sliceStart) * dtype.bytes(),
                        mine, sliceLength);
                }
                scratch.publish(NodeScratch.REDUCED, g);
                state = REDUCING;
                work++;
            }
            if (!scratch.allReached(NodeScratch.REDUCED, g))
            {
                return work;
            }
            for (int r = 0; r < size; r++)
            {
                final long sliceLength = Blocks.length(n, size, r);
                if (r != rank && sliceLength > 0)
                {
                    final long sliceStart = Blocks.start(n, size, r);
                    copyOut(dst + (first + sliceStart) * dtype.bytes(), scratch.buffer(r, g) + sliceStart * ws,
                        sliceLength);
                }
            }
            if (Counters.ON)
            {
                // the peers' slices of the chunk read twice: to reduce this rank's slice, then their results
                countShared((size - 1) * Blocks.length(n, size, rank) * ws +
                    (n - Blocks.length(n, size, rank)) * ws, 0);
            }
            scratch.publishAll(g);
            state = FREE;
            chunk++;
            work++;
        }
        done();
        return work;
    }

    /** A finished slice (already averaged) into the caller's type. */
    private void copyOut(final long to, final long from, final long elements)
    {
        if (working != dtype)
        {
            ReduceKernels.roundFromF32(dtype, to, from, elements);
        }
        else
        {
            UnsafeApi.copyMemory(null, from, dstArray, to, elements * dtype.bytes());
        }
    }

    @Override
    void ended()
    {
        srcArray = null; // the arrays are the caller's: not kept reachable past the call
        dstArray = null;
        inPlace.clear();
        turn.release(error());
    }
}
