package dev.ringfold.examples.fashion;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.training.data.DataParallel;
import dev.ringfold.training.data.DataParallelOptions;
import dev.ringfold.training.data.DistributedSampler;
import dev.ringfold.training.pipeline.Partition;
import dev.ringfold.training.pipeline.Partitioner;
import dev.ringfold.training.pipeline.PipelineGrid;
import dev.ringfold.training.pipeline.PipelineStage;
import dev.ringfold.training.pipeline.Schedule;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Optimizer;
import dev.ringfold.tensors.nn.Sequential;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.PrintStream;
import java.util.List;

/**
 * Trains a deep MLP (784-W-W-W-10, ReLU, softmax cross-entropy) on Fashion-MNIST with pipeline parallelism: the
 * layers are split by parameter count into {@code --stages} stages on neighbouring ranks, each step's batch runs as
 * {@code --micro-batches} micro-batches under GPipe or 1F1B; with more ranks than stages the world is p × d ranks,
 * d pipeline replicas whose stages all-reduce their gradients (2-D parallelism). The last stage of replica 0 prints
 * a progress bar per epoch and, last, {@code test accuracy: 0.XXXX}.
 * <pre>
 * bin/mpjrun -np 2 --no-tag-output -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar \
 *     dev.ringfold.examples.fashion.FashionMnistPipeline --stages 2 --epochs 10
 * </pre>
 * Options: {@value #USAGE}, and those of {@link FashionMnistTraining} ({@value TrainingOptions#USAGE}) except
 * {@code --mode}.
 */
public final class FashionMnistPipeline
{
    static final String USAGE = "[--stages P] [--micro-batches M] [--pipeline gpipe|1f1b] [--width W]";

    private static final int GATHER_TAG = 77;

    private FashionMnistPipeline()
    {
    }

    /** The pipeline's own options; everything else goes to {@link TrainingOptions}. */
    static final class Options
    {
        int stages = 2;
        int microBatches = 4;
        Schedule schedule = Schedule.ONE_F_ONE_B;
        int width = 512;
        TrainingOptions training;

        static Options parse(final String[] args)
        {
            final Options options = new Options();
            final List<String> rest = OwnOptions.split(args,
                List.of("--stages", "--micro-batches", "--pipeline", "--width"), "FashionMnistPipeline " + USAGE,
                (name, value) ->
                {
                    switch (name)
                    {
                        case "--stages" -> options.stages = OwnOptions.positive(name, value);
                        case "--micro-batches" -> options.microBatches = OwnOptions.positive(name, value);
                        case "--width" -> options.width = OwnOptions.positive(name, value);
                        default -> options.schedule = switch (value)
                        {
                            case "gpipe" -> Schedule.GPIPE;
                            case "1f1b" -> Schedule.ONE_F_ONE_B;
                            default -> throw new IllegalArgumentException("--pipeline: gpipe or 1f1b, not '" +
                                value + "'");
                        };
                    }
                });
            options.training = TrainingOptions.parse(rest.toArray(new String[0]));
            if (options.training.mode != TrainingOptions.Mode.ALLREDUCE)
            {
                throw new IllegalArgumentException("--mode: the pipeline example's replicas all-reduce; no --mode ps");
            }
            return options;
        }

        @Override
        public String toString()
        {
            return "stages=" + stages + " micro-batches=" + microBatches + " schedule=" + schedule + " width=" +
                width + " " + training;
        }
    }

    static Sequential.Builder model(final int width)
    {
        return Sequential.builder(FashionMnist.PIXELS).linear(width).relu().linear(width).relu().linear(width).relu()
            .linear(FashionMnist.CLASSES);
    }

    public static void main(final String[] args)
    {
        FashionMnistTraining.run(args, Options::parse, FashionMnistPipeline::train);
    }

