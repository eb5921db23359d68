package dev.ringfold.bench;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import org.agrona.BufferUtil;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.Locale;

/**
 * The collectives, timed as the Open MPI anchors time {@code MPI_Allreduce}: a barrier before every operation, an
 * iteration's time is the slowest rank's, the median over iterations is reported; sizes and bandwidths follow
 * nccl-tests (size = the per-rank buffer of all-reduce and broadcast, the whole output of all-gather, the whole
 * input of reduce-scatter and all-to-all; busbw = algbw × 2(n-1)/n for all-reduce, × (n-1)/n for all-gather,
 * reduce-scatter and all-to-all, × 1 for broadcast). F32 SUM. Every iteration's result carries a stamp that is
 * checked, and the first and last results are checked element by element. With {@code --shared} the buffers are
 * node-shared tensors ({@link NodeSharedAllocator}), which the shared-memory algorithms reduce in place; the rows
 * say which buffers they measured.
 */
final class CollectiveOp implements SizedOp
{
    enum Kind
    {
        ALLREDUCE("allreduce"), BCAST("bcast"), ALLGATHER("allgather"), REDUCESCATTER("reducescatter"),
        ALLTOALL("alltoall");

        private final String label;

        Kind(final String label)
        {
            this.label = label;
        }

        String label()
        {
            return label;
        }
    }

    private final Kind kind;
    private Collectives collectives;
    private UnsafeBuffer src;
    private UnsafeBuffer dst;
    private UnsafeBuffer times;
    private final Samples samples = new Samples(16);
    private String buffers = "private";
    private BufferAllocator arrow;
    private NodeSharedAllocator sharedAllocator;
    private Tensor sharedSrc;
    private Tensor sharedDst;

    CollectiveOp(final Kind kind)
    {
        this.kind = kind;
    }

    @Override
    public String name()
    {
        return kind.label();
    }

    @Override
    public String summary()
    {
        return kind.label() + ": " + switch (kind)
        {
            case ALLREDUCE -> "all-reduce, F32 SUM, out of place";
            case BCAST -> "broadcast from rank 0";
            case ALLGATHER -> "all-gather (size = whole output)";
            case REDUCESCATTER -> "reduce-scatter, F32 SUM (size = whole input)";
            case ALLTOALL -> "all-to-all (size = each rank's whole input)";
        } + "; time = slowest rank, median";
    }

    @Override
    public int minRanks()
    {
        return 1;
    }

    @Override
    public String defaultSizes()
    {
        return "8,1K,64K,1M,16M,64M";
    }

