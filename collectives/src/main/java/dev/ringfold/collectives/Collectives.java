package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.internal.CommunicatorInternals;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;

/**
 * The collectives of one communicator: {@code Collectives.of(comm).allReduce(...)}. Every operation exists blocking
 * and non-blocking ({@code i…}, returning a {@link CollectiveRequest}), all-reduce and broadcast also persistent
 * ({@code …Init}); all three run the same algorithm state machines, chosen by one {@link SelectionTable} and started
 * through one {@link CallSequence} (sequence numbers, call checks). Buffers are off-heap addresses with element
 * counts of a {@link DType}; every operation also takes Java primitive arrays with offsets ({@link ArrayStaging}).
 * Like MPI, every rank of the communicator must call the same collectives in the same order.
 *
 * <p>This class only checks arguments and hands calls on: the table picks the algorithm
 * ({@code RINGFOLD_ALLREDUCE_ALGORITHM}, {@code RINGFOLD_BROADCAST_ALGORITHM}, {@link #forceAllReduce} and
 * {@link #forceBroadcast} override it, for benchmarking), {@link CommunicatorState} keeps what the algorithms keep,
 * attached to the communicator and released by its {@code close()}.
 */
public final class Collectives
{
    public enum AllReduceAlgorithm
    {
        AUTO, RING, RECURSIVE_DOUBLING, SHARED_MEMORY, HIERARCHICAL, MPI
    }

    public enum BroadcastAlgorithm
    {
        AUTO, BINOMIAL, CHAIN, SHARED_MEMORY, HIERARCHICAL, MPI
    }

    private final CommunicatorState state;
    private final Communicator comm;
    private final SelectionTable table;
    private final CallSequence calls;
    private final Call next;
    private final Arguments args;
    private final ArrayStaging arrays;

    Collectives(final CommunicatorState state)
    {
        this.state = state;
        this.comm = state.comm;
        this.table = state.table;
        this.calls = state.calls;
        this.next = calls.next;
        this.args = new Arguments(comm);
        this.arrays = new ArrayStaging(state, this, args);
    }

