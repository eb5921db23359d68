package dev.ringfold.examples;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.nn.Accuracy;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SgdMomentum;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import dev.ringfold.training.data.BucketTrace;
import dev.ringfold.training.data.DataParallel;
import dev.ringfold.training.data.DataParallelOptions;
import dev.ringfold.training.data.DistributedSampler;
import dev.ringfold.training.data.OptimizerUpdate;
import dev.ringfold.training.data.TrainingCheckpoint;
import dev.ringfold.training.data.TrainingProgress;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Data-parallel training, whole and small: an MLP 8-32-4 learns which of four clusters a point of 8 numbers
 * comes from. Every rank makes the same synthetic data set from one seed; each worker trains on its shard of every
 * global batch of 64, its gradients averaged with the others' while backward runs; at the end every worker checks
 * that all hold the same parameters, and rank 0 prints the accuracy on the whole data set.
 * <pre>
 * bin/mpjrun -np 2 -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar dev.ringfold.examples.DataParallelExample
 *     [--epochs N] [--servers K] [--micro-batches M] [--trace] [--checkpoint FILE]
 * </pre>
 * {@code --servers K} makes the last K ranks parameter servers; {@code --micro-batches M} splits each worker's
 * batch into M passes averaged in one step; {@code --trace} prints the bucket trace of the last step;
 * {@code --checkpoint FILE} saves the parameters, optimizer state and progress at the end.
 * docs/data-parallel.md quotes its {@code // [snippet]} sections; DocSnippetsTest keeps them the same.
 */
public final class DataParallelExample
{
    static final int FEATURES = 8;
    static final int CLASSES = 4;
    static final int SAMPLES = 2048;
    static final int GLOBAL_BATCH = 64;
    static final long SEED = 42;

    private final float[] inputs = new float[SAMPLES * FEATURES];
    private final int[] labels = new int[SAMPLES];

    private DataParallelExample()
    {
        // the same data on every rank: clusters around fixed centres, points drawn from one seed
        final SplittableRandom random = new SplittableRandom(SEED);
        final float[] centres = new float[CLASSES * FEATURES];
        for (int i = 0; i < centres.length; i++)
        {
            centres[i] = (float)(random.nextDouble() * 4 - 2);
        }
        for (int s = 0; s < SAMPLES; s++)
        {
            labels[s] = random.nextInt(CLASSES);
            for (int f = 0; f < FEATURES; f++)
            {
                inputs[s * FEATURES + f] = centres[labels[s] * FEATURES + f] + (float)random.nextGaussian(0, 0.7);
            }
        }
    }

    public static void main(final String[] args)
    {
        int epochs = 5;
        int servers = 0;
        int microBatches = 1;
        boolean trace = false;
        Path checkpoint = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--servers" -> servers = Integer.parseInt(args[++i]);
                case "--micro-batches" -> microBatches = Integer.parseInt(args[++i]);
                case "--trace" -> trace = true;
                case "--checkpoint" -> checkpoint = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --epochs N, " +
                    "--servers K, --micro-batches M, --trace, --checkpoint FILE");
            }
        }
        try (Ringfold rf = Ringfold.init();
             BufferAllocator allocator = new RootAllocator())
        {
            new DataParallelExample().train(rf.world(), allocator, epochs, servers, microBatches, trace, checkpoint);
        }
    }

    private void train(final Communicator world, final BufferAllocator allocator, final int epochs, final int servers,
        final int microBatches, final boolean trace, final Path checkpoint)
    {
        final int workers = world.size() - servers;
        if (workers < 1 || GLOBAL_BATCH % (workers * microBatches) != 0)
        {
            throw new IllegalArgumentException("a global batch of " + GLOBAL_BATCH + " does not split into " +
                workers + " workers x " + microBatches + " micro-batches (np " + world.size() + ", " + servers +
                " servers)");
        }
        if (checkpoint != null && servers > 0)
        {
            throw new IllegalArgumentException("--checkpoint saves the optimizer state of all-reduce mode; " +
                "with --servers the servers hold it");
        }
        final int microBatch = GLOBAL_BATCH / workers / microBatches;
        // the workers among themselves, for the final check and the checkpoint (split is collective: every rank)
        final Communicator trainers = world.split(world.rank() < workers ? 0 : 1, world.rank());
        // [snippet setup]
        Sequential.Builder mlp = Sequential.builder(FEATURES).linear(32).relu().linear(CLASSES);
        try (Sequential model = mlp.build(allocator, SEED);                // same seed, same parameters everywhere
             OptimizerUpdate sgd = new OptimizerUpdate(                     // an nn optimizer as the ParameterUpdate
                 (params, grads) -> new SgdMomentum(allocator, params, grads, 0.05f, 0.9f));
             DataParallel dp = DataParallel.create(world, allocator, model.parameters(), model.gradients(),
                 new DataParallelOptions()
                     .mode(servers == 0 ? DataParallelOptions.Mode.ALL_REDUCE : DataParallelOptions.Mode.PARAMETER_SERVER)
                     .servers(Math.max(servers, 1))
                     .trace(trace)
                     .update(sgd)))
        {
            if (!dp.isWorker())                                             // the last `servers` ranks
            {
                dp.serve();                                                 // until every worker has closed
                return;
            }
            model.gradientListener((i, gradient) -> dp.gradientReady(i));   // each gradient as backward finishes it
        // [end]
            try (Activations acts = model.newActivations(allocator, microBatch);
                 SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, CLASSES, microBatch);
                 Tensor x = Tensors.zeros(allocator, DType.F32, microBatch, FEATURES);
                 Tensor y = Tensors.zeros(allocator, DType.I32, microBatch))
            {
                final UnsafeBuffer xs = x.unsafeBuffer();
                final UnsafeBuffer ys = y.unsafeBuffer();
                final Batches batches = (indices, from) ->
                {
                    for (int r = 0; r < microBatch; r++)
                    {
                        final int sample = indices[from + r];
                        for (int f = 0; f < FEATURES; f++)
                        {
                            xs.putFloat((r * FEATURES + f) * Float.BYTES, inputs[sample * FEATURES + f]);
                        }
                        ys.putInt(r * Integer.BYTES, labels[sample]);
                    }
                    model.zeroGradients();
                    final double meanLoss = loss.forward(model.forward(acts, x, microBatch), y, microBatch);
                    model.backward(acts, loss.backward(microBatch * microBatches), microBatch, false);
                    return meanLoss;
                };
                long step = 0;
                double lastLoss = 0;
                // [snippet loop]
                DistributedSampler sampler = new DistributedSampler(SAMPLES, dp.workers(), dp.workerIndex(), SEED,
                    true, true);                                            // shuffled, equal shards
                int[] indices = new int[sampler.size()];
                for (int epoch = 0; epoch < epochs; epoch++)
                {
                    sampler.setEpoch(epoch);                                // a new permutation, the same on every rank
                    sampler.indices(indices);
                    for (int s = 0; s + microBatch * microBatches <= indices.length; s += microBatch * microBatches)
                    {
                        for (int m = 1; m < microBatches; m++)
                        {
                            try (DataParallel.NoSync ignored = dp.noSync())  // adds to the buckets, sends nothing
                            {
                                lastLoss = batches.forwardBackward(indices, s + (m - 1) * microBatch);
                            }
                        }
                        lastLoss = batches.forwardBackward(indices, s + (microBatches - 1) * microBatch);
                        dp.step();                                          // averaged, applied: same parameters everywhere
                        step++;
                    }
                }
                // [end]
                if (trace)
                {
                    // [snippet trace]
                    BucketTrace t = dp.trace();
                    System.out.println(t.describeLastStep());
                    System.out.println(t.summary());
                    // [end]
                }
                report(trainers, dp, model, allocator, lastLoss);
                if (checkpoint != null)
                {
                    // [snippet checkpoint]
                    TrainingCheckpoint.save(checkpoint, trainers, model.parameters(), sgd.optimizer().state(),
                        new TrainingProgress(step, epochs, SEED, 0));
                    // [end]
                }
            }
        }
    }

    /** One forward and backward pass over the micro-batch at {@code from} in {@code indices}; its mean loss. */
    @FunctionalInterface
    private interface Batches
    {
        double forwardBackward(int[] indices, int from);
    }

    /** Checks that every worker holds the same parameters; rank 0 prints the accuracy on the whole data set. */
    private void report(final Communicator trainers, final DataParallel dp, final Sequential model,
        final BufferAllocator allocator, final double lastLoss)
    {
        double sum = 0;
        for (final Tensor p : model.parameters())
        {
            for (final float v : p.toFloatArray())
            {
                sum += v;
            }
        }
        final Collectives workers = Collectives.of(trainers);
        final double[] min = {sum};
        final double[] max = {sum};
        workers.allReduce(min, 0, 1, ReduceOp.MIN);
        workers.allReduce(max, 0, 1, ReduceOp.MAX);
        if (min[0] != max[0])
        {
            throw new IllegalStateException("worker " + trainers.rank() + ": the workers' parameters differ (sums " +
                min[0] + " to " + max[0] + ")");
        }
        int correct = 0;
        try (Activations acts = model.newActivations(allocator, SAMPLES);
             Tensor x = Tensors.fromArray(allocator, inputs, SAMPLES, FEATURES);
             Tensor y = Tensors.fromArray(allocator, labels, SAMPLES))
        {
            correct = Accuracy.correct(model.forward(acts, x, SAMPLES), y, SAMPLES);
        }
        if (dp.workerIndex() == 0)
        {
            System.out.printf("%d workers: last loss %.4f, accuracy %.4f on %d samples, parameters identical on every" +
                " worker%n", dp.workers(), lastLoss, correct / (double)SAMPLES, SAMPLES);
        }
    }
}
