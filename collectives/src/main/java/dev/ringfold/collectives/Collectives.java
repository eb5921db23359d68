package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.transport.mpinative.MpiCollectives;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The collectives of one communicator: {@code Collectives.of(comm).allReduce(...)}. Every operation exists
 * blocking and non-blocking ({@code i…}, returning a {@link CollectiveRequest}); both run the same algorithm
 * state machines. Buffers are off-heap addresses with element counts of a {@link DType}; {@code float[]},
 * {@code double[]}, {@code int[]} and {@code long[]} forms of all-reduce and broadcast work on the arrays directly
 * where the algorithm is the node's shared memory, and copy through an off-heap staging area otherwise. Like MPI, every rank of the communicator must call the same collectives in the same order.
 *
 * <p>Algorithm selection ({@link #algorithmFor}): all-reduce of at most {@value #SMALL_ALLREDUCE_BYTES} bytes, or
 * fewer elements than ranks, uses recursive doubling (fewest rounds), larger ones the ring (fewest bytes per
 * rank); broadcast under {@value #SMALL_BROADCAST_BYTES} bytes uses a binomial tree, larger ones a pipelined chain.
 * {@code RINGFOLD_ALLREDUCE_ALGORITHM=ring|recursive_doubling|mpi} and
 * {@code RINGFOLD_BROADCAST_ALGORITHM=binomial|chain|mpi}, or {@link #forceAllReduce}/{@link #forceBroadcast},
 * override the table (for benchmarking). {@code MPI} is the MPI library's own collective, on communicators of the
 * native device and for what MPI has (all-reduce: f32, f64, i32, i64 with sum, prod, min, max); elsewhere it
 * falls back to the table.
 */
public final class Collectives
{
    static final long SMALL_ALLREDUCE_BYTES = 32 * 1024;
    static final long SMALL_BROADCAST_BYTES = 64 * 1024;
    /** The tag a checked call's own operation starts with; its messages use {@link CheckedOperation#FINGERPRINT_TAG}. */
    private static final int CHECKED_START = CheckedOperation.FINGERPRINT_TAG;
    static final long NATIVE_MPI_ALLREDUCE_FROM = 64 * 1024;
    static final long NATIVE_MPI_LARGE = 16 << 20;

    public enum AllReduceAlgorithm
    {
        AUTO, RING, RECURSIVE_DOUBLING, SHARED_MEMORY, HIERARCHICAL, MPI
    }

    public enum BroadcastAlgorithm
    {
        AUTO, BINOMIAL, CHAIN, SHARED_MEMORY, HIERARCHICAL, MPI
    }

    private static final Map<Communicator, Collectives> INSTANCES = new WeakHashMap<>();

    private final Communicator comm;
    private int sequence;
    private AllReduceAlgorithm allReduceAlgorithm;
    private BroadcastAlgorithm broadcastAlgorithm;
    private RingAllReduce ring;
    private RecursiveDoublingAllReduce doubling;
    private SharedMemoryAllReduce sharedReduce;
    private HierarchicalAllReduce hierarchicalReduce;
    private SharedMemoryBroadcast sharedBroadcast;
    private HierarchicalBroadcast hierarchicalBroadcast;
    private NodeScratch nodeScratch;
    private Hierarchy hierarchy;
    private int oneNode; // 0 unknown, 1 yes, -1 no
    private BinomialBroadcast binomial;
    private ChainBroadcast chain;
    private BinomialReduce reduce;
    private RingAllGather gather;
    private LinearGather linear;
    private PairwiseAllToAll allToAll;
    private DisseminationBarrier barrier;
    private LinearScan scan;
    private InPlaceReduceScatter inPlaceReduceScatter; // node-shared (issue 15)
    private InPlaceAllGather inPlaceAllGather; // node-shared (issue 15)
    private UnsafeBuffer staging;
    private boolean checkCalls;
    private CheckedOperation checked;
    private final CallOrder checkedOrder = new CallOrder();
    private final Call next = new Call();
    private final boolean onNative;
    private MpiCollectives mpi;
    private MpiCollective mpiOperation;

    private Collectives(final Communicator comm)
    {
        this.comm = comm;
        this.onNative = MpiCollectives.available(comm);
        this.allReduceAlgorithm = AllReduceAlgorithm.valueOf(
            System.getenv().getOrDefault("RINGFOLD_ALLREDUCE_ALGORITHM", "auto").toUpperCase(Locale.ROOT));
        this.broadcastAlgorithm = BroadcastAlgorithm.valueOf(
            System.getenv().getOrDefault("RINGFOLD_BROADCAST_ALGORITHM", "auto").toUpperCase(Locale.ROOT));
        this.checkCalls = "1".equals(System.getenv("RINGFOLD_CHECK_COLLECTIVES"));
    }

    /** The collectives of a communicator (one instance per communicator: it numbers the calls). */
    public static synchronized Collectives of(final Communicator comm)
    {
        return INSTANCES.computeIfAbsent(comm, Collectives::new);
    }

    public Communicator communicator()
    {
        return comm;
    }

    /**
     * Checks every collective call against the other ranks' before it moves data (off by default; on with
     * RINGFOLD_CHECK_COLLECTIVES=1): a fingerprint of the call (sequence number, operation, dtype, count, root,
     * reduce op, algorithm) goes to every rank, and a difference raises {@link CollectiveMismatchException} on every
     * rank, naming both calls. It also lets a stalled call report which ranks have entered it. Costs one small
     * message to and from every rank per call. Every rank must set the same.
     */
    public Collectives checkCalls(final boolean check)
    {
        this.checkCalls = check;
        return this;
    }

    public boolean checksCalls()
    {
        return checkCalls;
    }

    /** Forces an all-reduce algorithm (AUTO restores the table); every rank must force the same. */
    public Collectives forceAllReduce(final AllReduceAlgorithm algorithm)
    {
        this.allReduceAlgorithm = algorithm;
        return this;
    }

    public Collectives forceBroadcast(final BroadcastAlgorithm algorithm)
    {
        this.broadcastAlgorithm = algorithm;
        return this;
    }

    /** The all-reduce algorithm used for this many elements of this type (the selection table). */
    public AllReduceAlgorithm algorithmFor(final long count, final DType dtype)
    {
        if (allReduceAlgorithm != AllReduceAlgorithm.AUTO && (allReduceAlgorithm != AllReduceAlgorithm.MPI || onNative))
        {
            return allReduceAlgorithm;
        }
        return onNative && mpiAllReduceIsFaster(count * dtype.bytes()) ? AllReduceAlgorithm.MPI :
            allReduceTable(count, dtype);
    }

    /**
     * Where MPI's own all-reduce beat ours over its point-to-point on the native device in most of three sittings
     * (Open MPI 4.1.4, 2 cores; BENCHMARKS.md, native device): with more than two ranks from 64 KiB up to (not
     * including) 16 MiB, with two ranks from 16 MiB. Elsewhere ours won or the two were within the noise.
     */
    private boolean mpiAllReduceIsFaster(final long bytes)
    {
        return comm.size() > 2 ? bytes >= NATIVE_MPI_ALLREDUCE_FROM && bytes < NATIVE_MPI_LARGE :
            bytes >= NATIVE_MPI_LARGE;
    }

    /**
     * Where MPI's broadcast beat ours on the native device in both passes of the sitting: with more than two ranks
     * below 16 MiB, with two ranks from 16 MiB.
     */
    private boolean mpiBroadcastIsFaster(final long bytes)
    {
        return comm.size() > 2 ? bytes < NATIVE_MPI_LARGE : bytes >= NATIVE_MPI_LARGE;
    }

    private AllReduceAlgorithm allReduceTable(final long count, final DType dtype)
    {
        if (count * dtype.bytes() <= SMALL_ALLREDUCE_BYTES || count < comm.size())
        {
            return AllReduceAlgorithm.RECURSIVE_DOUBLING;
        }
        if (comm.size() == 1)
        {
            return AllReduceAlgorithm.RING;
        }
        if (isOneNode())
        {
            return AllReduceAlgorithm.SHARED_MEMORY;
        }
        // on the native device MPI carries every message (no shared memory between ranks): our ring over it
        return onNative ? AllReduceAlgorithm.RING : AllReduceAlgorithm.HIERARCHICAL;
    }

    /**
     * Whether every rank of the communicator shares this rank's memory. The same answer on every rank: sharing a
     * node is an equivalence, so if one rank reaches all through shared memory, every rank does.
     */
    public boolean isOneNode()
    {
        if (oneNode == 0)
        {
            oneNode = 1;
            for (int r = 0; r < comm.size(); r++)
            {
                if (r != comm.rank() && !comm.transportTo(r).equals("shm"))
                {
                    oneNode = -1;
                }
            }
        }
        return oneNode > 0;
    }

    public BroadcastAlgorithm broadcastAlgorithmFor(final long bytes)
    {
        if (broadcastAlgorithm != BroadcastAlgorithm.AUTO && (broadcastAlgorithm != BroadcastAlgorithm.MPI || onNative))
        {
            return broadcastAlgorithm;
        }
        return onNative && mpiBroadcastIsFaster(bytes) ? BroadcastAlgorithm.MPI : broadcastTable(bytes);
    }

    private BroadcastAlgorithm broadcastTable(final long bytes)
    {
        if (bytes < SMALL_BROADCAST_BYTES || comm.size() == 1)
        {
            return BroadcastAlgorithm.BINOMIAL;
        }
        if (isOneNode())
        {
            return BroadcastAlgorithm.SHARED_MEMORY;
        }
        if (onNative)
        {
            return comm.size() <= 2 ? BroadcastAlgorithm.BINOMIAL : BroadcastAlgorithm.CHAIN;
        }
        return BroadcastAlgorithm.HIERARCHICAL;
    }

    private NodeScratch nodeScratch(final String op, final String algorithm)
    {
        if (!isOneNode())
        {
            throw new IllegalArgumentException(where(op) + ": " + algorithm + " needs every rank of " + comm.name() +
                " on one node (rank " + comm.rank() + " reaches some over tcp); use HIERARCHICAL");
        }
        if (nodeScratch == null && comm.size() > 1)
        {
            nodeScratch = NodeScratch.map(comm, nextTag());
        }
        return nodeScratch;
    }

    private Hierarchy hierarchy()
    {
        if (hierarchy == null)
        {
            hierarchy = Hierarchy.build(comm, this);
        }
        return hierarchy;
    }

    // -------------------------------------------------------------------------------------------- all-reduce

    /** {@code dst = src[0] op src[1] op …} over all ranks, element-wise; {@code src == dst} for in place. */
    public void allReduce(final long src, final long dst, final long count, final DType dtype, final ReduceOp op)
    {
        run(allReduceOperation(src, dst, count, dtype, op, true));
    }

    public CollectiveRequest iallReduce(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return start(allReduceOperation(src, dst, count, dtype, op, false));
    }

    private Operation allReduceOperation(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op, final boolean cached)
    {
        checkReduce("allReduce", count, dtype, op);
        next.set(Call.Kind.ALL_REDUCE, count, dtype, Call.NONE, op);
        AllReduceAlgorithm algorithm = algorithmFor(count, dtype);
        if (algorithm == AllReduceAlgorithm.MPI)
        {
            if (MpiCollective.supports(dtype, op, count))
            {
                return mpiOperation(cached).allReduce(src, dst, count, dtype, op);
            }
            algorithm = allReduceTable(count, dtype); // a type or op MPI lacks (bf16, avg, bitwise)
        }
        if (algorithm == AllReduceAlgorithm.SHARED_MEMORY)
        {
            return sharedAllReduce(cached).prepare(src, dst, count, dtype, op);
        }
        if (algorithm == AllReduceAlgorithm.HIERARCHICAL)
        {
            final Hierarchy h = hierarchy();
            final HierarchicalAllReduce o = cached && hierarchicalReduce != null && !hierarchicalReduce.isActive() ?
                hierarchicalReduce : new HierarchicalAllReduce(comm, h);
            if (cached)
            {
                hierarchicalReduce = o;
            }
            return o.prepare(src, dst, count, dtype, op);
        }
        if (algorithm == AllReduceAlgorithm.RING)
        {
            final RingAllReduce o = cached && ring != null && !ring.isActive() ? ring : new RingAllReduce(comm);
            if (cached)
            {
                ring = o;
            }
            return o.allReduce(src, dst, count, dtype, op);
        }
        final RecursiveDoublingAllReduce o = cached && doubling != null && !doubling.isActive() ? doubling :
            new RecursiveDoublingAllReduce(comm);
        if (cached)
        {
            doubling = o;
        }
        return o.prepare(src, dst, count, dtype, op);
    }

    private SharedMemoryAllReduce sharedAllReduce(final boolean cached)
    {
        final NodeScratch scratch = nodeScratch("allReduce", "SHARED_MEMORY");
        final SharedMemoryAllReduce o = cached && sharedReduce != null && !sharedReduce.isActive() ?
            sharedReduce : new SharedMemoryAllReduce(comm, scratch);
        if (cached)
        {
            sharedReduce = o;
        }
        return o;
    }

    /**
     * A persistent all-reduce (MPI_Allreduce_init): the algorithm's state machine, its scratch and the request are
     * made once; {@link CollectiveRequest#start()} runs it again over the same buffers, allocating nothing. Each
     * start takes the next sequence number like any collective, so every rank starts its persistent requests in
     * the same order relative to its other collectives on this communicator.
     */
    public CollectiveRequest allReduceInit(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        checkReduce("allReduceInit", count, dtype, op);
        final Operation o = algorithmFor(count, dtype) == AllReduceAlgorithm.RING ?
            new RingAllReduce(comm).allReduce(src, dst, count, dtype, op) :
            new RecursiveDoublingAllReduce(comm).prepare(src, dst, count, dtype, op);
        return new CollectiveRequest(o, comm, this);
    }

    /** {@link #allReduceInit(long, long, long, DType, ReduceOp)} in place on a contiguous tensor. */
    public CollectiveRequest allReduceInit(final Tensor tensor, final ReduceOp op)
    {
        final long address = contiguous("allReduceInit", tensor);
        return allReduceInit(address, address, tensor.elementCount(), tensor.dtype(), op);
    }

    /** In place on a contiguous tensor of any dtype: every rank's tensor ends as the reduction. */
    public void allReduce(final Tensor tensor, final ReduceOp op)
    {
        final long address = contiguous("allReduce", tensor);
        allReduce(address, address, tensor.elementCount(), tensor.dtype(), op);
    }

    public CollectiveRequest iallReduce(final Tensor tensor, final ReduceOp op)
    {
        final long address = contiguous("allReduce", tensor);
        return iallReduce(address, address, tensor.elementCount(), tensor.dtype(), op);
    }

    /** The root's tensor into every rank's (same dtype and element count expected on every rank). */
    public void broadcast(final Tensor tensor, final int root)
    {
        broadcast(contiguous("broadcast", tensor), tensor.elementCount(), tensor.dtype(), root);
    }

    private long contiguous(final String op, final Tensor tensor)
    {
        if (tensor == null)
        {
            throw new NullPointerException(where(op) + ": the tensor is null");
        }
        if (!tensor.isContiguous())
        {
            throw new IllegalArgumentException(where(op) + ": " + tensor.describe() +
                " is not contiguous; reduce a contiguous copy (Tensor.copy())");
        }
        return tensor.address(); // throws if the tensor is closed
    }

    public void allReduce(final float[] data, final int offset, final int count, final ReduceOp op)
    {
        allReduceArray(data, offset, data, offset, count, DType.F32, op);
    }

    /** {@code count} elements of {@code src} from {@code srcOffset}, reduced over all ranks into {@code dst}. */
    public void allReduce(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count,
        final ReduceOp op)
    {
        allReduceArray(src, srcOffset, dst, dstOffset, count, DType.F32, op);
    }

    public void allReduce(final double[] data, final int offset, final int count, final ReduceOp op)
    {
        allReduceArray(data, offset, data, offset, count, DType.F64, op);
    }

    /** {@code count} elements of {@code src} from {@code srcOffset}, reduced over all ranks into {@code dst}. */
    public void allReduce(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count,
        final ReduceOp op)
    {
        allReduceArray(src, srcOffset, dst, dstOffset, count, DType.F64, op);
    }

    public void allReduce(final int[] data, final int offset, final int count, final ReduceOp op)
    {
        allReduceArray(data, offset, data, offset, count, DType.I32, op);
    }

    /** {@code count} elements of {@code src} from {@code srcOffset}, reduced over all ranks into {@code dst}. */
    public void allReduce(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count,
        final ReduceOp op)
    {
        allReduceArray(src, srcOffset, dst, dstOffset, count, DType.I32, op);
    }

    public void allReduce(final long[] data, final int offset, final int count, final ReduceOp op)
    {
        allReduceArray(data, offset, data, offset, count, DType.I64, op);
    }

    /** {@code count} elements of {@code src} from {@code srcOffset}, reduced over all ranks into {@code dst}. */
    public void allReduce(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count,
        final ReduceOp op)
    {
        allReduceArray(src, srcOffset, dst, dstOffset, count, DType.I64, op);
    }

    // --------------------------------------------------------------------------------------------- broadcast

    /** Copies {@code count} elements at {@code address} on {@code root} to {@code address} on every rank. */
    public void broadcast(final long address, final long count, final DType dtype, final int root)
    {
        run(broadcastOperation(address, count, dtype, root, true));
    }

    public CollectiveRequest ibroadcast(final long address, final long count, final DType dtype, final int root)
    {
        return start(broadcastOperation(address, count, dtype, root, false));
    }

    private Operation broadcastOperation(final long address, final long count, final DType dtype, final int root,
        final boolean cached)
    {
        checkCount("broadcast", count, dtype);
        checkRoot("broadcast", root);
        next.set(Call.Kind.BROADCAST, count, dtype, root, null);
        final long bytes = count * dtype.bytes();
        BroadcastAlgorithm algorithm = broadcastAlgorithmFor(bytes);
        if (algorithm == BroadcastAlgorithm.MPI)
        {
            if (bytes <= Integer.MAX_VALUE)
            {
                return mpiOperation(cached).broadcast(address, bytes, root);
            }
            algorithm = broadcastTable(bytes); // beyond MPI's int count
        }
        if (algorithm == BroadcastAlgorithm.SHARED_MEMORY)
        {
            return sharedBroadcast(cached).prepare(address, bytes, root);
        }
        if (algorithm == BroadcastAlgorithm.HIERARCHICAL)
        {
            final Hierarchy h = hierarchy();
            final HierarchicalBroadcast o = cached && hierarchicalBroadcast != null &&
                !hierarchicalBroadcast.isActive() ? hierarchicalBroadcast : new HierarchicalBroadcast(comm, h);
            if (cached)
            {
                hierarchicalBroadcast = o;
            }
            return o.prepare(address, bytes, root);
        }
        if (algorithm == BroadcastAlgorithm.CHAIN)
        {
            final ChainBroadcast o = cached && chain != null && !chain.isActive() ? chain : new ChainBroadcast(comm);
            if (cached)
            {
                chain = o;
            }
            return o.prepare(address, bytes, root);
        }
        final BinomialBroadcast o = cached && binomial != null && !binomial.isActive() ? binomial :
            new BinomialBroadcast(comm);
        if (cached)
        {
            binomial = o;
        }
        return o.prepare(address, bytes, root);
    }

    private SharedMemoryBroadcast sharedBroadcast(final boolean cached)
    {
        final NodeScratch scratch = nodeScratch("broadcast", "SHARED_MEMORY");
        final SharedMemoryBroadcast o = cached && sharedBroadcast != null && !sharedBroadcast.isActive() ?
            sharedBroadcast : new SharedMemoryBroadcast(comm, scratch);
        if (cached)
        {
            sharedBroadcast = o;
        }
        return o;
    }

    public void broadcast(final float[] data, final int offset, final int count, final int root)
    {
        broadcastArray(data, offset, count, DType.F32, root);
    }

    public void broadcast(final double[] data, final int offset, final int count, final int root)
    {
        broadcastArray(data, offset, count, DType.F64, root);
    }

    public void broadcast(final int[] data, final int offset, final int count, final int root)
    {
        broadcastArray(data, offset, count, DType.I32, root);
    }

    public void broadcast(final long[] data, final int offset, final int count, final int root)
    {
        broadcastArray(data, offset, count, DType.I64, root);
    }

    // ------------------------------------------------------------------------------------------ the others

    /** {@code dst} on {@code root} = the reduction over all ranks of {@code src}; dst is not touched elsewhere. */
    public void reduce(final long src, final long dst, final long count, final DType dtype, final ReduceOp op,
        final int root)
    {
        run(reduceOperation(src, dst, count, dtype, op, root, true));
    }

    public CollectiveRequest ireduce(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op, final int root)
    {
        return start(reduceOperation(src, dst, count, dtype, op, root, false));
    }

    private Operation reduceOperation(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op, final int root, final boolean cached)
    {
        checkReduce("reduce", count, dtype, op);
        checkRoot("reduce", root);
        next.set(Call.Kind.REDUCE, count, dtype, root, op);
        final BinomialReduce o = cached && reduce != null && !reduce.isActive() ? reduce : new BinomialReduce(comm);
        if (cached)
        {
            reduce = o;
        }
        return o.prepare(src, dst, count, dtype, op, root);
    }

    /** Rank r's {@code count} elements land at element {@code r * count} of every rank's {@code dst}. */
    public void allGather(final long src, final long dst, final long count, final DType dtype)
    {
        next.set(Call.Kind.ALL_GATHER, count, dtype, Call.NONE, null);
        run(iallGatherOperation(src, dst, uniform(count, dtype), offsets(count, dtype), true));
    }

    public CollectiveRequest iallGather(final long src, final long dst, final long count, final DType dtype)
    {
        next.set(Call.Kind.ALL_GATHER, count, dtype, Call.NONE, null);
        return start(iallGatherOperation(src, dst, uniform(count, dtype), offsets(count, dtype), false));
    }

    /** Rank r's {@code counts[r]} elements land at element {@code displacements[r]} of every rank's dst. */
    public void allGatherv(final long src, final long dst, final long[] counts, final long[] displacements,
        final DType dtype)
    {
        next.set(Call.Kind.ALL_GATHERV, Call.NONE, dtype, Call.NONE, null);
        run(iallGatherOperation(src, dst, bytes("allGatherv", counts, dtype), bytes("allGatherv", displacements, dtype), true));
    }

    public CollectiveRequest iallGatherv(final long src, final long dst, final long[] counts,
        final long[] displacements, final DType dtype)
    {
        next.set(Call.Kind.ALL_GATHERV, Call.NONE, dtype, Call.NONE, null);
        return start(iallGatherOperation(src, dst, bytes("allGatherv", counts, dtype),
            bytes("allGatherv", displacements, dtype), false));
    }

    private Operation iallGatherOperation(final long src, final long dst, final long[] bytes, final long[] offsets,
        final boolean cached)
    {
        final RingAllGather o = cached && gather != null && !gather.isActive() ? gather : new RingAllGather(comm);
        if (cached)
        {
            gather = o;
        }
        // node-shared (issue 15): on one node the sources are read in place when every rank's is node-shared
        long total = 0;
        for (final long b : bytes)
        {
            total += b;
        }
        if (inPlaceCandidate(total))
        {
            final NodeScratch scratch = nodeScratch("allGather", "SHARED_MEMORY");
            final InPlaceAllGather p = cached && inPlaceAllGather != null && !inPlaceAllGather.isActive() ?
                inPlaceAllGather : new InPlaceAllGather(comm, scratch);
            if (cached)
            {
                inPlaceAllGather = p;
            }
            return p.prepare(src, dst, bytes, offsets, o.prepare(src, dst, bytes, offsets));
        }
        return o.prepare(src, dst, bytes, offsets);
    }

    /**
     * Node-shared (issue 15): whether a collective of this many bytes goes through the node region's in-place path
     * (every rank's source node-shared: read in place; otherwise the message-passing algorithm). The same answer on
     * every rank.
     */
    private boolean inPlaceCandidate(final long bytes)
    {
        return comm.size() > 1 && bytes > SMALL_ALLREDUCE_BYTES && isOneNode();
    }

    /** Node-shared (issue 15): the reduce-scatter, in place over node-shared sources or else {@code ring}. */
    private Operation reduceScatterOperation(final long src, final long dst, final long blockCount,
        final DType dtype, final ReduceOp op, final RingAllReduce ring, final boolean cached)
    {
        final Operation fallback = ring.reduceScatter(src, dst, blockCount, dtype, op);
        if (!inPlaceCandidate(blockCount * comm.size() * dtype.bytes()))
        {
            return fallback;
        }
        final NodeScratch scratch = nodeScratch("reduceScatter", "SHARED_MEMORY");
        final InPlaceReduceScatter p = cached && inPlaceReduceScatter != null && !inPlaceReduceScatter.isActive() ?
            inPlaceReduceScatter : new InPlaceReduceScatter(comm, scratch);
        if (cached)
        {
            inPlaceReduceScatter = p;
        }
        return p.prepare(src, dst, blockCount, dtype, op, fallback);
    }

    /** {@code src} holds n blocks of {@code blockCount}; rank r gets the reduction of block r in {@code dst}. */
    public void reduceScatter(final long src, final long dst, final long blockCount, final DType dtype,
        final ReduceOp op)
    {
        checkReduce("reduceScatter", blockCount * comm.size(), dtype, op);
        next.set(Call.Kind.REDUCE_SCATTER, blockCount, dtype, Call.NONE, op);
        final RingAllReduce o = ring != null && !ring.isActive() ? ring : new RingAllReduce(comm);
        ring = o;
        run(reduceScatterOperation(src, dst, blockCount, dtype, op, o, true));
    }

    public CollectiveRequest ireduceScatter(final long src, final long dst, final long blockCount, final DType dtype,
        final ReduceOp op)
    {
        checkReduce("reduceScatter", blockCount * comm.size(), dtype, op);
        next.set(Call.Kind.REDUCE_SCATTER, blockCount, dtype, Call.NONE, op);
        return start(reduceScatterOperation(src, dst, blockCount, dtype, op, new RingAllReduce(comm), false));
    }

    /** Every rank's {@code count} elements land at element {@code r * count} of the root's {@code dst}. */
    public void gather(final long src, final long dst, final long count, final DType dtype, final int root)
    {
        checkRoot("gather", root);
        next.set(Call.Kind.GATHER, count, dtype, root, null);
        run(linear(true).gather(src, dst, uniform(count, dtype), offsets(count, dtype), root));
    }

    public CollectiveRequest igather(final long src, final long dst, final long count, final DType dtype,
        final int root)
    {
        checkRoot("gather", root);
        next.set(Call.Kind.GATHER, count, dtype, root, null);
        return start(linear(false).gather(src, dst, uniform(count, dtype), offsets(count, dtype), root));
    }

    public void gatherv(final long src, final long dst, final long[] counts, final long[] displacements,
        final DType dtype, final int root)
    {
        checkRoot("gatherv", root);
        next.set(Call.Kind.GATHERV, Call.NONE, dtype, root, null);
        run(linear(true).gather(src, dst, bytes("gatherv", counts, dtype), bytes("gatherv", displacements, dtype), root));
    }

    public CollectiveRequest igatherv(final long src, final long dst, final long[] counts, final long[] displacements,
        final DType dtype, final int root)
    {
        checkRoot("gatherv", root);
        next.set(Call.Kind.GATHERV, Call.NONE, dtype, root, null);
        return start(linear(false).gather(src, dst, bytes("gatherv", counts, dtype), bytes("gatherv", displacements, dtype),
            root));
    }

    /** Block r ({@code count} elements at element {@code r * count}) of the root's {@code src} goes to rank r. */
    public void scatter(final long src, final long dst, final long count, final DType dtype, final int root)
    {
        checkRoot("scatter", root);
        next.set(Call.Kind.SCATTER, count, dtype, root, null);
        run(linear(true).scatter(src, dst, uniform(count, dtype), offsets(count, dtype), root));
    }

    public CollectiveRequest iscatter(final long src, final long dst, final long count, final DType dtype,
        final int root)
    {
        checkRoot("scatter", root);
        next.set(Call.Kind.SCATTER, count, dtype, root, null);
        return start(linear(false).scatter(src, dst, uniform(count, dtype), offsets(count, dtype), root));
    }

    public void scatterv(final long src, final long[] counts, final long[] displacements, final long dst,
        final DType dtype, final int root)
    {
        checkRoot("scatterv", root);
        next.set(Call.Kind.SCATTERV, Call.NONE, dtype, root, null);
        run(linear(true).scatter(src, dst, bytes("scatterv", counts, dtype), bytes("scatterv", displacements, dtype), root));
    }

    public CollectiveRequest iscatterv(final long src, final long[] counts, final long[] displacements, final long dst,
        final DType dtype, final int root)
    {
        checkRoot("scatterv", root);
        next.set(Call.Kind.SCATTERV, Call.NONE, dtype, root, null);
        return start(linear(false).scatter(src, dst, bytes("scatterv", counts, dtype),
            bytes("scatterv", displacements, dtype), root));
    }

    private LinearGather linear(final boolean cached)
    {
        final LinearGather o = cached && linear != null && !linear.isActive() ? linear : new LinearGather(comm);
        if (cached)
        {
            linear = o;
        }
        return o;
    }

    /** Block r of every rank's {@code src} goes to rank r, where it lands as block (sender) of {@code dst}. */
    public void allToAll(final long src, final long dst, final long count, final DType dtype)
    {
        final long[] b = uniform(count, dtype);
        final long[] o = offsets(count, dtype);
        next.set(Call.Kind.ALL_TO_ALL, count, dtype, Call.NONE, null);
        run(allToAll(true).prepare(src, b, o, dst, b, o));
    }

    public CollectiveRequest iallToAll(final long src, final long dst, final long count, final DType dtype)
    {
        final long[] b = uniform(count, dtype);
        final long[] o = offsets(count, dtype);
        next.set(Call.Kind.ALL_TO_ALL, count, dtype, Call.NONE, null);
        return start(allToAll(false).prepare(src, b, o, dst, b, o));
    }

    public void allToAllv(final long src, final long[] sendCounts, final long[] sendDisplacements, final long dst,
        final long[] recvCounts, final long[] recvDisplacements, final DType dtype)
    {
        next.set(Call.Kind.ALL_TO_ALLV, Call.NONE, dtype, Call.NONE, null);
        run(allToAll(true).prepare(src, bytes("allToAllv", sendCounts, dtype), bytes("allToAllv", sendDisplacements, dtype),
            dst, bytes("allToAllv", recvCounts, dtype), bytes("allToAllv", recvDisplacements, dtype)));
    }

    public CollectiveRequest iallToAllv(final long src, final long[] sendCounts, final long[] sendDisplacements,
        final long dst, final long[] recvCounts, final long[] recvDisplacements, final DType dtype)
    {
        next.set(Call.Kind.ALL_TO_ALLV, Call.NONE, dtype, Call.NONE, null);
        return start(allToAll(false).prepare(src, bytes("allToAllv", sendCounts, dtype),
            bytes("allToAllv", sendDisplacements, dtype), dst, bytes("allToAllv", recvCounts, dtype),
            bytes("allToAllv", recvDisplacements, dtype)));
    }

    private PairwiseAllToAll allToAll(final boolean cached)
    {
        final PairwiseAllToAll o = cached && allToAll != null && !allToAll.isActive() ? allToAll :
            new PairwiseAllToAll(comm);
        if (cached)
        {
            allToAll = o;
        }
        return o;
    }

    public void barrier()
    {
        final DisseminationBarrier o = barrier != null && !barrier.isActive() ? barrier : new DisseminationBarrier(comm);
        barrier = o;
        next.set(Call.Kind.BARRIER, Call.NONE, null, Call.NONE, null);
        run(o);
    }

    public CollectiveRequest ibarrier()
    {
        next.set(Call.Kind.BARRIER, Call.NONE, null, Call.NONE, null);
        return start(new DisseminationBarrier(comm));
    }

    /** Inclusive prefix: rank r gets {@code src[0] op … op src[r]}. */
    public void scan(final long src, final long dst, final long count, final DType dtype, final ReduceOp op)
    {
        run(scanOperation(false, src, dst, count, dtype, op, true));
    }

    /** Exclusive prefix: rank r gets {@code src[0] op … op src[r-1]}; rank 0's dst is left as it was. */
    public void exscan(final long src, final long dst, final long count, final DType dtype, final ReduceOp op)
    {
        run(scanOperation(true, src, dst, count, dtype, op, true));
    }

    public CollectiveRequest iscan(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return start(scanOperation(false, src, dst, count, dtype, op, false));
    }

    public CollectiveRequest iexscan(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return start(scanOperation(true, src, dst, count, dtype, op, false));
    }

    private Operation scanOperation(final boolean exclusive, final long src, final long dst, final long count,
        final DType dtype, final ReduceOp op, final boolean cached)
    {
        checkReduce(exclusive ? "exscan" : "scan", count, dtype, op);
        next.set(exclusive ? Call.Kind.EXSCAN : Call.Kind.SCAN, count, dtype, Call.NONE, op);
        if (op == ReduceOp.AVG)
        {
            throw new IllegalArgumentException(where(exclusive ? "exscan" : "scan") + ": AVG is not a prefix operation");
        }
        final LinearScan o = cached && scan != null && !scan.isActive() ? scan : new LinearScan(comm);
        if (cached)
        {
            scan = o;
        }
        return o.prepare(exclusive, src, dst, count, dtype, op);
    }

    // ---------------------------------------------------------------------------------------------- running

    /** The MPI collective, its MPI communicator made on first use (collective: every rank gets here together). */
    private MpiCollective mpiOperation(final boolean cached)
    {
        if (mpi == null)
        {
            mpi = MpiCollectives.of(comm);
        }
        final MpiCollective o = cached && mpiOperation != null && !mpiOperation.isActive() ? mpiOperation :
            new MpiCollective(comm, mpi);
        if (cached)
        {
            mpiOperation = o;
        }
        return o;
    }

    private void run(final Operation op)
    {
        final Operation o = checkCalls ? checked(op, true) : op;
        o.start(checkCalls ? CHECKED_START : nextTag());
        if (!o.isComplete())
        {
            comm.await(o);
        }
        final RuntimeException error = o.error();
        if (error != null)
        {
            throw error;
        }
    }

    private CollectiveRequest start(final Operation op)
    {
        final Operation o = checkCalls ? checked(op, false) : op;
        o.start(checkCalls ? CHECKED_START : nextTag());
        return new CollectiveRequest(o, comm);
    }

    /** The call wrapped in its check, with the tag and sequence number it would have had unchecked. */
    private CheckedOperation checked(final Operation op, final boolean cached)
    {
        final CheckedOperation c = cached && checked != null && !checked.isActive() ? checked : new CheckedOperation(comm, checkedOrder);
        if (cached)
        {
            checked = c;
        }
        c.call().set(next.kind, next.count, next.dtype, next.root, next.op);
        final int callNumber = sequence;
        return c.wrap(op, callNumber, nextTag());
    }

    /** Starts a persistent request's operation again (see {@link #allReduceInit}). */
    void restart(final Operation op)
    {
        op.start(nextTag());
    }

    private int nextTag()
    {
        return Communicator.FIRST_COLLECTIVE_TAG + (sequence++ & 0x3FFF_FFFF);
    }

    // ---------------------------------------------------------------------------------------------- checks

    private String where(final String op)
    {
        return "rank " + comm.rank() + " of " + comm.name() + ": " + op;
    }

    private void checkCount(final String op, final long count, final DType dtype)
    {
        if (dtype == null)
        {
            throw new NullPointerException(where(op) + ": dtype is null");
        }
        if (count < 0)
        {
            throw new IllegalArgumentException(where(op) + ": count=" + count + " must be >= 0");
        }
        if (count * dtype.bytes() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(where(op) + ": " + count + " " + dtype + " elements are more than " +
                Integer.MAX_VALUE + " bytes");
        }
    }

    private void checkReduce(final String op, final long count, final DType dtype, final ReduceOp reduceOp)
    {
        checkCount(op, count, dtype);
        if (reduceOp == null)
        {
            throw new NullPointerException(where(op) + ": op is null");
        }
        if (!reduceOp.supports(dtype))
        {
            throw new IllegalArgumentException(where(op) + ": " + reduceOp + " is not defined for " + dtype +
                " (bitwise ops need an integer type)");
        }
    }

    private void checkRoot(final String op, final int root)
    {
        if (root < 0 || root >= comm.size())
        {
            throw new IllegalArgumentException(where(op) + ": root=" + root + " is outside [0, " + comm.size() + ")");
        }
    }

    private int checkArray(final String op, final String name, final Object array, final int offset, final int count)
    {
        if (array == null)
        {
            throw new NullPointerException(where(op) + ": " + name + " is null");
        }
        final int length = java.lang.reflect.Array.getLength(array);
        if (count < 0 || offset < 0 || (long)offset + count > length)
        {
            throw new IndexOutOfBoundsException(where(op) + ": " + name + " offset=" + offset + " count=" + count +
                " does not fit an array of length " + length);
        }
        return length;
    }

    private long[] uniform(final long count, final DType dtype)
    {
        checkCount("collective", count, dtype);
        final long[] b = new long[comm.size()];
        java.util.Arrays.fill(b, count * dtype.bytes());
        return b;
    }

    private long[] offsets(final long count, final DType dtype)
    {
        final long[] o = new long[comm.size()];
        for (int r = 0; r < o.length; r++)
        {
            o[r] = r * count * dtype.bytes();
        }
        return o;
    }

    private long[] bytes(final String op, final long[] elements, final DType dtype)
    {
        if (elements == null || elements.length != comm.size())
        {
            throw new IllegalArgumentException(where(op) + ": counts and displacements need one entry per rank (" +
                comm.size() + "), got " + (elements == null ? "null" : String.valueOf(elements.length)));
        }
        final long[] b = new long[elements.length];
        for (int r = 0; r < b.length; r++)
        {
            if (elements[r] < 0)
            {
                throw new IllegalArgumentException(where(op) + ": entry " + r + " is " + elements[r] + ", must be >= 0");
            }
            b[r] = elements[r] * dtype.bytes();
        }
        return b;
    }

    /**
     * The shared-memory algorithms copy the caller's memory in and out of the node region and nothing else, so they
     * take the arrays as they are; every other algorithm sends from and reduces in its buffers, so the arrays go
     * through the off-heap staging area: copied in, reduced in place there, copied back. Overlapping source and
     * destination at different offsets also stage (the whole source is read before any result is written).
     */
    private void allReduceArray(final Object src, final int srcOffset, final Object dst, final int dstOffset,
        final int count, final DType dtype, final ReduceOp op)
    {
        checkArray("allReduce", "src", src, srcOffset, count);
        checkArray("allReduce", "dst", dst, dstOffset, count);
        checkReduce("allReduce", count, dtype, op);
        final boolean shifted = src == dst && srcOffset != dstOffset && Math.abs(srcOffset - dstOffset) < count;
        if (!shifted && algorithmFor(count, dtype) == AllReduceAlgorithm.SHARED_MEMORY)
        {
            next.set(Call.Kind.ALL_REDUCE, count, dtype, Call.NONE, op);
            run(sharedAllReduce(true).prepare(src, element(src, srcOffset, dtype), dst, element(dst, dstOffset, dtype),
                count, dtype, op));
            return;
        }
        final long at = stage(src, srcOffset, (long)count * dtype.bytes(), dtype);
        allReduce(at, at, count, dtype, op);
        unstage(dst, dstOffset, (long)count * dtype.bytes(), dtype);
    }

    private void broadcastArray(final Object array, final int offset, final int count, final DType dtype,
        final int root)
    {
        checkArray("broadcast", "data", array, offset, count);
        checkCount("broadcast", count, dtype);
        checkRoot("broadcast", root);
        final long bytes = (long)count * dtype.bytes();
        if (broadcastAlgorithmFor(bytes) == BroadcastAlgorithm.SHARED_MEMORY)
        {
            next.set(Call.Kind.BROADCAST, count, dtype, root, null);
            run(sharedBroadcast(true).prepare(array, element(array, offset, dtype), bytes, root));
            return;
        }
        final long at = stage(array, offset, bytes, dtype);
        broadcast(at, count, dtype, root);
        unstage(array, offset, bytes, dtype);
    }

    /** The {@code Unsafe} offset of an array's element. */
    private static long element(final Object array, final int index, final DType dtype)
    {
        return UnsafeApi.arrayBaseOffset(array.getClass()) + (long)index * dtype.bytes();
    }

    // --------------------------------------------------------------------------------------------- staging

    private long stage(final Object array, final int offset, final long bytes, final DType dtype)
    {
        if (staging == null || staging.capacity() < bytes)
        {
            staging = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)Math.max(64, bytes), 64));
        }
        UnsafeApi.copyMemory(array, element(array, offset, dtype), null, staging.addressOffset(), bytes);
        return staging.addressOffset();
    }

    private void unstage(final Object array, final int offset, final long bytes, final DType dtype)
    {
        UnsafeApi.copyMemory(null, staging.addressOffset(), array, element(array, offset, dtype), bytes);
    }
}
