package dev.ringfold.examples.fashion;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.training.data.BucketTrace;
import dev.ringfold.training.data.BucketedAllReduce;
import dev.ringfold.training.data.DataParallel;
import dev.ringfold.training.data.DataParallelOptions;
import dev.ringfold.training.data.DistributedSampler;
import dev.ringfold.training.data.ElasticAllReduce;
import dev.ringfold.training.data.ReplicaState;
import dev.ringfold.training.data.WidthChangedException;
import dev.ringfold.training.data.TrainingCheckpoint;
import dev.ringfold.training.data.TrainingProgress;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.Checkpoint;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.ReduceKernels;
import dev.ringfold.tensors.kernels.Gemm;
import dev.ringfold.tensors.nn.Accuracy;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Adam;
import dev.ringfold.tensors.nn.GradientListener;
import dev.ringfold.tensors.nn.Optimizer;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SgdMomentum;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the MLP 784-256-128-10 (ReLU, softmax cross-entropy) on Fashion-MNIST, data-parallel over the ranks with
 * {@link DataParallel}: every worker holds the whole model and trains on its {@link DistributedSampler} share of each
 * global batch; backward hands each gradient to the buckets as its layer finishes, and {@code step()} averages and
 * applies the optimizer ({@link ScheduledOptimizer}), so all workers keep the same parameters. In {@code --mode ps}
 * the last {@code --servers} ranks are parameter servers instead. Rank 0 prints a progress bar per epoch and, last,
 * {@code test accuracy: 0.XXXX}.
 * <pre>
 * bin/mpjrun -np 2 --no-tag-output -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar \
 *     dev.ringfold.examples.fashion.FashionMnistTraining --epochs 10
 * </pre>
 * Options: {@value TrainingOptions#USAGE}. {@code --timing} adds, per epoch, the step time, a compute-only step
 * (forward and backward without gradient synchronisation, measured as PyTorch's {@code no_sync}) and their
 * difference, the communication overhead per step. {@code --checkpoint DIR} with {@code --resume} continues a
 * stopped run bit for bit; {@code --trace} prints how much of the communication backward hid.
 */
public final class FashionMnistTraining
{
    /** The model, described once; every rank builds it from the same seed, so all start from the same bits. */
    static final Sequential.Builder MLP = Sequential.builder(FashionMnist.PIXELS)
        .linear(256).relu().linear(128).relu().linear(FashionMnist.CLASSES);
    private static final int COMPUTE_ONLY_STEPS = 100;
    /** The checkpoint's file name in the --checkpoint folder. */
    static final String CHECKPOINT_FILE = "training.arrow";

    private FashionMnistTraining()
    {
    }

    public static void main(final String[] args)
    {
        run(args, FashionMnistTraining::parseAndReadAhead, FashionMnistTraining::train);
    }

    /** The data set's read, started with the options, before the runtime joins; null when it could not start. */
    private static ReadAhead readAhead;

    /** Parses the options and starts reading the data set they name at once. */
    private static TrainingOptions parseAndReadAhead(final String[] args)
    {
        final TrainingOptions options = TrainingOptions.parse(args);
        readAhead = ReadAhead.start(options.data);
        return options;
    }

    /** A trainer: runs on {@code world} and returns the exit status. */
    @FunctionalInterface
    interface Trainer<O>
    {
        int train(Communicator world, O options, PrintStream out);
    }

    /** A replacement's account of its start (main, the runtime's join, ...), from its JVM's start. */
    private static StartTimeline timeline = new StartTimeline(System.currentTimeMillis());

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
        timeline = new StartTimeline(System.currentTimeMillis()).mark("main", System.currentTimeMillis());
        try (Ringfold rf = Ringfold.init())
        {
            timeline.mark("runtime", System.currentTimeMillis());
            status = trainer.train(rf.world(), options, System.out);
        }
        finally
        {
            if (readAhead != null)
            {
                readAhead.close();
            }
        }
        if (status != 0)
        {
            System.exit(status);
        }
    }

    /**
     * The training and test splits, or null when the data set is missing (rank 0 has then printed what to
     * install, and every rank has waited for that). Collective. The caller closes both. Both are read on threads
     * of their own ({@link FashionMnist#loadInBackground}) while the caller builds its model (and a replacement
     * joins), or were since before the runtime's join ({@link ReadAhead}); their first use waits for them.
     */
    static FashionMnist[] load(final TrainingOptions options, final BufferAllocator allocator, final Communicator world)
    {
        final FashionMnist[] ahead = readAhead == null ? null : readAhead.take(options.data);
        if (ahead != null)
        {
            return ahead;
        }
        final FashionMnist trainSet;
        try
        {
            trainSet = FashionMnist.loadInBackground(options.data, true, allocator);
            try
            {
                return new FashionMnist[] { trainSet, FashionMnist.loadInBackground(options.data, false, allocator) };
            }
            catch (final RuntimeException ex)
            {
                trainSet.close();
                throw ex;
            }
        }
        catch (final FashionMnist.MissingDataException ex)
        {
            if (world.rank() == 0)
            {
                System.err.println(ex.getMessage());
                System.err.flush();
            }
            // every rank sees the same files missing; none exits (and has mpjrun stop the job) before rank 0 said so
            world.barrier();
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
        final boolean ps = options.mode == TrainingOptions.Mode.PS;
        final int servers = ps ? options.servers * options.serverReplicas : 0; // server ranks
        if (servers >= world.size())
        {
            throw new IllegalArgumentException("--servers " + options.servers + (options.serverReplicas > 1 ?
                " × --server-replicas " + options.serverReplicas : "") + " leaves no worker among " + world.size() +
                " ranks: in --mode ps the last --servers × --server-replicas ranks serve, the others train; give at " +
                "most " + (world.size() - 1) + " server ranks");
        }
        final int workers = world.size() - servers;
        final boolean worker = rank < workers;
        if (options.batchSize % workers != 0)
        {
            throw new IllegalArgumentException("--batch-size " + options.batchSize + " (the global batch) does not " +
                "divide over " + workers + (ps ? " workers" : " ranks") + ": give a multiple of " + workers);
        }
        final int localBatch = options.batchSize / workers;
        final boolean elastic = options.elasticMax > 0;
        // a replacement of a dead replica (mpjrun --max-replacements): no collective until the survivors take it in
        final boolean newcomer = elastic && world.incarnation() > 0;
        if (elastic && (workers < options.elasticMin || workers > options.elasticMax))
        {
            throw new IllegalArgumentException("--elastic " + options.elasticMin + ":" + options.elasticMax + ": " +
                "started with " + workers + " ranks; start between " + options.elasticMin + " and " +
                options.elasticMax);
        }
        // elastic: after a shrink to MIN replicas each takes up to ceil(global batch / MIN) samples of a step
        final int capacity = elastic ? (options.batchSize + options.elasticMin - 1) / options.elasticMin : localBatch;
        if (newcomer)
        {
            // at once: the survivors reach their step boundary and agree while this process reads the data set and
            // builds its model (they wait for it only in the state copy, if it is not ready by then)
            world.askToJoin();
            timeline.mark("asks", System.currentTimeMillis());
            out.printf("elastic: replacement (incarnation %d, pid %d) of world rank %d asks to join at %d ms%n",
                world.incarnation(), ProcessHandle.current().pid(), rank, System.currentTimeMillis());
        }
        final long[] current = new long[1]; // the global step under way, for --kill-at-step
        final DyingInJoin dying = !elastic || newcomer ? null : new DyingInJoin(options, rank, current, out);
        try (BufferAllocator allocator = new RootAllocator())
        {
            final FashionMnist[] splits = load(options, allocator, world);
            if (splits == null)
            {
                return 1;
            }
            final FashionMnist trainSet = splits[0];
            final FashionMnist testSet = splits[1];
            // shuffled per epoch from the seed, the tail that does not fill a whole share dropped
            final DistributedSampler sampler =
                new DistributedSampler(trainSet.size(), workers, worker ? rank : 0, options.seed, true, true);
            final int steps = sampler.size() / localBatch;
            if (steps == 0)
            {
                trainSet.close();
                testSet.close();
                throw new IllegalArgumentException("--batch-size " + options.batchSize + " is larger than the " +
                    trainSet.size() + " training samples");
            }
            try (FashionMnist train = trainSet;
                 FashionMnist test = testSet;
                 // on one node the model is node-shared: each rank then updates its slice (the sharded update)
                 NodeSharedAllocator sharedModel = sharedModel(options, world, allocator);
                 Sequential model = sharedModel != null ? MLP.build(allocator, sharedModel, options.seed) :
                     MLP.build(allocator, options.seed);
                 Activations activations = model.newActivations(allocator, capacity);
                 SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, FashionMnist.CLASSES, capacity);
                 ScheduledOptimizer optimizer = new ScheduledOptimizer(allocator, options, steps);
                 // elastic: no communicator besides the replicas' own (a replacement could not make one with them)
                 Communicator workerComm = elastic && !ps ? null : world.split(worker ? 0 : 1, rank);
                 SurvivorsSum survivorsSum = elastic && !ps ? null : new SurvivorsSum(workerComm);
                 DataParallel replicas = DataParallel.create(world, allocator, model.parameters(), model.gradients(),
                     elastic(options, dying == null ? optimizer : dying.over(optimizer), new DataParallelOptions())
                         .mode(ps ? DataParallelOptions.Mode.PARAMETER_SERVER : DataParallelOptions.Mode.ALL_REDUCE)
                         .servers(Math.max(1, options.servers))
                         .serverReplicas(ps ? options.serverReplicas : 1)
                         .bucketBytes(options.bucketBytes)
                         .trace(options.trace)
                         .nodeSharedBuckets(!options.privateBuckets)
                         // the optimizer reads the averages in the buckets, no copy back (elastic too: after a
                         // death the buckets are remade and the optimizer reads the new ones)
                         .updateInBuckets(true)
                         .update(optimizer));
                 Tensor x = Tensors.zeros(allocator, DType.F32, capacity, FashionMnist.PIXELS).name("x");
                 Tensor y = Tensors.zeros(allocator, DType.I32, capacity).name("y");
                 SampleLog sampleLog = SampleLog.open(options.sampleLog, rank))
            {
                timeline.mark("model", System.currentTimeMillis());
                if (!worker)
                {
                    replicas.serve(); // until every worker has closed
                    return 0;
                }
                final Path checkpoint = options.checkpoint == null ? null :
                    options.checkpoint.resolve(CHECKPOINT_FILE);
                long firstStep = 0;
                if (!ps)
                {
                    if (elastic)
                    {
                        // a replacement has no buckets before it joins: its optimizer reads the buckets from its
                        // first step
                        optimizer.init(model.parameters(), newcomer ? model.gradients() :
                            ((ElasticAllReduce)replicas).averagedGradients());
                    }
                    else
                    {
                        final BucketedAllReduce buckets = (BucketedAllReduce)replicas;
                        optimizer.init(buckets.updateParameters(), buckets.updateGradients());
                    }
                }
                if (checkpoint != null && rank == 0)
                {
                    createDirectories(options.checkpoint);
                }
                if (options.resume)
                {
                    if (Files.exists(checkpoint))
                    {
                        final TrainingProgress progress =
                            TrainingCheckpoint.load(checkpoint, world, model.parameters(), optimizer.state());
                        if (progress.seed() != options.seed || progress.step() > (long)steps * options.epochs)
                        {
                            throw new IllegalArgumentException("--resume: " + checkpoint + " is of a run with seed " +
                                progress.seed() + " at step " + progress.step() + "; this run has seed " +
                                options.seed + " and " + (long)steps * options.epochs + " steps");
                        }
                        firstStep = progress.step();
                        optimizer.steps(firstStep);
                        if (rank == 0)
                        {
                            out.printf("resumed from %s at step %d (epoch %d, step %d of %d)%n", checkpoint,
                                firstStep, firstStep / steps + 1, firstStep % steps, steps);
                        }
                    }
                    else if (rank == 0)
                    {
                        out.printf("no checkpoint %s yet: starting from the beginning%n", checkpoint);
                    }
                }
                final ElasticAllReduce elasticReplicas = elastic ? (ElasticAllReduce)replicas : null;
                if (dying != null)
                {
                    dying.replicas = elasticReplicas;
                }
                if (elastic)
                {
                    elasticReplicas.startAt(firstStep);
                    firstStep = elasticReplicas.join(); // a replacement: the survivors' step, state copied
                }
                if (newcomer)
                {
                    final long[] join = elasticReplicas.joinMarks();
                    timeline.mark("taken in", join[0]).mark("state", join[1]).mark("buckets", join[2]);
                    train.awaitLoaded(); // its first step needs it: whether that waits is part of the account
                    final long now = System.currentTimeMillis();
                    timeline.mark("data", now);
                    out.printf("%nelastic: replacement (incarnation %d) of world rank %d joined as replica %d of %d " +
                        "at step %d of epoch %d, at %d ms: %d ms after its JVM started (ms from it: %s)%n",
                        world.incarnation(), rank, replicas.workerIndex(), replicas.workers(), firstStep % steps + 1,
                        firstStep / steps + 1, now, now - timeline.jvmStartMs(), timeline);
                }
                final long[] syncNanos = new long[1];
                // the one place gradients are handed over: each as backward finishes it (the buckets start as
                // they fill, overlapping the rest of backward), then step() completes them and updates
                final GradientListener synchronise = (index, gradient) ->
                {
                    if (index == 0 && !newcomer &&
                        options.killsIn(rank, current[0], TrainingOptions.KillPhase.BACKWARD))
                    {
                        killSelf(rank, current[0], "in backward, with buckets in flight", out);
                    }
                    final long start = System.nanoTime();
                    replicas.gradientReady(index);
                    syncNanos[0] += System.nanoTime() - start;
                };
                model.gradientListener(synchronise);
                // elastic: a replacement's join rounds are answered at this rank's calls into the runtime; a
                // multiplication of a new JVM's first steps makes none for hundreds of milliseconds
                final Runnable answerJoins = elastic ? replicas::progress : null;
                final int[] samples = new int[sampler.size()];
                final int[] share = new int[capacity];
                final Collectives collectives = workerComm == null ? null : Collectives.of(workerComm);
                final ProgressBar bar = new ProgressBar(out, options.epochs, System.console() != null);
                if (rank == 0 && !newcomer)
                {
                    out.printf("Fashion-MNIST, MLP 784-256-128-10 (%,d parameters), %d rank%s data-parallel " +
                        "(%s), %s%n", model.parameterCount(), world.size(), world.size() == 1 ? "" : "s",
                        ps ? workers + " workers + " + servers + " parameter server" + (servers == 1 ? "" : "s") :
                        "allreduce", options);
                }
                final long trainStart = System.nanoTime();
                // --timing: this rank's forward and backward pass (with its buckets started inside) and its step(),
                // step by step, for medians beside the compute-only step: the overhead splits into a slower pass
                // (memory the peers write and read) and the wait in step()
                final long[] passNanos = options.timing ? new long[steps] : null;
                final long[] stepNanos = options.timing ? new long[steps] : null;
                double testAccuracy = -1;
                // --max-steps: the run ends after that global step, in whichever epoch
                final long endStep = options.maxSteps > 0 ? Math.min(options.maxSteps, (long)steps * options.epochs) :
                    (long)steps * options.epochs;
                for (int epoch = (int)(firstStep / steps) + 1; (long)(epoch - 1) * steps < endStep; epoch++)
                {
                    sampler.setEpoch(epoch - 1);
                    sampler.indices(samples);
                    bar.start();
                    syncNanos[0] = 0;
                    double lossSum = 0;
                    long correct = 0;
                    long seen = 0;
                    int taken = 0;
                    int timed = 0;
                    final int first = (long)(epoch - 1) * steps < firstStep ? (int)(firstStep % steps) : 0;
                    final long epochStart = System.nanoTime();
                    long changedAt = 0;
                    for (int step = first; step < steps && (long)(epoch - 1) * steps + step < endStep; step++)
                    {
                        final long global = (long)(epoch - 1) * steps + step;
                        current[0] = global;
                        if (!newcomer && options.killsIn(rank, global, TrainingOptions.KillPhase.FORWARD))
                        {
                            killSelf(rank, global, "before its forward pass", out);
                        }
                        // elastic: this replica's share of global batch `step` at the width of now
                        final int width = replicas.workers();
                        final int rows = elastic ?
                            sampler.globalBatch(step, options.batchSize, width, replicas.workerIndex(), share) :
                            localBatch;
                        final int[] from = elastic ? share : samples;
                        final int offset = elastic ? 0 : step * localBatch;
                        double stepLoss = 0;
                        long stepCorrect = 0;
                        WidthChangedException changed = null;
                        try
                        {
                            final long passStart = System.nanoTime();
                            train.gather(from, offset, rows, x, y);
                            model.zeroGradients();
                            Gemm.pollOnThisThread(answerJoins);
                            try
                            {
                                stepLoss = loss.forward(model.forward(activations, x, rows), y, rows);
                                stepCorrect = Accuracy.correct(loss.probabilities(), y, rows);
                                model.backward(activations, meanOverGlobalBatch(loss, rows, width,
                                    options.batchSize), rows, false);
                            }
                            finally
                            {
                                Gemm.pollOnThisThread(null); // not in evaluate(), which no peer waits for
                            }
                            if (dying != null && sampleLog != null)
                            {
                                final int e = epoch;
                                final int s = step;
                                dying.logStepUnderWay = () -> sampleLog.step(e, s, width, from, offset, rows);
                            }
                            final long syncStart = System.nanoTime();
                            replicas.step();
                            final long stepEnd = System.nanoTime();
                            syncNanos[0] += stepEnd - syncStart;
                            if (passNanos != null && timed < steps)
                            {
                                passNanos[timed] = syncStart - passStart;
                                stepNanos[timed++] = stepEnd - syncStart;
                            }
                        }
                        catch (final WidthChangedException ex)
                        {
                            changed = ex;
                        }
                        // a step that failed here may have completed on a survivor: then this share counted there
                        if (changed == null || changed.completedSteps() > global)
                        {
                            lossSum += stepLoss;
                            correct += stepCorrect;
                            seen += rows;
                            taken++;
                            if (sampleLog != null)
                            {
                                sampleLog.step(epoch, step, width, from, offset, rows);
                            }
                        }
                        if (changed != null)
                        {
                            final long done = changed.completedSteps();
                            if (changedAt != 0 && done > global && replicas.workerIndex() == 0)
                            {
                                // the first step after a width change completed, and a replacement was taken in at
                                // its boundary: done by now (the agreement that took it in came after)
                                final long now = System.currentTimeMillis();
                                out.printf("elastic: step %d done at %d ms, %d ms after the width changed%n",
                                    global + 1, now, now - changedAt);
                            }
                            changedAt = System.currentTimeMillis();
                            if (replicas.workerIndex() == 0)
                            {
                                out.printf("%nelastic: %s; step %d of epoch %d goes on with %d replicas (local " +
                                    "batches %d to %d), at %d ms%n", changed.getMessage(), done % steps + 1,
                                    done / steps + 1, changed.to(), options.batchSize / changed.to(),
                                    (options.batchSize + changed.to() - 1) / changed.to(), changedAt);
                            }
                            step = (int)(done - (long)(epoch - 1) * steps) - 1; // the loop's step++ brings it back
                            continue;
                        }
                        if (changedAt != 0 && replicas.workerIndex() == 0)
                        {
                            out.printf("elastic: step %d done at %d ms, %d ms after the width changed%n", global + 1,
                                System.currentTimeMillis(), System.currentTimeMillis() - changedAt);
                        }
                        changedAt = 0;
                        final long done = global + 1;
                        if (checkpoint != null && options.checkpointEvery > 0 && done % options.checkpointEvery == 0 &&
                            step + 1 < steps)
                        {
                            save(checkpoint, world, model, optimizer, done, epoch, options, out);
                        }
                        if (options.throttleMillis > 0)
                        {
                            sleep(options.throttleMillis);
                        }
                        if (replicas.workerIndex() == 0)
                        {
                            final double seconds = (System.nanoTime() - epochStart) * 1e-9;
                            bar.width(elastic ? replicas.workers() : 0);
                            bar.update(epoch, step + 1, steps, lossSum / taken, (double)correct / seen,
                                (double)taken * options.batchSize / seconds);
                        }
                    }
                    final double epochSeconds = (System.nanoTime() - epochStart) * 1e-9;
                    if (checkpoint != null)
                    {
                        save(checkpoint, world, model, optimizer, (long)epoch * steps, epoch, options, out);
                    }
                    // the epoch's loss and accuracy over all workers' samples (elastic: over this replica's, as a
                    // collective outside the elastic all-reduce would not survive a death; parameter server: over
                    // the workers alive, as the servers go on without a dead one)
                    final double[] totals = { lossSum, correct };
                    final long summed;
                    if (elastic)
                    {
                        summed = 1;
                    }
                    else if (ps)
                    {
                        summed = survivorsSum.sum(totals);
                    }
                    else
                    {
                        collectives.allReduce(totals, 0, totals.length, ReduceOp.SUM);
                        summed = workers;
                    }
                    final double computeOnly = options.timing ?
                        computeOnlyStep(model, activations, loss, train, samples, localBatch, x, y, steps, synchronise) : 0;
                    if (ps ? survivorsSum.first() : replicas.workerIndex() == 0)
                    {
                        testAccuracy = evaluate(model, activations, test, localBatch, x, y);
                        bar.finish(epoch, steps, totals[0] / (taken * summed), totals[1] / (seen * summed),
                            (double)taken * options.batchSize / epochSeconds, epochSeconds, testAccuracy);
                        if (options.timing)
                        {
                            final double step = epochSeconds * 1e3 / taken;
                            out.printf("timing: step %.3f ms, compute-only step %.3f ms, overhead %.3f ms (%.0f%%); " +
                                "in gradient sync and update %.3f ms/step; rank %d's forward and backward in the " +
                                "step loop p50 %.3f ms, its step() p50 %.3f ms%n", step, computeOnly * 1e3,
                                Math.max(0, step - computeOnly * 1e3),
                                Math.max(0, step - computeOnly * 1e3) / step * 100, syncNanos[0] * 1e-6 / taken,
                                rank, medianMs(passNanos, timed), medianMs(stepNanos, timed));
                        }
                    }
                }
                if (ps ? survivorsSum.first() : replicas.workerIndex() == 0)
                {
                    report(options, model, replicas.trace(), trainStart, testAccuracy, out);
                }
                else if (elastic && options.printDigest)
                {
                    // every survivor's, so that a test sees they still hold the same parameters after a death
                    out.println("replica " + replicas.workerIndex() + " parameter digest: " +
                        digest(model.parameters()));
                }
            }
        }
        return 0;
    }

    /**
     * The loss gradient of this replica's {@code rows} samples such that the replicas' average is the gradient of
     * the mean loss over the global batch: the mean over its rows (what a replica of an even split computes), scaled
     * by rows x width / batch when the split is uneven (an elastic run whose width does not divide the batch).
     */
    private static Tensor meanOverGlobalBatch(final SoftmaxCrossEntropy loss, final int rows, final int width,
        final int batch)
    {
        final Tensor gradient = loss.backward();
        if ((long)rows * width != batch)
        {
            ReduceKernels.scale(DType.F32, gradient.address(), (long)rows * FashionMnist.CLASSES,
                (double)rows * width / batch);
        }
        return gradient;
    }

    /** --kill-rank with --kill-at-step: SIGKILL to this very process, as a crash would end it. */
    private static void killSelf(final int rank, final long step, final String when, final PrintStream out)
    {
        final long pid = ProcessHandle.current().pid();
        out.printf("rank %d kills itself (SIGKILL, pid %d) at step %d %s, at %d ms%n", rank, pid, step + 1, when,
            System.currentTimeMillis());
        out.flush();
        try
        {
            new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
            Thread.sleep(60_000); // the signal is on its way
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("--kill-rank: cannot run kill -9 " + pid, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("--kill-rank: rank " + rank + " (pid " + pid + ") outlived its SIGKILL");
    }

    /**
     * Where the model's parameters and gradients live: node-shared when the sharded update can run on them (plain
     * all-reduce on several ranks; not elastic, whose survivors remake their buckets, nor with checkpoints, which save
     * whole optimizer states), else null (private).
     */
    private static NodeSharedAllocator sharedModel(final TrainingOptions options, final Communicator world,
        final BufferAllocator allocator)
    {
        final boolean possible = options.mode == TrainingOptions.Mode.ALLREDUCE && options.elasticMax == 0 &&
            options.checkpoint == null && !options.privateBuckets && !options.replicatedUpdate && world.size() > 1;
        return possible ? NodeSharedAllocator.create(world, allocator) : null;
    }

    /** With --elastic: the elastic all-reduce, the optimizer its state; else the options as they are. */
    private static DataParallelOptions elastic(final TrainingOptions options, final ReplicaState state,
        final DataParallelOptions dataParallel)
    {
        return options.elasticMax == 0 ? dataParallel :
            dataParallel.elastic(options.elasticMin, options.elasticMax).replicaState(state);
    }

    /**
     * --kill-phase join: the optimizer's state as the elastic all-reduce sees it, which SIGKILLs this rank when the
     * state copy asks for it from the kill's step on (a copy is what a replacement's join makes, once the survivors
     * agreed to take it in). A copy that starts at a step boundary comes after this rank applied the step under
     * way: its samples were trained on, so they are logged (--sample-log) before it dies, as a step is after it.
     */
    private static final class DyingInJoin implements ReplicaState
    {
        private final TrainingOptions options;
        private final int rank;
        private final long[] current;
        private final PrintStream out;
        /** The optimizer whose state it is; set by {@link #over}. */
        private ScheduledOptimizer optimizer;
        /** Set once made; the steps it has applied tell whether the step under way was. */
        ElasticAllReduce replicas;
        /** Logs the samples of the step under way (null: no --sample-log). */
        Runnable logStepUnderWay;

        DyingInJoin(final TrainingOptions options, final int rank, final long[] current, final PrintStream out)
        {
            this.options = options;
            this.rank = rank;
            this.current = current;
            this.out = out;
        }

        DyingInJoin over(final ScheduledOptimizer optimizer)
        {
            this.optimizer = optimizer;
            return this;
        }

        @Override
        public List<Tensor> tensors()
        {
            if (options.killsIn(rank, current[0], TrainingOptions.KillPhase.JOIN))
            {
                if (logStepUnderWay != null && replicas != null && replicas.completedSteps() > current[0])
                {
                    logStepUnderWay.run();
                }
                killSelf(rank, current[0], "in a replacement's join, as the state copy starts", out);
            }
            return optimizer.tensors();
        }

        @Override
        public void stepsApplied(final long steps)
        {
            optimizer.stepsApplied(steps);
        }
    }

    /** Rank 0 writes the run's state (atomically: the file is replaced by a rename); the others go on. */
    private static void save(final Path checkpoint, final Communicator world, final Sequential model,
        final ScheduledOptimizer optimizer, final long step, final int epoch, final TrainingOptions options,
        final PrintStream out)
    {
        TrainingCheckpoint.save(checkpoint, world, model.parameters(), optimizer.state(),
            new TrainingProgress(step, epoch, options.seed, 0));
        if (world.rank() == 0)
        {
            out.printf("checkpoint: step %d (epoch %d) written to %s by rank 0, pid %d%n", step, epoch, checkpoint,
                ProcessHandle.current().pid());
        }
    }

    /** Rank 0's closing lines: the overlap trace, the digest, the saved parameters, the time, the accuracy. */
    private static void report(final TrainingOptions options, final Sequential model, final BucketTrace trace,
        final long trainStart, final double testAccuracy, final PrintStream out)
    {
        if (options.trace)
        {
            if (trace == null)
            {
                out.println("overlap trace: none in --mode ps (gradients are pushed in step(), after backward)");
            }
            else
            {
                out.println("overlap trace, last step (per bucket):");
                out.println(trace.describeLastStep());
                out.println("overlap summary: " + trace.summary());
                out.println("data-parallel time " + trace.phases());
            }
        }
        if (options.printDigest)
        {
            out.println("parameter digest: " + digest(model.parameters()));
        }
        if (options.saveParameters != null)
        {
            final Map<String, Tensor> named = new LinkedHashMap<>();
            for (int i = 0; i < model.parameters().size(); i++)
            {
                named.put(TrainingCheckpoint.PARAMETER + i, model.parameters().get(i));
            }
            Checkpoint.write(options.saveParameters, named);
        }
        out.printf("trained %d epochs in %.1f s%n", options.epochs, (System.nanoTime() - trainStart) * 1e-9);
        if (testAccuracy >= 0)
        {
            out.printf("test accuracy: %.4f%n", testAccuracy);
        }
    }

    /** SHA-256 of the parameters' bytes, in order: equal digests, bit-identical parameters. */
    static String digest(final List<Tensor> parameters)
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (final Tensor p : parameters)
            {
                sha.update(p.segment().toArray(ValueLayout.JAVA_BYTE));
            }
            return HexFormat.of().formatHex(sha.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }

    private static void createDirectories(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("--checkpoint " + dir + ": cannot create the folder", ex);
        }
    }

    private static void sleep(final int millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while throttled", ex);
        }
    }

    /** The median of the first {@code count} of {@code nanos}, in ms (0 for none). */
    private static double medianMs(final long[] nanos, final int count)
    {
        if (count == 0)
        {
            return 0;
        }
        final long[] sorted = java.util.Arrays.copyOf(nanos, count);
        java.util.Arrays.sort(sorted);
        return sorted[count / 2] * 1e-6;
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
        return evaluate(model, activations, test, 0, batch, x, y);
    }

    /** As above on the first {@code samples} of the test set (0: all of it). */
    static double evaluate(final Sequential model, final Activations activations, final FashionMnist test,
        final int samples, final int batch, final Tensor x, final Tensor y)
    {
        final int size = samples > 0 ? Math.min(samples, test.size()) : test.size();
        long correct = 0;
        for (int first = 0; first < size; first += batch)
        {
            final int rows = Math.min(batch, size - first);
            test.gather(null, first, rows, x, y);
            correct += Accuracy.correct(model.forward(activations, x, rows), y, rows);
        }
        return (double)correct / size;
    }
}
