package dev.ringfold.training.data;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.collectives.SteadyStateAllocation;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.HalfFloats;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The data-parallel checks that need two real ranks but not a whole training run: buckets overlapping backward
 * (trace), noSync accumulation against a bigger batch, BF16 gradients with and without F32 accumulation, zero
 * allocation per step after warm-up (all-reduce and parameter-server worker), and bad input. Prints
 * {@code ok <section> rank r} per section; the allocator must end at zero.
 */
public final class ChecksRanks
{

    private static Communicator world;
    private static int me;

    public static void main(final String[] args) throws Exception
    {
        try (Ringfold rf = Ringfold.init(); BufferAllocator allocator = new RootAllocator())
        {
            world = rf.world();
            me = world.rank();
            overlap(allocator, false);
            overlap(allocator, true);
            noSyncEqualsBiggerBatch(allocator);
            bf16Accumulation(allocator, true, 0.251953125f);
            bf16Accumulation(allocator, false, 0.25f);
            allocation(allocator, DataParallelOptions.Mode.ALL_REDUCE, false);
            allocation(allocator, DataParallelOptions.Mode.ALL_REDUCE, true);
            shardedAllocation(allocator);
            allocation(allocator, DataParallelOptions.Mode.PARAMETER_SERVER, false);
            persistentAllReduce(allocator);
            errors(allocator);
            checkpointErrors(allocator);
            world.barrier();
        }
    }

    private static void check(final boolean ok, final String what)
    {
        if (!ok)
        {
            throw new AssertionError("rank " + me + ": " + what);
        }
    }

    // ------------------------------------------------------------------------------------------------ overlap

    /**
     * Four 256 x 256 layers; each backward step computes a weight gradient as a sum of outer products over a batch
     * of 32 (2 M multiply-adds) and marks it ready; 256 KiB buckets, one gradient each. Checks in every step that
     * the first bucket's all-reduce started before backward ended; prints the trace of the last step and the
     * fraction hidden. With {@code progressInCompute} the compute calls progress() every 32 rows, as a training
     * loop with long kernels should.
     */
    private static void overlap(final BufferAllocator allocator, final boolean progressInCompute)
    {
        final int n = 256;
        final int batch = 32;
        final int layers = 4;
        final float[] a = new float[batch * n];
        final float[] d = new float[batch * n];
        for (int i = 0; i < a.length; i++)
        {
            a[i] = TinyClassifier.uniform(3, i);
            d[i] = TinyClassifier.uniform(5, i);
        }
        final Tensor[] p = new Tensor[layers];
        final Tensor[] g = new Tensor[layers];
        for (int k = 0; k < layers; k++)
        {
            p[k] = Tensors.zeros(allocator, DType.F32, n, n);
            g[k] = Tensors.zeros(allocator, DType.F32, n, n);
        }
        final float[] row = new float[n];
        try (BucketedAllReduce dp = (BucketedAllReduce)DataParallel.create(world, allocator, List.of(p), List.of(g),
            new DataParallelOptions().bucketBytes(n * n * 4).trace(true)))
        {
            check(dp.buckets() == layers, "one bucket per layer, got " + dp.buckets());
            for (int step = 0; step < 40; step++)
            {
                if (step == 10)
                {
                    dp.trace().reset(); // the first steps are the JIT's
                }
                for (int k = layers - 1; k >= 0; k--)
                {
                    final MemorySegment gs = g[k].segment();
                    for (int i = 0; i < n; i++)
                    {
                        java.util.Arrays.fill(row, 0);
                        for (int b = 0; b < batch; b++)
                        {
                            final float ai = a[b * n + i] * (k + 1);
                            for (int j = 0; j < n; j++)
                            {
                                row[j] += ai * d[b * n + j];
                            }
                        }
                        MemorySegment.copy(row, 0, gs, JAVA_FLOAT_UNALIGNED, (long)i * n * 4, n);
                        if (progressInCompute && (i & 31) == 31)
                        {
                            dp.progress();
                        }
                    }
                    dp.gradientReady(k);
                }
                dp.step();
                final BucketTrace t = dp.trace();
                check(t.startedNanos(0) < t.backwardEndNanos(), "step " + step + ": the first bucket's all-reduce " +
                    "started before backward ended\n" + t.describeLastStep());
                check(t.finishedNanos(layers - 1) >= t.startedNanos(layers - 1), "finish after start");
            }
            // every rank contributed layer k's gradient the same: the average is the gradient itself
            final float want = 0;
            check(g[0].getFloat(0, 0) != want, "gradients are not zero");
            final BucketTrace t = dp.trace();
            check(t.hiddenNanos() > 0, "some communication hidden behind backward: " + t.summary());
            // the step's phases: gradients copied in, buckets completed after backward, no update given
            check(t.copyInNanos() > 0 && t.progressNanos() > 0 && t.completionNanos() > 0 && t.updateNanos() == 0,
                "phases of the step: " + t.phases());
            if (me == 0)
            {
                System.out.println("phases (progress in compute: " + progressInCompute + "): " + t.phases());
                System.out.println("trace (progress in compute: " + progressInCompute + "), last step:\n" +
                    t.describeLastStep());
                System.out.println("overlap summary (progress in compute: " + progressInCompute + "): " + t.summary());
            }
        }
        for (int k = 0; k < layers; k++)
        {
            p[k].close();
            g[k].close();
        }
        System.out.println("ok overlap" + (progressInCompute ? "-progress" : "") + " rank " + me);
    }

