package dev.ringfold.examples.fashion;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.nn.Accuracy;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Adam;
import dev.ringfold.tensors.nn.GradientListener;
import dev.ringfold.tensors.nn.Optimizer;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SgdMomentum;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.PrintStream;

/**
 * Trains the MLP 784-256-128-10 (ReLU, softmax cross-entropy) on Fashion-MNIST, data-parallel over the ranks: every
 * rank holds the whole model and trains on its share of each global batch; gradients are averaged every step, so
 * all ranks keep the same parameters. Rank 0 prints a progress bar per epoch and, last, {@code test accuracy: 0.XXXX}.
 * <pre>
 * bin/mpjrun -np 2 --no-tag-output -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar \
 *     dev.ringfold.examples.fashion.FashionMnistTraining --epochs 10
 * </pre>
 * Options: {@value TrainingOptions#USAGE}. {@code --timing} adds, per epoch, the step time, a compute-only step
 * (forward and backward without gradient synchronisation, measured as PyTorch's {@code no_sync}) and their
 * difference, the communication overhead per step.
 */
public final class FashionMnistTraining
{
    /** The model, described once; every rank builds it from the same seed, so all start from the same bits. */
    static final Sequential.Builder MLP = Sequential.builder(FashionMnist.PIXELS)
        .linear(256).relu().linear(128).relu().linear(FashionMnist.CLASSES);
    private static final int COMPUTE_ONLY_STEPS = 100;

    private FashionMnistTraining()
    {
    }

    public static void main(final String[] args)
    {
        run(args, TrainingOptions::parse, FashionMnistTraining::train);
    }

    /** A trainer: runs on {@code world} and returns the exit status. */
    @FunctionalInterface
    interface Trainer<O>
    {
        int train(Communicator world, O options, PrintStream out);
    }

