package dev.ringfold.bench;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.util.SplittableRandom;

/**
 * {@code ringfold-bench soak -np N --seconds S}: random collectives (every operation of {@link Collectives},
 * blocking and non-blocking, up to three in flight at once) and point-to-point transfers of random sizes and
 * types, for S seconds. Every rank draws the same sequence from one seed, so all agree on what comes next; every
 * result is checked element by element against the value each rank put in ({@link #value}: small integers, exact
 * in every type and every summation order). At the end: operations done, bytes moved, wrong elements (must be 0),
 * and each rank's resources before and after ({@link ResourceSnapshot}).
 * <p>
 * Sizes are log-uniform from one element to the largest of {@code --sizes} (default 1M bytes) per rank, so both
 * sides of every algorithm switch (recursive doubling and ring, binomial and chain) and of the eager and
 * rendezvous protocols are crossed.
 */
final class SoakOp implements BenchOp
{
    /** Operations between two "go on?" broadcasts from rank 0, which alone watches the clock. */
    private static final int STEPS_PER_CHECK = 8;
    private static final int SLOTS = 3;
    private static final DType[] TYPES = {DType.F32, DType.F64, DType.I32, DType.I64};
    private static final ReduceOp[] OPS = {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN};
    private static final int P2P_TAG = 77;

    enum Kind
    {
        ALL_REDUCE, ALL_REDUCE_TENSOR, BROADCAST, REDUCE, ALL_GATHER, ALL_GATHERV, REDUCE_SCATTER, GATHER, GATHERV,
        SCATTER, SCATTERV, ALL_TO_ALL, ALL_TO_ALLV, BARRIER, SCAN, EXSCAN, POINT_TO_POINT
    }

    private Collectives collectives;
    private Communicator world;
    private BufferAllocator allocator;
    private final UnsafeBuffer[] src = new UnsafeBuffer[SLOTS];
    private final UnsafeBuffer[] dst = new UnsafeBuffer[SLOTS];
    private final Request[] sends = {new Request(), new Request()};
    private final Request[] recvs = {new Request(), new Request()};
    private final long[] flag = new long[1];
    private long maxElements;
    private int n;
    private int rank;

    // the counts of the job, identical on every rank
    long operations;
    long nonBlocking;
    long pointToPoint;
    long bytes;
    long wrongElements;
    final long[] perKind = new long[Kind.values().length];

    /** One drawn operation: what, in which type, how many elements (per rank, or per rank pair for the v forms). */
    private static final class Step
    {
        Kind kind;
        DType dtype;
        ReduceOp op;
        int root;
        long count;
        long[] counts;       // v forms: rank r's count (all-to-all-v: counts[s * n + d], s sends to d)
        long[] displs;
        int seq;
        CollectiveRequest request;
    }

    private final Step[] steps = {new Step(), new Step(), new Step()};

    @Override
    public String name()
    {
        return "soak";
    }

    @Override
    public String summary()
    {
        return "soak: random collectives (blocking and non-blocking) and point-to-point for --seconds, every " +
            "result checked; operations, bytes, errors and resource deltas";
    }

    @Override
    public String defaultSizes()
    {
        return "1M";
    }