    // ------------------------------------------------------------------------------------------------ noSync

    /** Two micro-batches of 8 under noSync, then step(), average to what one batch of 16 does. */
    private static void noSyncEqualsBiggerBatch(final BufferAllocator allocator)
    {
        try (TinyClassifier model = new TinyClassifier(allocator, 480, 9, DType.F32);
             DataParallel dp = DataParallel.create(world, allocator, model.parameters, model.gradients,
                 new DataParallelOptions().bucketBytes(64)))
        {
            final DistributedSampler sampler = new DistributedSampler(480, 2, me, 1, true, false);
            final int[] indices = sampler.indices(new int[sampler.size()]);
            model.backward(indices, 0, 16, dp::gradientReady);
            dp.step();
            final float[] big = gradients(model);
            try (DataParallel.NoSync ignored = dp.noSync())
            {
                model.backward(indices, 0, 8, dp::gradientReady);
            }
            model.backward(indices, 8, 8, dp::gradientReady);
            dp.step();
            final float[] accumulated = gradients(model);
            final double diff = TinyClassifier.relativeDifference(big, accumulated);
            check(diff <= 1e-6, "noSync accumulation of 2 x 8 vs a batch of 16: relative difference " + diff);
            System.out.println("ok nosync rank " + me + " relative difference " + diff);
        }
    }