    @Override
    public void setUp(final BenchContext ctx, final int maxBytes)
    {
        collectives = Collectives.of(ctx.world());
        final String algo = ctx.options().algo();
        if (algo != null)
        {
            try
            {
                if (kind == Kind.ALLREDUCE)
                {
                    collectives.forceAllReduce(Collectives.AllReduceAlgorithm.valueOf(algo.toUpperCase(Locale.ROOT)));
                }
                else if (kind == Kind.BCAST)
                {
                    collectives.forceBroadcast(Collectives.BroadcastAlgorithm.valueOf(algo.toUpperCase(Locale.ROOT)));
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new BenchOptions.UsageException("--algo " + algo + " is not an algorithm of " + kind.label());
            }
        }
        final int bytes = Math.max(maxBytes, 4 * ctx.np()) + 64;
        if (ctx.options().shared())
        {
            buffers = "shared";
            arrow = new RootAllocator();
            sharedAllocator = NodeSharedAllocator.create(ctx.ringfold(), arrow);
            sharedSrc = sharedAllocator.allocate("bench-src", DType.U8, bytes);
            sharedDst = sharedAllocator.allocate("bench-dst", DType.U8, bytes);
            src = new UnsafeBuffer(sharedSrc.address(), bytes);
            dst = new UnsafeBuffer(sharedDst.address(), bytes);
        }
        else
        {
            src = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 4096));
            dst = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 4096));
        }
        src.setMemory(0, bytes, (byte)0);
        dst.setMemory(0, bytes, (byte)0);
    }

    private String algorithm(final long elements)
    {
        return switch (kind)
        {
            case ALLREDUCE -> collectives.algorithmFor(elements, DType.F32).name().toLowerCase(Locale.ROOT);
            case BCAST -> collectives.broadcastAlgorithmFor(elements * 4).name().toLowerCase(Locale.ROOT);
            case ALLGATHER, REDUCESCATTER -> "ring";
            case ALLTOALL -> "pairwise";
        };
    }

    private double busFactor(final int n)
    {
        return switch (kind)
        {
            case ALLREDUCE -> 2.0 * (n - 1) / n;
            case BCAST -> 1.0;
            default -> (double)(n - 1) / n;
        };
    }

    @Override
    public List<Measurement> measure(final BenchContext ctx, final int requested)
    {
        final int n = ctx.np();
        final int rank = ctx.rank();
        // whole F32 elements; blocked operations need one element per rank at least
        final boolean blocked = kind == Kind.ALLGATHER || kind == Kind.REDUCESCATTER || kind == Kind.ALLTOALL;
        final int elements = blocked ? Math.max(1, requested / 4 / n) * n : Math.max(1, requested / 4);
        final int bytes = elements * 4;
        final int timed = ctx.options().timedIterations(bytes);
        final int total = BenchOptions.warmupIterations(timed) + timed;
        prepare(rank, n, elements);
        if (times == null || times.capacity() < 8 * total)
        {
            times = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8 * Math.max(total, 64), 64));
        }
        long bad = 0;
        for (int it = 0; it < total; it++)
        {
            stamp(rank, it);
            collectives.barrier();
            final long start = Samples.now();
            run(elements, n);
            times.putDouble(8 * it, Samples.now() - start);
            bad += checkStamp(rank, n, elements, it);
            if (it == 0 || it == total - 1)
            {
                bad += checkAll(rank, n, elements, it);
            }
        }
        // an iteration lasts as long as its slowest rank
        collectives.allReduce(times.addressOffset(), times.addressOffset(), total, DType.F64, ReduceOp.MAX);
        ctx.verdict(bad, kind.label() + " of " + Sizes.label(bytes));
        if (rank != 0)
        {
            return List.of();
        }
        samples.reset(timed);
        for (int it = total - timed; it < total; it++)
        {
            samples.add((long)times.getDouble(8 * it));
        }
        return List.of(Measurement.ofCollective(kind.label(), n, ctx.dev(), algorithm(elements), bytes, samples,
            busFactor(n), buffers));
    }

    @Override
    public void close()
    {
        if (sharedAllocator != null)
        {
            sharedSrc.close();
            sharedDst.close();
            sharedAllocator.close();
            arrow.close();
        }
    }

    private void run(final int elements, final int n)
    {
        final long s = src.addressOffset();
        final long d = dst.addressOffset();
        switch (kind)
        {
            case ALLREDUCE -> collectives.allReduce(s, d, elements, DType.F32, ReduceOp.SUM);
            case BCAST -> collectives.broadcast(d, elements, DType.F32, 0);
            case ALLGATHER -> collectives.allGather(s, d, elements / n, DType.F32);
            case REDUCESCATTER -> collectives.reduceScatter(s, d, elements / n, DType.F32, ReduceOp.SUM);
            case ALLTOALL -> collectives.allToAll(s, d, elements / n, DType.F32);
        }
    }

    /** What rank {@code r} contributes at element i (exact in F32: small integers). */
    private static float input(final int r, final int i)
    {
        return (r + 1) + (i % 7);
    }

    private void prepare(final int rank, final int n, final int elements)
    {
        for (int i = 0; i < elements; i++)
        {
            src.putFloat(4 * i, kind == Kind.ALLTOALL ? rank * 1000 + i / (elements / n) : input(rank, i));
            dst.putFloat(4 * i, kind == Kind.BCAST && rank == 0 ? input(0, i) : 0);
        }
    }

    /** Element 0 of what this rank contributes carries the iteration, so a stale result cannot pass. */
    private void stamp(final int rank, final int it)
    {
        switch (kind)
        {
            case BCAST ->
            {
                if (rank == 0)
                {
                    dst.putFloat(0, it + 1);
                }
                else
                {
                    dst.putFloat(0, 0);
                }
            }
            case ALLTOALL -> src.putFloat(0, -(it + 1)); // block 0 goes to rank 0, at the start of this sender's block
            default -> src.putFloat(0, (rank + 1) * (float)(it % 1000 + 1));
        }
    }

    private long checkStamp(final int rank, final int n, final int elements, final int it)
    {
        final float got = dst.getFloat(0);
        final float want = switch (kind)
        {
            case ALLREDUCE -> (float)(it % 1000 + 1) * n * (n + 1) / 2;
            case BCAST -> it + 1;
            case ALLGATHER -> it % 1000 + 1; // rank 0's stamp, block 0
            case REDUCESCATTER -> rank == 0 ? (float)(it % 1000 + 1) * n * (n + 1) / 2 : dst.getFloat(0);
            case ALLTOALL -> rank == 0 ? allStamped(n, elements / n, -(it + 1)) : dst.getFloat(0);
        };
        return got == want ? 0 : 1;
    }

    /** Rank 0 holds every sender's stamp at the start of its block: returns the stamp if all agree, else NaN. */
    private float allStamped(final int n, final int block, final float stamp)
    {
        for (int s = 0; s < n; s++)
        {
            if (dst.getFloat(4 * s * block) != stamp)
            {
                return Float.NaN;
            }
        }
        return stamp;
    }

    private long checkAll(final int rank, final int n, final int elements, final int it)
    {
        long bad = 0;
        final int block = elements / n;
        for (int i = 1; i < elements; i++)
        {
            final float want = switch (kind)
            {
                case ALLREDUCE -> n * (n + 1) / 2.0f + n * (i % 7);
                case BCAST -> input(0, i);
                case ALLGATHER -> input(i / block, i % block);
                case REDUCESCATTER -> i < block ? n * (n + 1) / 2.0f + n * ((rank * block + i) % 7) : dst.getFloat(4 * i);
                case ALLTOALL -> (i / block) * 1000 + rank;
            };
            if ((kind == Kind.ALLGATHER || kind == Kind.ALLTOALL && rank == 0) && i % block == 0)
            {
                continue; // each block's element 0 is its sender's stamp, checked every iteration
            }
            if (dst.getFloat(4 * i) != want)
            {
                bad++;
            }
        }
        return bad;
    }
}