    /** Parses the options (exit 2 with the message when they are wrong), then trains on every rank. */
    static <O> void run(final String[] args, final java.util.function.Function<String[], O> parse,
        final Trainer<O> trainer)
    {
        final O options;
        try
        {
            options = parse.apply(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final int status;
        try (Ringfold rf = Ringfold.init())
        {
            status = trainer.train(rf.world(), options, System.out);
        }
        if (status != 0)
        {
            System.exit(status);
        }
    }

    /**
     * The training and test splits, or null when the data set is missing (rank 0 has then printed what to
     * install). The caller closes both.
     */
    static FashionMnist[] load(final TrainingOptions options, final BufferAllocator allocator, final int rank)
    {
        final FashionMnist trainSet;
        try
        {
            trainSet = FashionMnist.load(options.data, true, allocator);
            try
            {
                return new FashionMnist[] { trainSet, FashionMnist.load(options.data, false, allocator) };
            }
            catch (final RuntimeException ex)
            {
                trainSet.close();
                throw ex;
            }
        }
        catch (final FashionMnist.MissingDataException ex)
        {
            if (rank == 0)
            {
                System.err.println(ex.getMessage());
            }
            return null;
        }
    }

    /** SGD with momentum 0.9 or Adam, as the options say, over the given parameters and gradients. */
    static Optimizer optimizer(final TrainingOptions options, final BufferAllocator allocator,
        final java.util.List<Tensor> parameters, final java.util.List<Tensor> gradients)
    {
        return options.adam ? new Adam(allocator, parameters, gradients, options.learningRate) :
            new SgdMomentum(allocator, parameters, gradients, options.learningRate, 0.9f);
    }

    /** Runs the training; returns the exit status (1: the data set is missing, the message is printed by rank 0). */
    static int train(final Communicator world, final TrainingOptions options, final PrintStream out)
    {
        final int rank = world.rank();
        if (options.mode == TrainingOptions.Mode.PS)
        {
            // INTERIM: the parameter server comes with dev.ringfold.collectives.data (branch dp); on merge,
            // DataParallelOptions.mode(PARAMETER_SERVER) in the DataParallel.create call below replaces this.
            throw new IllegalArgumentException("--mode ps: the parameter server is not in this build yet (it comes " +
                "with the data-parallel library); use --mode allreduce");
        }
        if (options.batchSize % world.size() != 0)
        {
            throw new IllegalArgumentException("--batch-size " + options.batchSize + " (the global batch) does not " +
                "divide over " + world.size() + " ranks: give a multiple of " + world.size());
        }
        final int localBatch = options.batchSize / world.size();
        try (BufferAllocator allocator = new RootAllocator())
        {
            final FashionMnist[] splits = load(options, allocator, rank);
            if (splits == null)
            {
                return 1;
            }
            try (FashionMnist train = splits[0];
                 FashionMnist test = splits[1];
                 Sequential model = MLP.build(allocator, options.seed);
                 Activations activations = model.newActivations(allocator, localBatch);
                 SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, FashionMnist.CLASSES, localBatch);
                 Optimizer optimizer = optimizer(options, allocator, model.parameters(), model.gradients());
                 // INTERIM: on merge of branch dp, DataParallel.create(world, allocator, model.parameters(),
                 // model.gradients(), options with the optimizer as its update) replaces InterimAllReduce.
                 InterimAllReduce replicas = new InterimAllReduce(world, model.gradients(), optimizer);
                 Tensor x = Tensors.zeros(allocator, DType.F32, localBatch, FashionMnist.PIXELS).name("x");
                 Tensor y = Tensors.zeros(allocator, DType.I32, localBatch).name("y"))
            {
                final long[] syncNanos = new long[1];
                // the one place gradients are synchronised: each as backward finishes it, then in step()
                final GradientListener synchronise = (index, gradient) ->
                {
                    final long start = System.nanoTime();
                    replicas.gradientReady(index);
                    syncNanos[0] += System.nanoTime() - start;
                };
                model.gradientListener(synchronise);
                // INTERIM: DistributedSampler (branch dp) replaces RankStridedSampler, same methods and deal
                final RankStridedSampler sampler =
                    new RankStridedSampler(train.size(), replicas.workers(), replicas.workerIndex(), options.seed);
                final int[] samples = new int[sampler.size()];
                final int steps = sampler.size() / localBatch;
                if (steps == 0)
                {
                    throw new IllegalArgumentException("--batch-size " + options.batchSize + " is larger than the " +
                        train.size() + " training samples");
                }
                final Collectives collectives = Collectives.of(world);
                final ProgressBar bar = new ProgressBar(out, options.epochs, System.console() != null);
                if (rank == 0)
                {
                    out.printf("Fashion-MNIST, MLP 784-256-128-10 (%,d parameters), %d rank%s data-parallel " +
                        "(%s), %s%n", model.parameterCount(), world.size(), world.size() == 1 ? "" : "s",
                        options.mode.name().toLowerCase(), options);
                }
                final long trainStart = System.nanoTime();
                double testAccuracy = 0;
                for (int epoch = 1; epoch <= options.epochs; epoch++)
                {
                    optimizer.learningRate(options.learningRate(epoch));
                    sampler.setEpoch(epoch - 1);
                    sampler.indices(samples);
                    bar.start();
                    syncNanos[0] = 0;
                    double lossSum = 0;
                    long correct = 0;
                    final long epochStart = System.nanoTime();
                    for (int step = 0; step < steps; step++)
                    {
                        train.gather(samples, step * localBatch, localBatch, x, y);
                        model.zeroGradients();
                        lossSum += loss.forward(model.forward(activations, x, localBatch), y, localBatch);
                        correct += Accuracy.correct(loss.probabilities(), y, localBatch);
                        model.backward(activations, loss.backward(), localBatch, false);
                        final long syncStart = System.nanoTime();
                        replicas.step();
                        syncNanos[0] += System.nanoTime() - syncStart;
                        if (rank == 0)
                        {
                            final double seconds = (System.nanoTime() - epochStart) * 1e-9;
                            bar.update(epoch, step + 1, steps, lossSum / (step + 1),
                                (double)correct / ((step + 1L) * localBatch),
                                (step + 1.0) * options.batchSize / seconds);
                        }
                    }
                    final double epochSeconds = (System.nanoTime() - epochStart) * 1e-9;
                    // the epoch's loss and accuracy over all ranks' samples
                    final double[] totals = { lossSum, correct };
                    collectives.allReduce(totals, 0, totals.length, ReduceOp.SUM);
                    final double computeOnly = options.timing ?
                        computeOnlyStep(model, activations, loss, train, samples, localBatch, x, y, steps, synchronise) : 0;
                    if (rank == 0)
                    {
                        testAccuracy = evaluate(model, activations, test, localBatch, x, y);
                        bar.finish(epoch, steps, totals[0] / ((long)steps * world.size()),
                            totals[1] / ((long)steps * options.batchSize), (double)steps * options.batchSize /
                            epochSeconds, epochSeconds, testAccuracy);
                        if (options.timing)
                        {
                            final double step = epochSeconds * 1e3 / steps;
                            out.printf("timing: step %.3f ms, compute-only step %.3f ms, overhead %.3f ms (%.0f%%); " +
                                "in gradient sync and update %.3f ms/step%n", step, computeOnly * 1e3,
                                Math.max(0, step - computeOnly * 1e3),
                                Math.max(0, step - computeOnly * 1e3) / step * 100, syncNanos[0] * 1e-6 / steps);
                        }
                    }
                }
                if (rank == 0)
                {
                    out.printf("trained %d epochs in %.1f s%n", options.epochs, (System.nanoTime() - trainStart) * 1e-9);
                    out.printf("test accuracy: %.4f%n", testAccuracy);
                }
            }
        }
        return 0;
    }

    /**
     * Seconds per step of forward and backward alone, nothing synchronised and no update (as PyTorch's anchor
     * measures with {@code no_sync}): over the epoch's first steps, gradients zeroed again afterwards.
     */
    private static double computeOnlyStep(final Sequential model, final Activations activations,
        final SoftmaxCrossEntropy loss, final FashionMnist train, final int[] samples, final int localBatch,
        final Tensor x, final Tensor y, final int steps, final GradientListener synchronise)
    {
        final int count = Math.min(steps, COMPUTE_ONLY_STEPS);
        model.gradientListener(null);
        final long start = System.nanoTime();
        for (int step = 0; step < count; step++)
        {
            train.gather(samples, step * localBatch, localBatch, x, y);
            loss.forward(model.forward(activations, x, localBatch), y, localBatch);
            model.backward(activations, loss.backward(), localBatch, false);
        }
        final double seconds = (System.nanoTime() - start) * 1e-9 / count;
        model.zeroGradients();
        model.gradientListener(synchronise);
        return seconds;
    }

    /** The fraction of the test set classified right, in chunks of the training batch. */
    static double evaluate(final Sequential model, final Activations activations, final FashionMnist test,
        final int batch, final Tensor x, final Tensor y)
    {
        long correct = 0;
        for (int first = 0; first < test.size(); first += batch)
        {
            final int rows = Math.min(batch, test.size() - first);
            test.gather(null, first, rows, x, y);
            correct += Accuracy.correct(model.forward(activations, x, rows), y, rows);
        }
        return (double)correct / test.size();
    }
}