    private static float[] gradients(final TinyClassifier model)
    {
        int n = 0;
        for (final Tensor g : model.gradients)
        {
            n += (int)g.elementCount();
        }
        final float[] all = new float[n];
        int at = 0;
        for (final Tensor g : model.gradients)
        {
            final float[] part = g.toFloatArray();
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    // -------------------------------------------------------------------------------------------------- BF16

    /**
     * A BF16 gradient accumulated over four passes (1, then 2^-9 three times) and averaged over 2 ranks and the 4
     * passes: in F32 buckets the small terms survive (0.2514... rounds to 0.251953125); in BF16 buckets each is
     * lost in the rounding of 1 + 2^-9 (0.25).
     */
    private static void bf16Accumulation(final BufferAllocator allocator, final boolean inF32, final float want)
    {
        try (Tensor p = Tensors.zeros(allocator, DType.F32, 64);
             Tensor g = Tensors.zeros(allocator, DType.BF16, 64);
             DataParallel dp = DataParallel.create(world, allocator, List.of(p), List.of(g),
                 new DataParallelOptions().accumulateInF32(inF32)))
        {
            try (DataParallel.NoSync ignored = dp.noSync())
            {
                for (int pass = 0; pass < 3; pass++)
                {
                    g.fill(pass == 0 ? 1.0 : 1.0 / 512);
                    dp.gradientReady(0);
                }
            }
            g.fill(1.0 / 512);
            dp.gradientReady(0);
            dp.step();
            for (int i = 0; i < 64; i++)
            {
                final float got = HalfFloats.bf16ToFloat(g.segment().getAtIndex(JAVA_SHORT_UNALIGNED, i));
                check(got == want, "BF16 gradient " + (inF32 ? "with" : "without") + " F32 accumulation: element " +
                    i + " is " + got + ", expected " + want);
            }
        }
        System.out.println("ok bf16-" + (inF32 ? "f32" : "bf16") + " rank " + me);
    }

    // -------------------------------------------------------------------------------------------- allocation

    /**
     * Training steps of the tiny model (backward, gradientReady, step with the momentum update, sampler) allocate
     * nothing once warm ({@link SteadyStateAllocation}). In parameter-server mode rank 1 is the server and only the
     * worker measures. {@code wide}: the wide model's 40 KiB buckets, node-shared and reduced in place, and the update
     * reading the averages in them (nothing copied back).
     */
    private static void allocation(final BufferAllocator allocator, final DataParallelOptions.Mode mode,
        final boolean wide)
    {
        final String name = mode + (wide ? "-node-shared" : "");
        try (TinyClassifier model = new TinyClassifier(allocator, 480, 9, DType.F32,
                wide ? TinyClassifier.WIDE : TinyClassifier.FEATURES);
             Momentum momentum = new Momentum(allocator, 0.05f * TinyClassifier.FEATURES / model.features(), 0.9f);
             DataParallel dp = DataParallel.create(world, allocator, model.parameters, model.gradients,
                 new DataParallelOptions().mode(mode).bucketBytes(wide ? 64 << 10 : 64).update(momentum)
                     .updateInBuckets(wide)))
        {
            check(!wide || ((BucketedAllReduce)dp).nodeSharedBuckets(), name + ": buckets are node-shared");
            if (!dp.isWorker())
            {
                dp.serve();
                System.out.println("ok allocation-" + name + " rank " + me);
                return;
            }
            // with one worker (parameter-server mode) nobody else steps with it
            final long best = quietestSteps(mode == DataParallelOptions.Mode.ALL_REDUCE ? world : null,
                name + " (rank " + me + ")", model, dp);
            check(best == 0, name + ": training steps allocate in steady state (" + best +
                " bytes in the quietest round)");
        }
        System.out.println("ok allocation-" + name + " rank " + me);
    }

    /** Training steps of {@code model} through {@code dp}, epoch after epoch: the bytes of the quietest round. */
    private static long quietestSteps(final Communicator ranks, final String what, final TinyClassifier model,
        final DataParallel dp)
    {
        final DistributedSampler sampler = new DistributedSampler(480, dp.workers(), dp.workerIndex(), 1, true,
            false);
        final int[] indices = new int[sampler.size()];
        final IntConsumer ready = dp::gradientReady;
        final int local = 8;
        final int stepsPerEpoch = sampler.size() / local;
        final int[] step = {0};
        return SteadyStateAllocation.quietestRound(ranks, what, 3000, 500, () ->
        {
            if (step[0] % stepsPerEpoch == 0)
            {
                sampler.setEpoch(step[0] / stepsPerEpoch);
                sampler.indices(indices);
            }
            model.backward(indices, (step[0] % stepsPerEpoch) * local, local, ready);
            dp.step();
            step[0]++;
        });
    }

    /** The sharded update (node-shared parameters and gradients): steps allocate nothing once warm either. */
    private static void shardedAllocation(final BufferAllocator allocator)
    {
        try (NodeSharedAllocator shared = NodeSharedAllocator.create(world, allocator);
             TinyClassifier model = new TinyClassifier(allocator, shared, 480, 9, DType.F32, TinyClassifier.WIDE);
             Momentum momentum = new Momentum(allocator, 0.05f * TinyClassifier.FEATURES / model.features(), 0.9f);
             DataParallel dp = DataParallel.create(world, allocator, model.parameters, model.gradients,
                 new DataParallelOptions().bucketBytes(64 << 10).update(momentum)))
        {
            check(((BucketedAllReduce)dp).shardedUpdate() == (world.size() > 1), "sharded: the update is sharded");
            final long best = quietestSteps(world, "sharded (rank " + me + ")", model, dp);
            check(best == 0, "sharded: training steps allocate in steady state (" + best +
                " bytes in the quietest round)");
        }
        System.out.println("ok allocation-sharded rank " + me);
    }

    // ------------------------------------------------------------------------------------ persistent all-reduce

    /**
     * The collective the buckets are made of: one allReduceInit request restarted with new data gives each time's
     * sum (ring-sized and small), and start() refuses a request in flight or one that is not persistent.
     */
    private static void persistentAllReduce(final BufferAllocator allocator)
    {
        final Collectives c = Collectives.of(world);
        final int n = world.size();
        for (final int count : new int[] {3, 100_000})
        {
            try (Tensor t = Tensors.zeros(allocator, DType.F32, count))
            {
                final dev.ringfold.collectives.CollectiveRequest r = c.allReduceInit(t, ReduceOp.SUM);
                r.await(); // never started: nothing to wait for
                for (int round = 1; round <= 4; round++)
                {
                    t.fill((double)(me + 1) * round);
                    if (round == 2)
                    {
                        // the others start only when rank 0 says so: rank 0's request cannot finish before
                        final byte[] token = new byte[1];
                        if (me == 0)
                        {
                            r.start();
                            expect(IllegalStateException.class, "still in flight", r::start);
                            for (int peer = 1; peer < n; peer++)
                            {
                                world.send(token, 0, 1, peer, 7);
                            }
                        }
                        else
                        {
                            world.recv(token, 0, 1, 0, 7);
                            r.start();
                        }
                    }
                    else
                    {
                        r.start();
                    }
                    r.await();
                    final float want = round * n * (n + 1) / 2f;
                    check(t.getFloat(0) == want && t.getFloat(count - 1) == want, "persistent allReduce of " +
                        count + ", round " + round + ": " + t.getFloat(0) + " expected " + want);
                }
                final dev.ringfold.collectives.CollectiveRequest once = c.iallReduce(t, ReduceOp.SUM);
                once.await();
                expect(IllegalStateException.class, "is not persistent", once::start);
            }
        }
        System.out.println("ok persistent rank " + me);
    }

    // ------------------------------------------------------------------------------------------------ errors

    private interface Call
    {
        void run();
    }

    private static void expect(final Class<? extends RuntimeException> type, final String fragment, final Call call)
    {
        try
        {
            call.run();
        }
        catch (final RuntimeException ex)
        {
            check(type.isInstance(ex) && ex.getMessage() != null && ex.getMessage().contains(fragment) &&
                ex.getMessage().contains("rank " + me), "expected " + type.getSimpleName() + " saying '" + fragment +
                "' and the rank, got " + ex);
            return;
        }
        throw new AssertionError("rank " + me + ": expected " + type.getSimpleName() + " saying '" + fragment + "'");
    }

    private static void errors(final BufferAllocator allocator)
    {
        try (TinyClassifier model = new TinyClassifier(allocator, 64, 1, DType.F32);
             Tensor wrongType = Tensors.zeros(allocator, DType.I32, TinyClassifier.CLASSES);
             Tensor wrongShape = Tensors.zeros(allocator, DType.F32, TinyClassifier.CLASSES + me);
             Momentum momentum = new Momentum(allocator, 0.1f, 0.9f))
        {
            final List<Tensor> ps = model.parameters;
            final List<Tensor> gs = model.gradients;
            final DataParallelOptions plain = new DataParallelOptions();
            expect(IllegalArgumentException.class, "4 parameters and 3 gradients",
                () -> DataParallel.create(world, allocator, ps, gs.subList(0, 3), plain));
            expect(IllegalArgumentException.class, "gradients must be F32, BF16 or F16",
                () -> DataParallel.create(world, allocator, ps, List.of(gs.get(0), gs.get(1), gs.get(2), wrongType),
                    plain));
            expect(IllegalArgumentException.class, "the model differs between ranks",
                () -> DataParallel.create(world, allocator, List.of(ps.get(0), ps.get(1), ps.get(2), wrongShape),
                    List.of(gs.get(0), gs.get(1), gs.get(2), wrongShape), plain));
            expect(IllegalArgumentException.class, "parameter-server mode needs DataParallelOptions.update",
                () -> DataParallel.create(world, allocator, ps, gs,
                    new DataParallelOptions().mode(DataParallelOptions.Mode.PARAMETER_SERVER)));
            expect(IllegalArgumentException.class, "leaves no worker",
                () -> DataParallel.create(world, allocator, ps, gs, new DataParallelOptions()
                    .mode(DataParallelOptions.Mode.PARAMETER_SERVER).servers(world.size()).update(momentum)));
            try
            {
                new DataParallelOptions().bucketBytes(0);
                throw new AssertionError("bucketBytes(0) accepted");
            }
            catch (final IllegalArgumentException ex)
            {
                check(ex.getMessage().contains("bucketBytes=0 must be"), ex.getMessage());
            }
            final int[] all = new int[64];
            for (int i = 0; i < all.length; i++)
            {
                all[i] = i;
            }
            try (DataParallel dp = DataParallel.create(world, allocator, ps, gs, plain))
            {
                expect(IndexOutOfBoundsException.class, "indices 0 to 3", () -> dp.gradientReady(4));
                expect(IllegalStateException.class, "without a backward pass", dp::step);
                dp.gradientReady(3);
                expect(IllegalStateException.class, "marked ready twice", () -> dp.gradientReady(3));
                expect(IllegalStateException.class, "in the middle of a backward pass: 1 of 4", dp::step);
                check(!dp.serve(), "serve() on an all-reduce worker returns false at once");
                try (DataParallel.NoSync ignored = dp.noSync())
                {
                    dp.allGradientsReady();
                    expect(IllegalStateException.class, "inside a noSync() scope", dp::step);
                }
                model.backward(all, me * 32, 32, dp::gradientReady);
                expect(IllegalStateException.class, "after its bucket's all-reduce started",
                    () -> dp.gradientReady(3));
                dp.step();
                // still usable: a whole step after the errors
                model.backward(all, me * 32, 32, dp::gradientReady);
                dp.step();
            }
            // and the communicator too
            final long[] sum = {me + 1};
            Collectives.of(world).allReduce(sum, 0, 1, ReduceOp.SUM);
            check(sum[0] == (long)world.size() * (world.size() + 1) / 2, "allReduce after the errors: " + sum[0]);
        }
        System.out.println("ok errors rank " + me);
    }

    /** A checkpoint that does not fit the model fails on every rank, rank 0 saying why. */
    private static void checkpointErrors(final BufferAllocator allocator) throws Exception
    {
        // every rank needs the same name: rank 0's pid makes it
        final long[] stamp = {ProcessHandle.current().pid()};
        Collectives.of(world).broadcast(stamp, 0, 1, 0);
        final Path shared = Path.of(System.getProperty("java.io.tmpdir"), "dp-checks-" + stamp[0] + ".arrow");
        try (TinyClassifier model = new TinyClassifier(allocator, 64, 1, DType.F32))
        {
            TrainingCheckpoint.save(shared, world, model.parameters, TrainingCheckpoint.noState(),
                new TrainingProgress(5, 1, 42, 77));
            world.barrier();
            final TrainingProgress back = TrainingCheckpoint.load(shared, world, model.parameters,
                TrainingCheckpoint.noState());
            check(back.equals(new TrainingProgress(5, 1, 42, 77)), "progress round trip: " + back);
            final List<Tensor> fewer = model.parameters.subList(0, 3);
            if (me == 0)
            {
                expect(IllegalArgumentException.class, "the file holds",
                    () -> TrainingCheckpoint.load(shared, world, fewer, TrainingCheckpoint.noState()));
            }
            else
            {
                expect(IllegalStateException.class, "rank 0 could not load",
                    () -> TrainingCheckpoint.load(shared, world, fewer, TrainingCheckpoint.noState()));
            }
        }
        finally
        {
            world.barrier();
            if (me == 0)
            {
                Files.deleteIfExists(shared);
            }
        }
        System.out.println("ok checkpoint-errors rank " + me);
    }
}