    /**
     * The collectives of a communicator: one instance per communicator (it numbers the calls), attached to it and
     * released by its {@code close()}; throws {@code CommunicatorClosedException} on a closed communicator.
     */
    public static Collectives of(final Communicator comm)
    {
        return CommunicatorInternals.attached(comm, CommunicatorState.class, CommunicatorState::new).collectives;
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
     * message to and from every rank per call. Every rank must set the same. A persistent request is checked at
     * every start if checks were on when it was made.
     */
    public Collectives checkCalls(final boolean check)
    {
        calls.checkCalls(check);
        return this;
    }

    public boolean checksCalls()
    {
        return calls.checksCalls();
    }

    /** Forces an all-reduce algorithm (AUTO restores the table); every rank must force the same. */
    public Collectives forceAllReduce(final AllReduceAlgorithm algorithm)
    {
        table.force(algorithm);
        return this;
    }

    public Collectives forceBroadcast(final BroadcastAlgorithm algorithm)
    {
        table.force(algorithm);
        return this;
    }

    /** The all-reduce algorithm the table picks for this many elements of this type summed. */
    public AllReduceAlgorithm algorithmFor(final long count, final DType dtype)
    {
        return algorithmFor(count, dtype, ReduceOp.SUM);
    }

    /** The all-reduce algorithm the table picks for this many elements of this type reduced with {@code op}. */
    public AllReduceAlgorithm algorithmFor(final long count, final DType dtype, final ReduceOp op)
    {
        return (AllReduceAlgorithm)table.allReduce(count, dtype, op).name;
    }

    public BroadcastAlgorithm broadcastAlgorithmFor(final long bytes)
    {
        return (BroadcastAlgorithm)table.broadcast(bytes).name;
    }

    /**
     * Whether every rank of the communicator shares this rank's memory. The same answer on every rank: sharing a
     * node is an equivalence, so if one rank reaches all through shared memory, every rank does.
     */
    public boolean isOneNode()
    {
        return table.isOneNode();
    }

    // -------------------------------------------------------------------------------------------- all-reduce

    /** {@code dst = src[0] op src[1] op …} over all ranks, element-wise; {@code src == dst} for in place. */
    public void allReduce(final long src, final long dst, final long count, final DType dtype, final ReduceOp op)
    {
        calls.run(allReduceOperation("allReduce", src, dst, count, dtype, op, true));
    }

    public CollectiveRequest iallReduce(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return calls.start(allReduceOperation("allReduce", src, dst, count, dtype, op, false));
    }

    /**
     * A persistent all-reduce (MPI_Allreduce_init): the algorithm the table picks for it, its state machine, its
     * scratch, its call check and the request are made once; {@link CollectiveRequest#start()} runs it again over
     * the same buffers, allocating nothing. Each start takes the next sequence number like any collective, so every
     * rank starts its persistent requests in the same order relative to its other collectives on this communicator.
     */
    public CollectiveRequest allReduceInit(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return calls.persistent(allReduceOperation("allReduceInit", src, dst, count, dtype, op, false));
    }

    /** {@link #allReduceInit(long, long, long, DType, ReduceOp)} in place on a contiguous tensor. */
    public CollectiveRequest allReduceInit(final Tensor tensor, final ReduceOp op)
    {
        final long address = args.contiguous("allReduceInit", tensor);
        return allReduceInit(address, address, tensor.elementCount(), tensor.dtype(), op);
    }

    /** In place on a contiguous tensor of any dtype: every rank's tensor ends as the reduction. */
    public void allReduce(final Tensor tensor, final ReduceOp op)
    {
        final long address = args.contiguous("allReduce", tensor);
        allReduce(address, address, tensor.elementCount(), tensor.dtype(), op);
    }

    public CollectiveRequest iallReduce(final Tensor tensor, final ReduceOp op)
    {
        final long address = args.contiguous("allReduce", tensor);
        return iallReduce(address, address, tensor.elementCount(), tensor.dtype(), op);
    }

    private Operation allReduceOperation(final String call, final long src, final long dst, final long count,
        final DType dtype, final ReduceOp op, final boolean reuse)
    {
        args.reduce(call, count, dtype, op);
        // first: making the state machine may itself make collective calls (the hierarchy's, the region's)
        final AllReducer algorithm = allReducer(count, dtype, op, reuse);
        next.set(Call.Kind.ALL_REDUCE, count, dtype, Call.NONE, op);
        return algorithm.allReduce(src, dst, count, dtype, op);
    }

    /** The table's all-reduce for the call (for {@link ArrayStaging}, which may address arrays directly). */
    AllReducer allReducer(final long count, final DType dtype, final ReduceOp op, final boolean reuse)
    {
        next.set(Call.Kind.ALL_REDUCE, count, dtype, Call.NONE, op); // what a first use's set-up agrees on
        return (AllReducer)state.operation(table.allReduce(count, dtype, op), reuse);
    }

    // --------------------------------------------------------------------------------------------- broadcast

    /** Copies {@code count} elements at {@code address} on {@code root} to {@code address} on every rank. */
    public void broadcast(final long address, final long count, final DType dtype, final int root)
    {
        calls.run(broadcastOperation("broadcast", address, count, dtype, root, true));
    }

    public CollectiveRequest ibroadcast(final long address, final long count, final DType dtype, final int root)
    {
        return calls.start(broadcastOperation("broadcast", address, count, dtype, root, false));
    }

    /** A persistent broadcast (MPI_Bcast_init), made once and run again by each {@link CollectiveRequest#start()}. */
    public CollectiveRequest broadcastInit(final long address, final long count, final DType dtype, final int root)
    {
        return calls.persistent(broadcastOperation("broadcastInit", address, count, dtype, root, false));
    }

    /** The root's tensor into every rank's (same dtype and element count expected on every rank). */
    public void broadcast(final Tensor tensor, final int root)
    {
        broadcast(args.contiguous("broadcast", tensor), tensor.elementCount(), tensor.dtype(), root);
    }

    private Operation broadcastOperation(final String call, final long address, final long count, final DType dtype,
        final int root, final boolean reuse)
    {
        args.count(call, count, dtype);
        args.root(call, root);
        final long bytes = count * dtype.bytes();
        final Broadcaster algorithm = broadcaster(count, dtype, root, reuse); // first, as for all-reduce
        next.set(Call.Kind.BROADCAST, count, dtype, root, null);
        return algorithm.broadcast(address, bytes, root);
    }

    Broadcaster broadcaster(final long count, final DType dtype, final int root, final boolean reuse)
    {
        next.set(Call.Kind.BROADCAST, count, dtype, root, null); // what a first use's set-up agrees on
        return (Broadcaster)state.operation(table.broadcast(count * dtype.bytes()), reuse);
    }

    // ------------------------------------------------------------------------------------------ the others

    /** {@code dst} on {@code root} = the reduction over all ranks of {@code src}; dst is not touched elsewhere. */
    public void reduce(final long src, final long dst, final long count, final DType dtype, final ReduceOp op,
        final int root)
    {
        calls.run(reduceOperation(src, dst, count, dtype, op, root, true));
    }

    public CollectiveRequest ireduce(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op, final int root)
    {
        return calls.start(reduceOperation(src, dst, count, dtype, op, root, false));
    }

    private Operation reduceOperation(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op, final int root, final boolean reuse)
    {
        args.reduce("reduce", count, dtype, op);
        args.root("reduce", root);
        next.set(Call.Kind.REDUCE, count, dtype, root, op);
        return ((BinomialReduce)state.operation(Algorithm.BINOMIAL_REDUCE, reuse)).prepare(src, dst, count, dtype, op,
            root);
    }

    /** Rank r's {@code count} elements land at element {@code r * count} of every rank's {@code dst}. */
    public void allGather(final long src, final long dst, final long count, final DType dtype)
    {
        calls.run(allGatherOperation(Call.Kind.ALL_GATHER, src, dst, count, args.uniform("allGather", count, dtype),
            args.offsets(count, dtype), dtype, true));
    }

    public CollectiveRequest iallGather(final long src, final long dst, final long count, final DType dtype)
    {
        return calls.start(allGatherOperation(Call.Kind.ALL_GATHER, src, dst, count,
            args.uniform("allGather", count, dtype), args.offsets(count, dtype), dtype, false));
    }

    /** Rank r's {@code counts[r]} elements land at element {@code displacements[r]} of every rank's dst. */
    public void allGatherv(final long src, final long dst, final long[] counts, final long[] displacements,
        final DType dtype)
    {
        calls.run(allGatherOperation(Call.Kind.ALL_GATHERV, src, dst, Call.NONE, args.bytes("allGatherv", counts, dtype),
            args.bytes("allGatherv", displacements, dtype), dtype, true));
    }

    public CollectiveRequest iallGatherv(final long src, final long dst, final long[] counts,
        final long[] displacements, final DType dtype)
    {
        return calls.start(allGatherOperation(Call.Kind.ALL_GATHERV, src, dst, Call.NONE,
            args.bytes("allGatherv", counts, dtype), args.bytes("allGatherv", displacements, dtype), dtype, false));
    }

    private Operation allGatherOperation(final Call.Kind kind, final long src, final long dst, final long count,
        final long[] bytes, final long[] offsets, final DType dtype, final boolean reuse)
    {
        next.set(kind, count, dtype, Call.NONE, null);
        final Operation ring = ((RingAllGather)state.operation(Algorithm.RING_ALL_GATHER, reuse)).prepare(src, dst,
            bytes, offsets);
        // node-shared (issue 15): on one node the sources are read in place when every rank's is node-shared
        long total = 0;
        for (final long b : bytes)
        {
            total += b;
        }
        return inPlaceCandidate(total) ? ((InPlaceAllGather)state.operation(Algorithm.IN_PLACE_ALL_GATHER, reuse))
            .prepare(src, dst, bytes, offsets, ring) : ring;
    }

    /**
     * Node-shared (issue 15): whether a collective of this many bytes goes through the node region's in-place path
     * (every rank's source node-shared: read in place; otherwise the message-passing algorithm). The same answer on
     * every rank.
     */
    private boolean inPlaceCandidate(final long bytes)
    {
        return comm.size() > 1 && bytes > SelectionTable.SMALL_ALLREDUCE_BYTES && isOneNode();
    }

    /** {@code src} holds n blocks of {@code blockCount}; rank r gets the reduction of block r in {@code dst}. */
    public void reduceScatter(final long src, final long dst, final long blockCount, final DType dtype,
        final ReduceOp op)
    {
        calls.run(reduceScatterOperation(src, dst, blockCount, dtype, op, true));
    }

    public CollectiveRequest ireduceScatter(final long src, final long dst, final long blockCount, final DType dtype,
        final ReduceOp op)
    {
        return calls.start(reduceScatterOperation(src, dst, blockCount, dtype, op, false));
    }

    private Operation reduceScatterOperation(final long src, final long dst, final long blockCount, final DType dtype,
        final ReduceOp op, final boolean reuse)
    {
        args.reduce("reduceScatter", blockCount * comm.size(), dtype, op);
        next.set(Call.Kind.REDUCE_SCATTER, blockCount, dtype, Call.NONE, op);
        final Operation ring = ((RingAllReduce)state.operation(Algorithm.RING, reuse)).reduceScatter(src, dst,
            blockCount, dtype, op);
        // node-shared (issue 15): in place over node-shared sources, else the ring
        return inPlaceCandidate(blockCount * comm.size() * dtype.bytes()) ?
            ((InPlaceReduceScatter)state.operation(Algorithm.IN_PLACE_REDUCE_SCATTER, reuse)).prepare(src, dst,
                blockCount, dtype, op, ring) : ring;
    }

    /** Every rank's {@code count} elements land at element {@code r * count} of the root's {@code dst}. */
    public void gather(final long src, final long dst, final long count, final DType dtype, final int root)
    {
        calls.run(gatherOperation(Call.Kind.GATHER, false, src, dst, count, args.uniform("gather", count, dtype),
            args.offsets(count, dtype), dtype, root, true));
    }

    public CollectiveRequest igather(final long src, final long dst, final long count, final DType dtype,
        final int root)
    {
        return calls.start(gatherOperation(Call.Kind.GATHER, false, src, dst, count, args.uniform("gather", count, dtype),
            args.offsets(count, dtype), dtype, root, false));
    }

    public void gatherv(final long src, final long dst, final long[] counts, final long[] displacements,
        final DType dtype, final int root)
    {
        calls.run(gatherOperation(Call.Kind.GATHERV, false, src, dst, Call.NONE, args.bytes("gatherv", counts, dtype),
            args.bytes("gatherv", displacements, dtype), dtype, root, true));
    }

    public CollectiveRequest igatherv(final long src, final long dst, final long[] counts, final long[] displacements,
        final DType dtype, final int root)
    {
        return calls.start(gatherOperation(Call.Kind.GATHERV, false, src, dst, Call.NONE,
            args.bytes("gatherv", counts, dtype), args.bytes("gatherv", displacements, dtype), dtype, root, false));
    }

    /** Block r ({@code count} elements at element {@code r * count}) of the root's {@code src} goes to rank r. */
    public void scatter(final long src, final long dst, final long count, final DType dtype, final int root)
    {
        calls.run(gatherOperation(Call.Kind.SCATTER, true, dst, src, count, args.uniform("scatter", count, dtype),
            args.offsets(count, dtype), dtype, root, true));
    }

    public CollectiveRequest iscatter(final long src, final long dst, final long count, final DType dtype,
        final int root)
    {
        return calls.start(gatherOperation(Call.Kind.SCATTER, true, dst, src, count,
            args.uniform("scatter", count, dtype), args.offsets(count, dtype), dtype, root, false));
    }

    public void scatterv(final long src, final long[] counts, final long[] displacements, final long dst,
        final DType dtype, final int root)
    {
        calls.run(gatherOperation(Call.Kind.SCATTERV, true, dst, src, Call.NONE, args.bytes("scatterv", counts, dtype),
            args.bytes("scatterv", displacements, dtype), dtype, root, true));
    }

    public CollectiveRequest iscatterv(final long src, final long[] counts, final long[] displacements, final long dst,
        final DType dtype, final int root)
    {
        return calls.start(gatherOperation(Call.Kind.SCATTERV, true, dst, src, Call.NONE,
            args.bytes("scatterv", counts, dtype), args.bytes("scatterv", displacements, dtype), dtype, root, false));
    }

    /** A gather ({@code local} to the root's {@code rootBuffer}) or a scatter (the other way). */
    private Operation gatherOperation(final Call.Kind kind, final boolean scatter, final long local,
        final long rootBuffer, final long count, final long[] bytes, final long[] offsets, final DType dtype,
        final int root, final boolean reuse)
    {
        args.root(kind.call, root);
        next.set(kind, count, dtype, root, null);
        final LinearGather o = (LinearGather)state.operation(Algorithm.LINEAR_GATHER, reuse);
        return scatter ? o.scatter(rootBuffer, local, bytes, offsets, root) :
            o.gather(local, rootBuffer, bytes, offsets, root);
    }

    /** Block r of every rank's {@code src} goes to rank r, where it lands as block (sender) of {@code dst}. */
    public void allToAll(final long src, final long dst, final long count, final DType dtype)
    {
        final long[] b = args.uniform("allToAll", count, dtype);
        final long[] o = args.offsets(count, dtype);
        calls.run(allToAllOperation(Call.Kind.ALL_TO_ALL, count, dtype, src, b, o, dst, b, o, true));
    }

    public CollectiveRequest iallToAll(final long src, final long dst, final long count, final DType dtype)
    {
        final long[] b = args.uniform("allToAll", count, dtype);
        final long[] o = args.offsets(count, dtype);
        return calls.start(allToAllOperation(Call.Kind.ALL_TO_ALL, count, dtype, src, b, o, dst, b, o, false));
    }

    public void allToAllv(final long src, final long[] sendCounts, final long[] sendDisplacements, final long dst,
        final long[] recvCounts, final long[] recvDisplacements, final DType dtype)
    {
        calls.run(allToAllOperation(Call.Kind.ALL_TO_ALLV, Call.NONE, dtype, src,
            args.bytes("allToAllv", sendCounts, dtype), args.bytes("allToAllv", sendDisplacements, dtype), dst,
            args.bytes("allToAllv", recvCounts, dtype), args.bytes("allToAllv", recvDisplacements, dtype), true));
    }

    public CollectiveRequest iallToAllv(final long src, final long[] sendCounts, final long[] sendDisplacements,
        final long dst, final long[] recvCounts, final long[] recvDisplacements, final DType dtype)
    {
        return calls.start(allToAllOperation(Call.Kind.ALL_TO_ALLV, Call.NONE, dtype, src,
            args.bytes("allToAllv", sendCounts, dtype), args.bytes("allToAllv", sendDisplacements, dtype), dst,
            args.bytes("allToAllv", recvCounts, dtype), args.bytes("allToAllv", recvDisplacements, dtype), false));
    }

    private Operation allToAllOperation(final Call.Kind kind, final long count, final DType dtype, final long src,
        final long[] sendBytes, final long[] sendOffsets, final long dst, final long[] recvBytes,
        final long[] recvOffsets, final boolean reuse)
    {
        next.set(kind, count, dtype, Call.NONE, null);
        return ((PairwiseAllToAll)state.operation(Algorithm.PAIRWISE_ALL_TO_ALL, reuse)).prepare(src, sendBytes,
            sendOffsets, dst, recvBytes, recvOffsets);
    }

    /** Returns when every rank of the communicator has called it. */
    public void barrier()
    {
        next.set(Call.Kind.BARRIER, Call.NONE, null, Call.NONE, null);
        calls.run(state.operation(Algorithm.DISSEMINATION_BARRIER, true));
    }

    public CollectiveRequest ibarrier()
    {
        next.set(Call.Kind.BARRIER, Call.NONE, null, Call.NONE, null);
        return calls.start(state.operation(Algorithm.DISSEMINATION_BARRIER, false));
    }

    /**
     * A persistent barrier (MPI_Barrier_init): made once, run again by each {@link CollectiveRequest#start()}; each
     * start takes the next sequence number like any collective call.
     */
    public CollectiveRequest barrierInit()
    {
        next.set(Call.Kind.BARRIER, Call.NONE, null, Call.NONE, null);
        return calls.persistent(state.operation(Algorithm.DISSEMINATION_BARRIER, false));
    }

    /** Inclusive prefix: rank r gets {@code src[0] op … op src[r]}. */
    public void scan(final long src, final long dst, final long count, final DType dtype, final ReduceOp op)
    {
        calls.run(scanOperation(false, src, dst, count, dtype, op, true));
    }

    /** Exclusive prefix: rank r gets {@code src[0] op … op src[r-1]}; rank 0's dst is left as it was. */
    public void exscan(final long src, final long dst, final long count, final DType dtype, final ReduceOp op)
    {
        calls.run(scanOperation(true, src, dst, count, dtype, op, true));
    }

    public CollectiveRequest iscan(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return calls.start(scanOperation(false, src, dst, count, dtype, op, false));
    }

    public CollectiveRequest iexscan(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return calls.start(scanOperation(true, src, dst, count, dtype, op, false));
    }

    private Operation scanOperation(final boolean exclusive, final long src, final long dst, final long count,
        final DType dtype, final ReduceOp op, final boolean reuse)
    {
        final String call = exclusive ? "exscan" : "scan";
        args.reduce(call, count, dtype, op);
        if (op == ReduceOp.AVG)
        {
            throw new IllegalArgumentException(args.where(call) + ": AVG is not a prefix operation");
        }
        next.set(exclusive ? Call.Kind.EXSCAN : Call.Kind.SCAN, count, dtype, Call.NONE, op);
        return ((LinearScan)state.operation(Algorithm.LINEAR_SCAN, reuse)).prepare(exclusive, src, dst, count, dtype,
            op);
    }

    /** Runs a prepared blocking call (for {@link ArrayStaging}'s direct shared-memory path). */
    void run(final Operation operation)
    {
        calls.run(operation);
    }

    Call next()
    {
        return next;
    }

    // ------------------------------------------------------------------------------------------ Java arrays
    /** In place: {@code count} elements of {@code data} from {@code offset}, reduced over all ranks. */
    public void allReduce(final double[] data, final int offset, final int count, final ReduceOp op)
    {
        arrays.allReduce(data, offset, data, offset, count, DType.F64, op);
    }

    public void allReduce(final float[] data, final int offset, final int count, final ReduceOp op)
    {
        arrays.allReduce(data, offset, data, offset, count, DType.F32, op);
    }

    public void allReduce(final long[] data, final int offset, final int count, final ReduceOp op)
    {
        arrays.allReduce(data, offset, data, offset, count, DType.I64, op);
    }

    public void allReduce(final int[] data, final int offset, final int count, final ReduceOp op)
    {
        arrays.allReduce(data, offset, data, offset, count, DType.I32, op);
    }

    public void allReduce(final short[] data, final int offset, final int count, final DType half, final ReduceOp op)
    {
        arrays.allReduce(data, offset, data, offset, count, arrays.half("allReduce", half), op);
    }

    public void allReduce(final byte[] data, final int offset, final int count, final ReduceOp op)
    {
        arrays.allReduce(data, offset, data, offset, count, DType.I8, op);
    }

    /** {@code count} elements of {@code src} from {@code srcOffset}, reduced over all ranks into {@code dst}. */
    public void allReduce(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.allReduce(src, srcOffset, dst, dstOffset, count, DType.F64, op);
    }

    public void allReduce(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.allReduce(src, srcOffset, dst, dstOffset, count, DType.F32, op);
    }

    public void allReduce(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.allReduce(src, srcOffset, dst, dstOffset, count, DType.I64, op);
    }

    public void allReduce(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.allReduce(src, srcOffset, dst, dstOffset, count, DType.I32, op);
    }

    public void allReduce(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int count, final DType half, final ReduceOp op)
    {
        arrays.allReduce(src, srcOffset, dst, dstOffset, count, arrays.half("allReduce", half), op);
    }

    public void allReduce(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.allReduce(src, srcOffset, dst, dstOffset, count, DType.I8, op);
    }

    /** The root's {@code count} elements from {@code offset} into every rank's {@code data}. */
    public void broadcast(final double[] data, final int offset, final int count, final int root)
    {
        arrays.broadcast(data, offset, count, DType.F64, root);
    }

    public void broadcast(final float[] data, final int offset, final int count, final int root)
    {
        arrays.broadcast(data, offset, count, DType.F32, root);
    }

    public void broadcast(final long[] data, final int offset, final int count, final int root)
    {
        arrays.broadcast(data, offset, count, DType.I64, root);
    }

    public void broadcast(final int[] data, final int offset, final int count, final int root)
    {
        arrays.broadcast(data, offset, count, DType.I32, root);
    }

    public void broadcast(final short[] data, final int offset, final int count, final int root)
    {
        arrays.broadcast(data, offset, count, DType.F16, root);
    }

    public void broadcast(final byte[] data, final int offset, final int count, final int root)
    {
        arrays.broadcast(data, offset, count, DType.I8, root);
    }

    /** The reduction of every rank's {@code src} into the root's {@code dst} ({@code dst} is ignored, and may be null, elsewhere). */
    public void reduce(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count, final ReduceOp op, final int root)
    {
        arrays.reduce(src, srcOffset, dst, dstOffset, count, DType.F64, op, root);
    }

    public void reduce(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count, final ReduceOp op, final int root)
    {
        arrays.reduce(src, srcOffset, dst, dstOffset, count, DType.F32, op, root);
    }

    public void reduce(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count, final ReduceOp op, final int root)
    {
        arrays.reduce(src, srcOffset, dst, dstOffset, count, DType.I64, op, root);
    }

    public void reduce(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count, final ReduceOp op, final int root)
    {
        arrays.reduce(src, srcOffset, dst, dstOffset, count, DType.I32, op, root);
    }

    public void reduce(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int count, final DType half, final ReduceOp op, final int root)
    {
        arrays.reduce(src, srcOffset, dst, dstOffset, count, arrays.half("reduce", half), op, root);
    }

    public void reduce(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int count, final ReduceOp op, final int root)
    {
        arrays.reduce(src, srcOffset, dst, dstOffset, count, DType.I8, op, root);
    }

    /** Rank r's {@code count} elements land at element {@code dstOffset + r * count} of every rank's {@code dst}. */
    public void allGather(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count)
    {
        arrays.allGather(src, srcOffset, dst, dstOffset, count, DType.F64);
    }

    public void allGather(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count)
    {
        arrays.allGather(src, srcOffset, dst, dstOffset, count, DType.F32);
    }

    public void allGather(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count)
    {
        arrays.allGather(src, srcOffset, dst, dstOffset, count, DType.I64);
    }

    public void allGather(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count)
    {
        arrays.allGather(src, srcOffset, dst, dstOffset, count, DType.I32);
    }

    public void allGather(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int count)
    {
        arrays.allGather(src, srcOffset, dst, dstOffset, count, DType.F16);
    }

    public void allGather(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int count)
    {
        arrays.allGather(src, srcOffset, dst, dstOffset, count, DType.I8);
    }

    /** Rank r's {@code count} elements land at element {@code dstOffset + r * count} of the root's {@code dst} ({@code dst} is ignored, and may be null, off the root). */
    public void gather(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.gather(src, srcOffset, dst, dstOffset, count, DType.F64, root);
    }

    public void gather(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.gather(src, srcOffset, dst, dstOffset, count, DType.F32, root);
    }

    public void gather(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.gather(src, srcOffset, dst, dstOffset, count, DType.I64, root);
    }

    public void gather(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.gather(src, srcOffset, dst, dstOffset, count, DType.I32, root);
    }

    public void gather(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.gather(src, srcOffset, dst, dstOffset, count, DType.F16, root);
    }

    public void gather(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.gather(src, srcOffset, dst, dstOffset, count, DType.I8, root);
    }

    /** Block r ({@code count} elements from {@code srcOffset + r * count}) of the root's {@code src} into rank r's {@code dst} ({@code src} is ignored, and may be null, off the root). */
    public void scatter(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.scatter(src, srcOffset, dst, dstOffset, count, DType.F64, root);
    }

    public void scatter(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.scatter(src, srcOffset, dst, dstOffset, count, DType.F32, root);
    }

    public void scatter(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.scatter(src, srcOffset, dst, dstOffset, count, DType.I64, root);
    }

    public void scatter(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.scatter(src, srcOffset, dst, dstOffset, count, DType.I32, root);
    }

    public void scatter(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.scatter(src, srcOffset, dst, dstOffset, count, DType.F16, root);
    }

    public void scatter(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int count, final int root)
    {
        arrays.scatter(src, srcOffset, dst, dstOffset, count, DType.I8, root);
    }

    /** {@code src} holds n blocks of {@code blockCount}; rank r gets the reduction of block r in {@code dst}. */
    public void reduceScatter(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int blockCount, final ReduceOp op)
    {
        arrays.reduceScatter(src, srcOffset, dst, dstOffset, blockCount, DType.F64, op);
    }

    public void reduceScatter(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int blockCount, final ReduceOp op)
    {
        arrays.reduceScatter(src, srcOffset, dst, dstOffset, blockCount, DType.F32, op);
    }

    public void reduceScatter(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int blockCount, final ReduceOp op)
    {
        arrays.reduceScatter(src, srcOffset, dst, dstOffset, blockCount, DType.I64, op);
    }

    public void reduceScatter(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int blockCount, final ReduceOp op)
    {
        arrays.reduceScatter(src, srcOffset, dst, dstOffset, blockCount, DType.I32, op);
    }

    public void reduceScatter(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int blockCount, final DType half, final ReduceOp op)
    {
        arrays.reduceScatter(src, srcOffset, dst, dstOffset, blockCount, arrays.half("reduceScatter", half), op);
    }

    public void reduceScatter(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int blockCount, final ReduceOp op)
    {
        arrays.reduceScatter(src, srcOffset, dst, dstOffset, blockCount, DType.I8, op);
    }

    /** Block r of every rank's {@code src} ({@code count} elements each) lands in rank r's {@code dst}, as block (sender). */
    public void allToAll(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count)
    {
        arrays.allToAll(src, srcOffset, dst, dstOffset, count, DType.F64);
    }

    public void allToAll(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count)
    {
        arrays.allToAll(src, srcOffset, dst, dstOffset, count, DType.F32);
    }

    public void allToAll(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count)
    {
        arrays.allToAll(src, srcOffset, dst, dstOffset, count, DType.I64);
    }

    public void allToAll(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count)
    {
        arrays.allToAll(src, srcOffset, dst, dstOffset, count, DType.I32);
    }

    public void allToAll(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int count)
    {
        arrays.allToAll(src, srcOffset, dst, dstOffset, count, DType.F16);
    }

    public void allToAll(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int count)
    {
        arrays.allToAll(src, srcOffset, dst, dstOffset, count, DType.I8);
    }

    /** Inclusive prefix over ranks 0..r into {@code dst}. */
    public void scan(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(false, src, srcOffset, dst, dstOffset, count, DType.F64, op);
    }

    public void scan(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(false, src, srcOffset, dst, dstOffset, count, DType.F32, op);
    }

    public void scan(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(false, src, srcOffset, dst, dstOffset, count, DType.I64, op);
    }

    public void scan(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(false, src, srcOffset, dst, dstOffset, count, DType.I32, op);
    }

    public void scan(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int count, final DType half, final ReduceOp op)
    {
        arrays.scan(false, src, srcOffset, dst, dstOffset, count, arrays.half("scan", half), op);
    }

    public void scan(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(false, src, srcOffset, dst, dstOffset, count, DType.I8, op);
    }

    /** Exclusive prefix over ranks 0..r-1 into {@code dst}; rank 0's {@code dst} is left as it was. */
    public void exscan(final double[] src, final int srcOffset, final double[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(true, src, srcOffset, dst, dstOffset, count, DType.F64, op);
    }

    public void exscan(final float[] src, final int srcOffset, final float[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(true, src, srcOffset, dst, dstOffset, count, DType.F32, op);
    }

    public void exscan(final long[] src, final int srcOffset, final long[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(true, src, srcOffset, dst, dstOffset, count, DType.I64, op);
    }

    public void exscan(final int[] src, final int srcOffset, final int[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(true, src, srcOffset, dst, dstOffset, count, DType.I32, op);
    }

    public void exscan(final short[] src, final int srcOffset, final short[] dst, final int dstOffset, final int count, final DType half, final ReduceOp op)
    {
        arrays.scan(true, src, srcOffset, dst, dstOffset, count, arrays.half("exscan", half), op);
    }

    public void exscan(final byte[] src, final int srcOffset, final byte[] dst, final int dstOffset, final int count, final ReduceOp op)
    {
        arrays.scan(true, src, srcOffset, dst, dstOffset, count, DType.I8, op);
    }
}
