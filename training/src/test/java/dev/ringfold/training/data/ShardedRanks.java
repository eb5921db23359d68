package dev.ringfold.training.data;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Adam;
import dev.ringfold.tensors.nn.Optimizer;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SgdMomentum;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The sharded update on real ranks: {@code ShardedRanks <sgd|momentum|adam> <steps> <micro-batches> [replicated]}.
 * Every rank builds an MLP 13-7-5 (98 and 40 parameters a layer: no rank count above 1 divides the tensors evenly)
 * with node-shared parameters and gradients, trains it data-parallel on its share of a global batch of 24 synthetic
 * samples a step ({@code micro-batches} backward passes a step, all but the last in {@code noSync}), and beside it the
 * same model, private, trained sequentially on the whole global batch with the same optimizer. Each rank prints
 * {@code sharded R true|false}, the relative difference to the sequential run ({@code difference R D}), and
 * {@code identical R true} when every rank's parameters have the same bits (a hash all-reduced by MIN and MAX);
 * {@code replicated} turns the sharded update off (every rank updates the whole model), to compare. After
 * closing, it checks that none of its files is left in the node-shared directory, then prints {@code ok sharded
 * rank R}.
 */
public final class ShardedRanks
{
    private static final int FEATURES = 13;
    private static final int CLASSES = 5;
    private static final int GLOBAL_BATCH = 24;
    /** One sample's features: the steady-state steps must not allocate. */
    private static final float[] FEATURE_SCRATCH = new float[FEATURES];
    private static final Sequential.Builder MLP = Sequential.builder(FEATURES).linear(7).relu().linear(CLASSES);