    /** Runs the training; returns the exit status (1: the data set is missing, the message printed by rank 0). */
    static int train(final Communicator world, final Options options, final PrintStream out)
    {
        final TrainingOptions training = options.training;
        final Sequential.Builder mlp = model(options.width);
        try (PipelineGrid grid = new PipelineGrid(world, options.stages);
             BufferAllocator allocator = new RootAllocator())
        {
            final int replicas = grid.replicas();
            if (training.batchSize % (replicas * options.microBatches) != 0)
            {
                throw new IllegalArgumentException("--batch-size " + training.batchSize + " (the global batch) " +
                    "must divide into " + replicas + " replica(s) × " + options.microBatches + " micro-batches");
            }
            final int localBatch = training.batchSize / replicas;
            final Partition partition = Partitioner.byParameters(mlp, options.stages);
            final boolean reporter = grid.replica() == 0 && grid.stage() == options.stages - 1;
            final FashionMnist[] splits = FashionMnistTraining.load(training, allocator, world);
            if (splits == null)
            {
                return 1;
            }
            try (FashionMnist train = splits[0];
                 FashionMnist test = splits[1];
                 Sequential layers = partition.build(mlp, allocator, training.seed, grid.stage());
                 Optimizer optimizer = FashionMnistTraining.optimizer(training, allocator, layers.parameters(),
                     layers.gradients());
                 DataParallel replicated = replicas == 1 ? null : DataParallel.create(grid.data(), allocator,
                     layers.parameters(), layers.gradients(),
                     new DataParallelOptions().update((parameters, gradients) -> optimizer.step()));
                 PipelineStage stage = new PipelineStage(grid.pipeline(), allocator, layers, options.schedule,
                     options.microBatches, localBatch / options.microBatches).dataParallel(replicated);
                 Tensor scratchX = Tensors.zeros(allocator, DType.F32, localBatch, FashionMnist.PIXELS);
                 Tensor scratchY = Tensors.zeros(allocator, DType.I32, localBatch);
                 Sequential whole = reporter ? mlp.build(allocator, training.seed) : null;
                 Activations evaluation = reporter ? whole.newActivations(allocator, localBatch) : null)
            {
                final boolean first = grid.stage() == 0;
                final boolean last = grid.stage() == options.stages - 1;
                final Tensor x = first ? stage.input() : scratchX;
                final Tensor y = last ? stage.labels() : scratchY;
                final DistributedSampler sampler = new DistributedSampler(train.size(), replicas, grid.replica(),
                    training.seed, true, true);
                final int[] samples = new int[sampler.size()];
                final int steps = sampler.size() / localBatch;
                final ProgressBar bar = new ProgressBar(out, training.epochs, System.console() != null);
                if (reporter)
                {
                    out.printf("Fashion-MNIST, MLP 784-%d-%d-%d-10 (%,d parameters), %d stages × %d replica%s, %s%n",
                        options.width, options.width, options.width, total(mlp), options.stages, replicas,
                        replicas == 1 ? "" : "s", options);
                    out.println(partition);
                }
                final long trainStart = System.nanoTime();
                double testAccuracy = 0;
                for (int epoch = 1; epoch <= training.epochs; epoch++)
                {
                    optimizer.learningRate(training.learningRate(epoch));
                    sampler.setEpoch(epoch - 1);
                    sampler.indices(samples);
                    bar.start();
                    double lossSum = 0;
                    long correct = 0;
                    final long epochStart = System.nanoTime();
                    for (int step = 0; step < steps; step++)
                    {
                        if (first || last)
                        {
                            train.gather(samples, step * localBatch, localBatch, x, y);
                        }
                        layers.zeroGradients();
                        final double loss = stage.step();
                        if (replicated == null)
                        {
                            optimizer.step();
                        }
                        if (last)
                        {
                            lossSum += loss;
                            correct += stage.correct();
                        }
                        if (reporter)
                        {
                            final double seconds = (System.nanoTime() - epochStart) * 1e-9;
                            bar.update(epoch, step + 1, steps, lossSum / (step + 1),
                                (double)correct / ((step + 1L) * localBatch),
                                (step + 1.0) * training.batchSize / seconds);
                        }
                    }
                    final double epochSeconds = (System.nanoTime() - epochStart) * 1e-9;
                    final double[] totals = { lossSum, correct };
                    if (last && replicas > 1)
                    {
                        Collectives.of(grid.data()).allReduce(totals, 0, totals.length, ReduceOp.SUM);
                    }
                    if (grid.replica() == 0)
                    {
                        gatherModel(grid, partition, layers, whole);
                    }
                    if (reporter)
                    {
                        testAccuracy = FashionMnistTraining.evaluate(whole, evaluation, test, localBatch, scratchX, scratchY);
                        bar.finish(epoch, steps, totals[0] / ((long)steps * replicas),
                            totals[1] / ((long)steps * training.batchSize), (double)steps * training.batchSize /
                            epochSeconds, epochSeconds, testAccuracy);
                    }
                }
                final double seconds = (System.nanoTime() - trainStart) * 1e-9;
                // every rank's timeline, then the final lines from the reporter
                final double[] rows = new double[world.size() * 4];
                final int at = world.rank() * 4;
                rows[at] = stage.timeline().idleFraction();
                rows[at + 1] = stage.timeline().meanComputeSeconds();
                rows[at + 2] = stage.timeline().receiveWaitPerMicroBatchSeconds();
                rows[at + 3] = stage.timeline().sendWaitPerMicroBatchSeconds();
                Collectives.of(world).allReduce(rows, 0, rows.length, ReduceOp.SUM);
                if (reporter)
                {
                    for (int r = 0; r < world.size(); r++)
                    {
                        out.printf("rank %d (stage %d, replica %d): idle %.1f%%, compute %.2f ms/step, waiting " +
                            "%.3f ms receiving + %.3f ms sending per micro-batch%n", r, r % options.stages,
                            r / options.stages, rows[4 * r] * 100, rows[4 * r + 1] * 1e3, rows[4 * r + 2] * 1e3,
                            rows[4 * r + 3] * 1e3);
                    }
                    out.printf("trained %d epochs in %.1f s%n", training.epochs, seconds);
                    out.printf("test accuracy: %.4f%n", testAccuracy);
                }
            }
        }
        return 0;
    }