    @Override
    public void setUp(final BenchContext ctx, final int maxBytes)
    {
        world = ctx.world();
        n = ctx.np();
        rank = ctx.rank();
        collectives = Collectives.of(world);
        allocator = new RootAllocator();
        maxElements = Math.max(1, maxBytes / 8);
        final int bytesPerSlot = (int)Math.min(Integer.MAX_VALUE - 4096, maxElements * 8 * n + 64);
        for (int s = 0; s < SLOTS; s++)
        {
            src[s] = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytesPerSlot, 4096));
            dst[s] = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytesPerSlot, 4096));
        }
    }

    /** The allocator the soak's tensors come from, whose accounting must be back at zero at the end. */
    BufferAllocator allocator()
    {
        return allocator;
    }

    /** Runs until rank 0's clock passes {@code seconds}; the same seed on every rank. */
    void run(final long seed, final double seconds)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long end = System.nanoTime() + (long)(seconds * 1e9);
        int seq = 0;
        while (true)
        {
            for (int i = 0; i < STEPS_PER_CHECK; i++)
            {
                if (random.nextInt(4) == 0)
                {
                    // a batch of non-blocking collectives in flight together, finished in a drawn order
                    final int inFlight = 1 + random.nextInt(SLOTS);
                    for (int s = 0; s < inFlight; s++)
                    {
                        draw(random, steps[s], seq++, false);
                        prepare(steps[s], s);
                        steps[s].request = start(steps[s], s);
                    }
                    final int first = random.nextInt(inFlight);
                    for (int k = 0; k < inFlight; k++)
                    {
                        final int s = (first + k) % inFlight;
                        steps[s].request.await();
                        steps[s].request = null;
                        finish(steps[s], s);
                        nonBlocking++;
                    }
                }
                else
                {
                    draw(random, steps[0], seq++, true);
                    prepare(steps[0], 0);
                    runBlocking(steps[0], 0);
                    finish(steps[0], 0);
                }
            }
            flag[0] = rank == 0 && System.nanoTime() - end < 0 ? 1 : 0;
            collectives.broadcast(flag, 0, 1, 0);
            if (flag[0] == 0)
            {
                return;
            }
        }
    }

    private void draw(final SplittableRandom random, final Step step, final int seq, final boolean blocking)
    {
        final Kind[] kinds = Kind.values();
        Kind kind;
        do
        {
            kind = kinds[random.nextInt(kinds.length)];
        }
        while (!blocking && (kind == Kind.POINT_TO_POINT || kind == Kind.ALL_REDUCE_TENSOR));
        step.kind = kind;
        step.seq = seq;
        step.dtype = TYPES[random.nextInt(TYPES.length)];
        step.op = OPS[random.nextInt(OPS.length)];
        step.root = random.nextInt(n);
        step.count = size(random, 1);
        if (kind == Kind.ALL_TO_ALLV)
        {
            step.counts = new long[n * n];
            for (int i = 0; i < n * n; i++)
            {
                step.counts[i] = size(random, 0) / n;
            }
        }
        else if (kind == Kind.ALL_GATHERV || kind == Kind.GATHERV || kind == Kind.SCATTERV)
        {
            step.counts = new long[n];
            step.displs = new long[n];
            long at = 0;
            for (int r = 0; r < n; r++)
            {
                step.counts[r] = size(random, 0);
                at += random.nextInt(3); // gaps between the blocks: displacements are not just prefix sums
                step.displs[r] = at;
                at += step.counts[r];
            }
            if (at > maxElements * n)
            {
                // too long with the gaps: pack the blocks
                at = 0;
                for (int r = 0; r < n; r++)
                {
                    step.displs[r] = at;
                    at += step.counts[r];
                }
            }
        }
    }

    /** Log-uniform in [min, maxElements]: as many small messages as large ones. */
    private long size(final SplittableRandom random, final long min)
    {
        if (min == 0 && random.nextInt(16) == 0)
        {
            return 0; // an empty block now and then
        }
        final double u = random.nextDouble();
        return Math.max(Math.max(min, 1), Math.min(maxElements, (long)Math.exp(u * Math.log(maxElements + 1.0))));
    }

    /** What rank r contributes at element i of operation seq: 1..61, exact in every type, never zero. */
    static long value(final int r, final long i, final int seq)
    {
        return (r * 13L + i * 7L + seq * 3L) % 61 + 1;
    }

    private static void put(final UnsafeBuffer b, final DType t, final long i, final long v)
    {
        switch (t)
        {
            case F32 -> b.putFloat((int)(4 * i), v);
            case F64 -> b.putDouble((int)(8 * i), v);
            case I32 -> b.putInt((int)(4 * i), (int)v);
            default -> b.putLong((int)(8 * i), v);
        }
    }

    private static long get(final UnsafeBuffer b, final DType t, final long i)
    {
        return switch (t)
        {
            case F32 -> (long)b.getFloat((int)(4 * i));
            case F64 -> (long)b.getDouble((int)(8 * i));
            case I32 -> b.getInt((int)(4 * i));
            default -> b.getLong((int)(8 * i));
        };
    }

    private long reduceOver(final ReduceOp op, final int fromRank, final int toRank, final long i, final int seq)
    {
        long acc = value(fromRank, i, seq);
        for (int r = fromRank + 1; r <= toRank; r++)
        {
            final long v = value(r, i, seq);
            acc = op == ReduceOp.SUM ? acc + v : op == ReduceOp.MAX ? Math.max(acc, v) : Math.min(acc, v);
        }
        return acc;
    }

    private static long sum(final long[] a, final int from, final int to)
    {
        long s = 0;
        for (int i = from; i < to; i++)
        {
            s += a[i];
        }
        return s;
    }

    /** Fills this rank's input and clears the output, so that an operation that writes nothing cannot pass. */
    private void prepare(final Step st, final int slot)
    {
        final UnsafeBuffer in = src[slot];
        final UnsafeBuffer out = dst[slot];
        final long inputElements = switch (st.kind)
        {
            case ALL_GATHERV, GATHERV -> st.counts[rank];
            case REDUCE_SCATTER, ALL_TO_ALL -> st.count * n;
            case SCATTER -> rank == st.root ? st.count * n : 0;
            case SCATTERV -> rank == st.root ? st.displs[n - 1] + st.counts[n - 1] : 0;
            case ALL_TO_ALLV -> sum(st.counts, rank * n, rank * n + n);
            case BARRIER -> 0;
            default -> st.count;
        };
        for (long i = 0; i < inputElements; i++)
        {
            put(in, st.dtype, i, value(rank, i, st.seq));
        }
        final long outputElements = switch (st.kind)
        {
            case ALL_GATHER, GATHER, ALL_TO_ALL -> st.count * n;
            case ALL_GATHERV, GATHERV -> st.displs[n - 1] + st.counts[n - 1];
            case ALL_TO_ALLV -> sum(recvCounts(st), 0, n);
            case SCATTERV -> st.counts[rank];
            default -> st.count;
        };
        out.setMemory(0, (int)Math.min(out.capacity(), outputElements * 8), (byte)0);
        if (st.kind == Kind.BROADCAST && rank == st.root)
        {
            for (long i = 0; i < st.count; i++)
            {
                put(out, st.dtype, i, value(rank, i, st.seq));
            }
        }
    }

    private void runBlocking(final Step st, final int slot)
    {
        final long s = src[slot].addressOffset();
        final long d = dst[slot].addressOffset();
        switch (st.kind)
        {
            case ALL_REDUCE -> collectives.allReduce(s, d, st.count, st.dtype, st.op);
            case ALL_REDUCE_TENSOR -> allReduceTensor(st, slot);
            case BROADCAST -> collectives.broadcast(d, st.count, st.dtype, st.root);
            case REDUCE -> collectives.reduce(s, d, st.count, st.dtype, st.op, st.root);
            case ALL_GATHER -> collectives.allGather(s, d, st.count, st.dtype);
            case ALL_GATHERV -> collectives.allGatherv(s, d, st.counts, st.displs, st.dtype);
            case REDUCE_SCATTER -> collectives.reduceScatter(s, d, st.count, st.dtype, st.op);
            case GATHER -> collectives.gather(s, d, st.count, st.dtype, st.root);
            case GATHERV -> collectives.gatherv(s, d, st.counts, st.displs, st.dtype, st.root);
            case SCATTER -> collectives.scatter(s, d, st.count, st.dtype, st.root);
            case SCATTERV -> collectives.scatterv(s, st.counts, st.displs, d, st.dtype, st.root);
            case ALL_TO_ALL -> collectives.allToAll(s, d, st.count, st.dtype);
            case ALL_TO_ALLV -> collectives.allToAllv(s, sendCounts(st), sendDispls(st, rank), d, recvCounts(st),
                recvDispls(st), st.dtype);
            case BARRIER -> collectives.barrier();
            case SCAN -> collectives.scan(s, d, st.count, st.dtype, st.op);
            case EXSCAN -> collectives.exscan(s, d, st.count, st.dtype, st.op);
            case POINT_TO_POINT -> shift(st, slot);
        }
    }

    private CollectiveRequest start(final Step st, final int slot)
    {
        final long s = src[slot].addressOffset();
        final long d = dst[slot].addressOffset();
        return switch (st.kind)
        {
            case ALL_REDUCE -> collectives.iallReduce(s, d, st.count, st.dtype, st.op);
            case BROADCAST -> collectives.ibroadcast(d, st.count, st.dtype, st.root);
            case REDUCE -> collectives.ireduce(s, d, st.count, st.dtype, st.op, st.root);
            case ALL_GATHER -> collectives.iallGather(s, d, st.count, st.dtype);
            case ALL_GATHERV -> collectives.iallGatherv(s, d, st.counts, st.displs, st.dtype);
            case REDUCE_SCATTER -> collectives.ireduceScatter(s, d, st.count, st.dtype, st.op);
            case GATHER -> collectives.igather(s, d, st.count, st.dtype, st.root);
            case GATHERV -> collectives.igatherv(s, d, st.counts, st.displs, st.dtype, st.root);
            case SCATTER -> collectives.iscatter(s, d, st.count, st.dtype, st.root);
            case SCATTERV -> collectives.iscatterv(s, st.counts, st.displs, d, st.dtype, st.root);
            case ALL_TO_ALL -> collectives.iallToAll(s, d, st.count, st.dtype);
            case ALL_TO_ALLV -> collectives.iallToAllv(s, sendCounts(st), sendDispls(st, rank), d, recvCounts(st),
                recvDispls(st), st.dtype);
            case BARRIER -> collectives.ibarrier();
            case SCAN -> collectives.iscan(s, d, st.count, st.dtype, st.op);
            case EXSCAN -> collectives.iexscan(s, d, st.count, st.dtype, st.op);
            case ALL_REDUCE_TENSOR, POINT_TO_POINT -> throw new IllegalStateException(st.kind + " is not drawn here");
        };
    }

    /** All-reduce in place on a tensor of the soak's allocator, copied out to dst for the check, then closed. */
    private void allReduceTensor(final Step st, final int slot)
    {
        try (Tensor t = Tensors.allocate(allocator, st.dtype, st.count))
        {
            final long bytesOf = st.count * st.dtype.bytes();
            org.agrona.UnsafeApi.copyMemory(src[slot].addressOffset(), t.address(), bytesOf);
            collectives.allReduce(t, st.op);
            org.agrona.UnsafeApi.copyMemory(t.address(), dst[slot].addressOffset(), bytesOf);
        }
    }

    /** Point-to-point: every rank sends to the next and receives from the previous, two messages each way. */
    private void shift(final Step st, final int slot)
    {
        final int next = (rank + 1) % n;
        final int prev = (rank + n - 1) % n;
        final int length = (int)(st.count * st.dtype.bytes());
        // the second message is the second half of the buffer: two in flight on the same pair, matched in order
        final int half = length / 2;
        world.irecv(dst[slot], 0, half, prev, P2P_TAG, recvs[0]);
        world.irecv(dst[slot], half, length - half, prev, P2P_TAG, recvs[1]);
        world.isend(src[slot], 0, half, next, P2P_TAG, sends[0]);
        world.isend(src[slot], half, length - half, next, P2P_TAG, sends[1]);
        Request.waitAll(recvs);
        Request.waitAll(sends);
    }

    private long[] sendCounts(final Step st)
    {
        final long[] c = new long[n];
        System.arraycopy(st.counts, rank * n, c, 0, n);
        return c;
    }

    /** Where sender s's block for each destination starts in s's input: packed in destination order. */
    private long[] sendDispls(final Step st, final int sender)
    {
        final long[] d = new long[n];
        long at = 0;
        for (int r = 0; r < n; r++)
        {
            d[r] = at;
            at += st.counts[sender * n + r];
        }
        return d;
    }

    private long[] recvCounts(final Step st)
    {
        final long[] c = new long[n];
        for (int s = 0; s < n; s++)
        {
            c[s] = st.counts[s * n + rank];
        }
        return c;
    }

    private long[] recvDispls(final Step st)
    {
        final long[] d = new long[n];
        long at = 0;
        for (int s = 0; s < n; s++)
        {
            d[s] = at;
            at += st.counts[s * n + rank];
        }
        return d;
    }

    /** Checks the result against what every rank put in; counts the operation and its bytes. */
    private void finish(final Step st, final int slot)
    {
        final UnsafeBuffer out = dst[slot];
        final DType t = st.dtype;
        long bad = 0;
        long elements = st.count;
        switch (st.kind)
        {
            case ALL_REDUCE, ALL_REDUCE_TENSOR ->
            {
                for (long i = 0; i < st.count; i++)
                {
                    bad += get(out, t, i) == reduceOver(st.op, 0, n - 1, i, st.seq) ? 0 : 1;
                }
            }
            case BROADCAST ->
            {
                for (long i = 0; i < st.count; i++)
                {
                    bad += get(out, t, i) == value(st.root, i, st.seq) ? 0 : 1;
                }
            }
            case REDUCE ->
            {
                for (long i = 0; rank == st.root && i < st.count; i++)
                {
                    bad += get(out, t, i) == reduceOver(st.op, 0, n - 1, i, st.seq) ? 0 : 1;
                }
            }
            case ALL_GATHER, GATHER ->
            {
                elements = st.count * n;
                for (long j = 0; (st.kind == Kind.ALL_GATHER || rank == st.root) && j < st.count * n; j++)
                {
                    bad += get(out, t, j) == value((int)(j / st.count), j % st.count, st.seq) ? 0 : 1;
                }
            }
            case ALL_GATHERV, GATHERV ->
            {
                elements = sum(st.counts, 0, n);
                for (int r = 0; (st.kind == Kind.ALL_GATHERV || rank == st.root) && r < n; r++)
                {
                    for (long i = 0; i < st.counts[r]; i++)
                    {
                        bad += get(out, t, st.displs[r] + i) == value(r, i, st.seq) ? 0 : 1;
                    }
                }
            }
            case REDUCE_SCATTER ->
            {
                elements = st.count * n;
                for (long i = 0; i < st.count; i++)
                {
                    bad += get(out, t, i) == reduceOver(st.op, 0, n - 1, rank * st.count + i, st.seq) ? 0 : 1;
                }
            }
            case SCATTER ->
            {
                for (long i = 0; i < st.count; i++)
                {
                    bad += get(out, t, i) == value(st.root, rank * st.count + i, st.seq) ? 0 : 1;
                }
            }
            case SCATTERV ->
            {
                elements = st.counts[rank];
                for (long i = 0; i < st.counts[rank]; i++)
                {
                    bad += get(out, t, i) == value(st.root, st.displs[rank] + i, st.seq) ? 0 : 1;
                }
            }
            case ALL_TO_ALL ->
            {
                elements = st.count * n;
                for (int s = 0; s < n; s++)
                {
                    for (long i = 0; i < st.count; i++)
                    {
                        bad += get(out, t, s * st.count + i) == value(s, rank * st.count + i, st.seq) ? 0 : 1;
                    }
                }
            }
            case ALL_TO_ALLV ->
            {
                elements = sum(st.counts, rank * n, rank * n + n);
                long at = 0;
                for (int s = 0; s < n; s++)
                {
                    final long from = sendDispls(st, s)[rank];
                    for (long i = 0; i < st.counts[s * n + rank]; i++)
                    {
                        bad += get(out, t, at + i) == value(s, from + i, st.seq) ? 0 : 1;
                    }
                    at += st.counts[s * n + rank];
                }
            }
            case BARRIER -> elements = 0;
            case SCAN, EXSCAN ->
            {
                final int last = st.kind == Kind.SCAN ? rank : rank - 1;
                for (long i = 0; last >= 0 && i < st.count; i++)
                {
                    bad += get(out, t, i) == reduceOver(st.op, 0, last, i, st.seq) ? 0 : 1;
                }
            }
            case POINT_TO_POINT ->
            {
                // bytes, not elements: the halves split at a byte, so compare the whole message byte for byte
                final int prev = (rank + n - 1) % n;
                final int length = (int)(st.count * t.bytes());
                final UnsafeBuffer expected = src[slot];
                for (long i = 0; i < st.count; i++)
                {
                    put(expected, t, i, value(prev, i, st.seq));
                }
                for (int i = 0; i < length; i++)
                {
                    bad += out.getByte(i) == expected.getByte(i) ? 0 : 1;
                }
                pointToPoint++;
            }
        }
        wrongElements += bad;
        operations++;
        perKind[st.kind.ordinal()]++;
        bytes += elements * t.bytes();
    }
}