    public static void main(final String[] args)
    {
        final String optimizer = args[0];
        final int steps = Integer.parseInt(args[1]);
        final int passes = Integer.parseInt(args[2]);
        final boolean replicated = List.of(args).contains("replicated");
        try (Ringfold rf = Ringfold.init(); BufferAllocator allocator = new RootAllocator())
        {
            final Communicator world = rf.world();
            final int me = world.rank();
            final int np = world.size();
            final Path directory;
            final String files;
            try (NodeSharedAllocator shared = NodeSharedAllocator.create(world, allocator))
            {
                directory = shared.directory();
                files = "ringfold-" + shared.jobId() + "-";
                train(world, allocator, shared, optimizer, steps, passes, replicated);
            }
            Collectives.of(world).barrier(); // every rank has closed: the last user of each file has removed it
            try (Stream<Path> left = Files.list(directory))
            {
                final List<Path> mine = left.filter(p -> p.getFileName().toString().startsWith(files)).toList();
                if (!mine.isEmpty())
                {
                    throw new IllegalStateException("rank " + me + ": node-shared files of the job left after " +
                        "every rank closed: " + mine);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            if (allocator.getAllocatedMemory() != 0)
            {
                throw new IllegalStateException("rank " + me + ": " + allocator.getAllocatedMemory() +
                    " bytes still allocated");
            }
            System.out.println("ok sharded rank " + me + " of " + np);
        }
    }

    private static Optimizer optimizer(final String name, final BufferAllocator allocator, final List<Tensor> p,
        final List<Tensor> g)
    {
        return switch (name)
        {
            case "sgd" -> new SgdMomentum(allocator, p, g, 0.1f, 0.0f);
            case "momentum" -> new SgdMomentum(allocator, p, g, 0.1f, 0.9f);
            case "adam" -> new Adam(allocator, p, g, 0.01f);
            default -> throw new IllegalArgumentException("optimizer " + name + ": sgd, momentum or adam");
        };
    }

    private static void train(final Communicator world, final BufferAllocator allocator,
        final NodeSharedAllocator shared, final String name, final int steps, final int passes,
        final boolean replicated)
    {
        final int me = world.rank();
        final int np = world.size();
        final int local = GLOBAL_BATCH / np;
        final int micro = local / passes;
        try (Sequential model = MLP.build(allocator, shared, 7);
             Sequential reference = MLP.build(allocator, 7);
             Activations activations = model.newActivations(allocator, GLOBAL_BATCH);
             Activations referenceActivations = reference.newActivations(allocator, GLOBAL_BATCH);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, CLASSES, GLOBAL_BATCH);
             Tensor x = Tensors.zeros(allocator, DType.F32, GLOBAL_BATCH, FEATURES);
             Tensor y = Tensors.zeros(allocator, DType.I32, GLOBAL_BATCH);
             Tensor xs = Tensors.zeros(allocator, DType.F32, GLOBAL_BATCH, FEATURES);
             Tensor ys = Tensors.zeros(allocator, DType.I32, GLOBAL_BATCH);
             Optimizer sequential = optimizer(name, allocator, reference.parameters(), reference.gradients());
             OptimizerUpdate update = new OptimizerUpdate((p, g) -> optimizer(name, allocator, p, g));
             DataParallel dp = DataParallel.create(world, allocator, model.parameters(), model.gradients(),
                 new DataParallelOptions().bucketBytes(256).update(update).shardedUpdate(!replicated)))
        {
            final BucketedAllReduce buckets = (BucketedAllReduce)dp;
            System.out.println("sharded " + me + " " + buckets.shardedUpdate());
            model.gradientListener((i, gradient) -> dp.gradientReady(i));
            final int[] step = {0};
            final Runnable oneStep = () ->
            {
                for (int pass = 0; pass < passes; pass++)
                {
                    sample(step[0], me * local + pass * micro, micro, x, y);
                    model.zeroGradients();
                    loss.forward(model.forward(activations, x, micro), y, micro);
                    if (pass < passes - 1)
                    {
                        try (DataParallel.NoSync ignored = dp.noSync())
                        {
                            model.backward(activations, loss.backward(), micro, false);
                        }
                    }
                    else
                    {
                        model.backward(activations, loss.backward(), micro, false);
                    }
                }
                dp.step();
                step[0]++;
            };
            for (int s = 0; s < steps; s++)
            {
                oneStep.run();
                sample(s, 0, GLOBAL_BATCH, xs, ys);
                reference.zeroGradients();
                loss.forward(reference.forward(referenceActivations, xs, GLOBAL_BATCH), ys, GLOBAL_BATCH);
                reference.backward(referenceActivations, loss.backward(), GLOBAL_BATCH, false);
                sequential.step();
            }
            double diff = 0;
            double norm = 0;
            long hash = 17;
            for (int i = 0; i < model.parameters().size(); i++)
            {
                final MemorySegment a = model.parameters().get(i).segment();
                final MemorySegment b = reference.parameters().get(i).segment();
                for (long e = 0; e < model.parameters().get(i).elementCount(); e++)
                {
                    final float va = a.getAtIndex(ValueLayout.JAVA_FLOAT, e);
                    final float vb = b.getAtIndex(ValueLayout.JAVA_FLOAT, e);
                    diff = Math.max(diff, Math.abs(va - vb));
                    norm = Math.max(norm, Math.abs(vb));
                    hash = hash * 31 + Float.floatToRawIntBits(va);
                }
            }
            final long[] both = {hash, -hash};
            Collectives.of(world).allReduce(both, 0, 2, ReduceOp.MIN);
            System.out.println("difference " + me + " " + diff / norm);
            System.out.println("identical " + me + " " + (both[0] == hash && -both[1] == hash));
        }
    }

    /**
     * Rows {@code from .. from + rows - 1} of step {@code step}'s global batch into rows 0.. of {@code x} and
     * {@code y}: features from a counter-based hash, the label the arg-max of a fixed projection (learnable).
     */
    private static void sample(final int step, final int from, final int rows, final Tensor x, final Tensor y)
    {
        final MemorySegment xs = x.segment();
        final MemorySegment ys = y.segment();
        for (int r = 0; r < rows; r++)
        {
            final long sampleIndex = (long)step * GLOBAL_BATCH + from + r;
            int label = 0;
            float best = Float.NEGATIVE_INFINITY;
            final float[] f = FEATURE_SCRATCH;
            for (int c = 0; c < FEATURES; c++)
            {
                long h = (sampleIndex * FEATURES + c) * 0x9E3779B97F4A7C15L;
                h ^= h >>> 29;
                h *= 0xBF58476D1CE4E5B9L;
                h ^= h >>> 32;
                f[c] = (h & 0xFFFF) / 65536.0f - 0.5f;
                xs.setAtIndex(ValueLayout.JAVA_FLOAT, (long)r * FEATURES + c, f[c]);
            }
            for (int k = 0; k < CLASSES; k++)
            {
                float score = 0;
                for (int c = 0; c < FEATURES; c++)
                {
                    score += f[c] * (((c * 7 + k * 3) % 5) - 2);
                }
                if (score > best)
                {
                    best = score;
                    label = k;
                }
            }
            ys.setAtIndex(ValueLayout.JAVA_INT, r, label);
        }
    }
}