    private static long total(final Sequential.Builder mlp)
    {
        long count = 0;
        for (int l = 0; l < mlp.size(); l++)
        {
            count += mlp.parameterCount(l);
        }
        return count;
    }

    /**
     * Replica 0's stages send their parameters to its last stage, which puts them, and its own, into the whole
     * model {@code whole} (null on the other ranks) for evaluation. Blocking sends of each parameter tensor.
     */
    static void gatherModel(final PipelineGrid grid, final Partition partition, final Sequential layers,
        final Sequential whole)
    {
        final Communicator pipeline = grid.pipeline();
        final int last = grid.stages() - 1;
        if (grid.stage() != last)
        {
            for (final Tensor p : layers.parameters())
            {
                pipeline.send(p.unsafeBuffer(), 0, (int)p.byteSize(), last, GATHER_TAG);
            }
            return;
        }
        for (int s = 0; s < grid.stages(); s++)
        {
            for (int l = partition.from(s); l < partition.to(s); l++)
            {
                final List<Tensor> target = whole.layers().get(l).parameters();
                for (int j = 0; j < target.size(); j++)
                {
                    final Tensor p = target.get(j);
                    if (s == last)
                    {
                        p.copyFrom(layers.layers().get(l - partition.from(s)).parameters().get(j));
                    }
                    else
                    {
                        pipeline.recv(p.unsafeBuffer(), 0, (int)p.byteSize(), s, GATHER_TAG);
                    }
                }
            }
        }
    }
}
