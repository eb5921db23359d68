package dev.ringfold.examples.fashion;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.training.data.DataParallel;
import dev.ringfold.training.data.DataParallelOptions;
import dev.ringfold.training.data.DistributedSampler;
import dev.ringfold.training.data.ParameterServer;
import dev.ringfold.training.data.TrainingCheckpoint;
import dev.ringfold.training.data.TrainingProgress;
import dev.ringfold.training.pipeline.Partition;
import dev.ringfold.training.pipeline.Partitioner;
import dev.ringfold.training.pipeline.PipelineGrid;
import dev.ringfold.training.pipeline.PipelineStage;
import dev.ringfold.training.pipeline.StageTimeline;
import org.apache.arrow.memory.BufferAllocator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One strategy of {@link FashionMnistCompare} trained on a communicator: every rank of it runs this, from the same
 * seed and on the same data as the other strategies, and measures itself (what it holds, what the runtime's
 * {@link Counters} saw it send, receive and wait for, where its step time went). {@link #run} ends collectively:
 * every rank's row and the reporter's curves are summed into arrays that rank 0 of the communicator reads.
 * <p>
 * The strategies are two shapes of code. A pipeline grid (data parallel with all-reduce is p = 1 stage, a pipeline
 * is d = 1 replica, 2-D is both above 1) runs {@link PipelineStage} with {@link DataParallel} over its replicas.
 * A parameter server keeps the last rank as the server and runs each worker as a one-stage pipeline whose
 * {@link ParameterServer} pushes gradients and pulls parameters. Either way the optimizer is the same
 * {@link ScheduledOptimizer}, the first stage reads the same shuffled samples and the loss is the same.
 */
final class StrategyRun
{
    /** Per-rank measurements, in the order of the row that {@link #run} sums over the ranks. */
    static final String[] FIELDS = {"role", "stage", "replica", "parameterBytes", "optimizerBytes",
        "activationBytes", "bufferBytes", "steps", "sentBytes", "receivedBytes", "sentMessages", "receivedMessages",
        "waitNanos", "activationTraffic", "gradientTraffic", "parameterTraffic", "trainNanos", "computeNanos",
        "idleFraction", "lastForwardNanos", "lastBackwardNanos", "lastWaitNanos", "lastStepNanos", "sharedReadBytes",
        "sharedWrittenBytes"};
    static final int ROLE_STAGE = 0;
    static final int ROLE_WORKER = 1;
    static final int ROLE_SERVER = 2;
    private static final int ROLE = 0;
    private static final int STAGE = 1;
    private static final int REPLICA = 2;
    private static final int PARAMETER_BYTES = 3;
    private static final int OPTIMIZER_BYTES = 4;
    private static final int ACTIVATION_BYTES = 5;
    private static final int BUFFER_BYTES = 6;
    static final int STEPS = 7;
    static final int SENT_BYTES = 8;
    private static final int RECEIVED_BYTES = 9;
    private static final int SENT_MESSAGES = 10;
    private static final int RECEIVED_MESSAGES = 11;
    private static final int WAIT_NANOS = 12;
    private static final int ACTIVATION_TRAFFIC = 13;
    private static final int GRADIENT_TRAFFIC = 14;
    private static final int PARAMETER_TRAFFIC = 15;
    private static final int TRAIN_NANOS = 16;
    private static final int COMPUTE_NANOS = 17;
    private static final int IDLE = 18;
    private static final int LAST_FORWARD = 19;
    private static final int LAST_BACKWARD = 20;
    private static final int LAST_WAIT = 21;
    private static final int LAST_STEP = 22;
    private static final int SHARED_READ_BYTES = 23;
    static final int SHARED_WRITTEN_BYTES = 24;
    /** Per epoch on the reporter: training seconds so far, mean loss, test accuracy. */
    static final int EPOCH_FIELDS = 3;
    /** Loss curve points (mean loss over a window of steps) the reporter keeps per epoch. */
    static final int CURVE_POINTS = 20;

    /** What ran, on how many ranks. */
    record Result(FashionMnistCompare.Strategy strategy, int ranks, int globalBatch, int microBatches,
        double[] rows, double[] epochs, double[] curve, double samplesPerSecond, long parameters)
    {
        double field(final int rank, final int field)
        {
            return rows[rank * FIELDS.length + field];
        }
    }

    private StrategyRun()
    {
    }

    /**
     * Collective over {@code comm}: trains {@code strategy} for {@code epochs} epochs, or {@code maxSteps} steps of
     * the first when positive (then without evaluation). {@code failure} non-null makes it the failure experiment.
     */
    static Result run(final FashionMnistCompare.Strategy strategy, final Communicator comm,
        final FashionMnistCompare.Options options, final FashionMnist train, final FashionMnist test,
        final BufferAllocator root, final int epochs, final int maxSteps, final Failure failure)
    {
        final int size = comm.size();
        final int stages = strategy.stagesOn(size);
        final boolean ps = strategy.kind() == FashionMnistCompare.Kind.PARAMETER_SERVER;
        final int workers = ps ? size - 1 : size / stages;
        final int microBatches = ps || stages == 1 && workers > 1 ? 1 : options.microBatches;
        final int globalBatch = options.training.batchSize - options.training.batchSize % (workers * microBatches);
        if (globalBatch == 0)
        {
            throw new IllegalArgumentException(strategy.name() + " on " + size + " ranks: --batch-size " +
                options.training.batchSize + " is smaller than " + workers + " replicas × " + microBatches +
                " micro-batches");
        }
        final int localBatch = globalBatch / workers;
        final Sequential.Builder mlp = FashionMnistPipeline.model(options.width);
        final double[] row = new double[FIELDS.length];
        final double[] epochLog = new double[epochs * EPOCH_FIELDS];
        final double[] curve = new double[epochs * CURVE_POINTS];
        final double[] speed = new double[1];
        final int dataSize = options.trainSamples > 0 ? Math.min(options.trainSamples, train.size()) : train.size();
        try (BufferAllocator modelMemory = root.newChildAllocator("model", 0, Long.MAX_VALUE);
             BufferAllocator optimizerMemory = root.newChildAllocator("optimizer", 0, Long.MAX_VALUE);
             BufferAllocator stageMemory = root.newChildAllocator("activations", 0, Long.MAX_VALUE);
             BufferAllocator bufferMemory = root.newChildAllocator("buffers", 0, Long.MAX_VALUE);
             BufferAllocator scratchMemory = root.newChildAllocator("scratch", 0, Long.MAX_VALUE);
             PipelineGrid grid = new PipelineGrid(comm, ps ? 1 : stages))
        {
            final boolean server = ps && comm.rank() == size - 1;
            final int replica = ps ? (server ? 0 : comm.rank()) : grid.replica();
            final int stage = ps ? 0 : grid.stage();
            final Partition partition = Partitioner.byParameters(mlp, ps ? 1 : stages);
            final DistributedSampler sampler = new DistributedSampler(dataSize, workers, server ? 0 : replica,
                options.training.seed, true, true);
            final int stepsPerEpoch = maxSteps > 0 ? maxSteps : sampler.size() / localBatch;
            if (stepsPerEpoch == 0)
            {
                throw new IllegalArgumentException(strategy.name() + ": " + dataSize + " training samples give no " +
                    "step of " + globalBatch);
            }
            final Failure plan = failure == null ? null : new Failure(failure.checkpoint(), failure.every() < 0 ?
                Math.max(1, stepsPerEpoch / 4) : failure.every(), failure.killRank(), failure.killStep() > 0 ?
                failure.killStep() : Math.max(1, stepsPerEpoch * 2 / 3));
            try (Sequential layers = partition.build(mlp, modelMemory, options.training.seed, stage);
                 // an asynchronous server updates once per push: workers × steps updates make an epoch
                 ScheduledOptimizer optimizer = new ScheduledOptimizer(optimizerMemory, options.training,
                     stepsPerEpoch * (strategy.async() ? workers : 1));
                 DataParallel replicated = ps || workers > 1 ? DataParallel.create(ps ? comm : grid.data(),
                     bufferMemory, layers.parameters(), layers.gradients(), dataParallelOptions(strategy, options)
                         .update(optimizer)) : null)
            {
                row[ROLE] = server ? ROLE_SERVER : ps ? ROLE_WORKER : ROLE_STAGE;
                row[STAGE] = stage;
                row[REPLICA] = replica;
                if (server)
                {
                    final long start = System.nanoTime();
                    final long waited = Counters.waitNanos();
                    final Traffic before = Traffic.now(-1);
                    ((ParameterServer)replicated).serve();
                    final long elapsed = System.nanoTime() - start;
                    final Traffic traffic = Traffic.now(-1).minus(before);
                    final long updates = ((ParameterServer)replicated).updates();
                    row[PARAMETER_BYTES] = ((ParameterServer)replicated).shardElements() * Float.BYTES;
                    row[STEPS] = updates;
                    traffic.into(row);
                    // the server receives gradients and sends parameters
                    row[GRADIENT_TRAFFIC] = traffic.receivedBytes;
                    row[PARAMETER_TRAFFIC] = traffic.sentBytes;
                    row[WAIT_NANOS] = Counters.waitNanos() - waited;
                    row[TRAIN_NANOS] = elapsed;
                    row[COMPUTE_NANOS] = Math.max(0, elapsed - row[WAIT_NANOS]);
                    row[IDLE] = elapsed == 0 ? 0 : row[WAIT_NANOS] / elapsed;
                }
                else
                {
                    // with one stage the grid's pipeline communicator is this rank alone: a worker's one-stage pipeline
                    try (PipelineStage pipelineStage = new PipelineStage(grid.pipeline(), stageMemory, layers,
                        strategy.schedule(), microBatches, localBatch / microBatches).dataParallel(replicated))
                    {
                        train(new Context(strategy, options, comm, grid, ps, stages, workers, localBatch, globalBatch,
                            epochs, stepsPerEpoch, maxSteps > 0, plan, partition, mlp), train, test, sampler,
                            layers, optimizer, replicated, pipelineStage, scratchMemory, row, epochLog, curve, speed);
                    }
                }
                row[OPTIMIZER_BYTES] = optimizerMemory.getPeakMemoryAllocation();
                row[ACTIVATION_BYTES] = stageMemory.getPeakMemoryAllocation();
                row[BUFFER_BYTES] = bufferMemory.getPeakMemoryAllocation();
            }
        }
        final double[] rows = new double[size * FIELDS.length];
        System.arraycopy(row, 0, rows, comm.rank() * FIELDS.length, FIELDS.length);
        if (failure != null)
        {
            // a rank was killed: the survivors may be fewer than the communicator, so nothing collective here (the
            // reporter printed what the experiment needs)
            return new Result(strategy, size, globalBatch, microBatches, rows, epochLog, curve, speed[0], 0);
        }
        final Collectives collectives = Collectives.of(comm);
        collectives.allReduce(rows, 0, rows.length, ReduceOp.SUM);
        collectives.allReduce(epochLog, 0, epochLog.length, ReduceOp.SUM);
        collectives.allReduce(curve, 0, curve.length, ReduceOp.SUM);
        collectives.allReduce(speed, 0, 1, ReduceOp.SUM);
        long parameters = 0;
        for (int l = 0; l < mlp.size(); l++)
        {
            parameters += mlp.parameterCount(l);
        }
        return new Result(strategy, size, globalBatch, microBatches, rows, epochLog, curve, speed[0], parameters);
    }

    private static DataParallelOptions dataParallelOptions(final FashionMnistCompare.Strategy strategy,
        final FashionMnistCompare.Options options)
    {
        final DataParallelOptions dp = new DataParallelOptions().bucketBytes(options.training.bucketBytes);
        return switch (strategy.kind())
        {
            case PARAMETER_SERVER -> dp.servers(1).mode(strategy.async() ?
                DataParallelOptions.Mode.ASYNC_PARAMETER_SERVER : DataParallelOptions.Mode.PARAMETER_SERVER)
                .staleness(strategy.async() ? options.staleness : 0);
            case GRID -> dp.mode(DataParallelOptions.Mode.ALL_REDUCE);
        };
    }

    /** The settings of one training run, for the loop. */
    private record Context(FashionMnistCompare.Strategy strategy, FashionMnistCompare.Options options,
        Communicator comm, PipelineGrid grid, boolean ps, int stages, int workers, int localBatch, int globalBatch,
        int epochs, int steps, boolean timingOnly, Failure failure, Partition partition, Sequential.Builder mlp)
    {
    }

    /**
     * What the failure experiment does: checkpoint every so many steps (0: never; -1: every quarter of an epoch),
     * and kill one rank at one step (0: two thirds into the first epoch).
     */
    record Failure(Path checkpoint, int every, int killRank, int killStep)
    {
    }

    /** A worker's or stage's training loop; measures into {@code row}, the reporter into the curves. */
    private static void train(final Context c, final FashionMnist train, final FashionMnist test,
        final DistributedSampler sampler, final Sequential layers, final ScheduledOptimizer optimizer,
        final DataParallel replicated, final PipelineStage stage, final BufferAllocator scratchMemory,
        final double[] row, final double[] epochLog, final double[] curve, final double[] speed)
    {
        final boolean first = stage.stage() == 0;
        final boolean last = stage.stage() == stage.stages() - 1;
        final boolean reporter = last && (c.ps ? c.comm.rank() == 0 : c.grid.replica() == 0);
        final boolean evaluate = !c.timingOnly;
        final int localBatch = c.localBatch;
        if (replicated == null)
        {
            optimizer.init(layers.parameters(), layers.gradients());
        }
        try (Tensor scratchX = Tensors.zeros(scratchMemory, DType.F32, localBatch, FashionMnist.PIXELS);
             Tensor scratchY = Tensors.zeros(scratchMemory, DType.I32, localBatch);
             Sequential whole = reporter && evaluate && !c.ps ? c.mlp.build(scratchMemory, c.options.training.seed) :
                 null;
             Activations evaluation = reporter && evaluate ? (c.ps ? layers : whole).newActivations(scratchMemory,
                 localBatch) : null)
        {
            final Tensor x = first ? stage.input() : scratchX;
            final Tensor y = last ? stage.labels() : scratchY;
            final int[] samples = new int[sampler.size()];
            final int activationContext = stage.communicator().context();
            int firstStep = 0;
            if (c.failure != null)
            {
                firstStep = resume(c, layers, optimizer);
            }
            // counted over the steps only: evaluation's gathering of the model is not training traffic
            Traffic traffic = Traffic.ZERO;
            long waited = 0;
            long trainNanos = 0;
            long computeNanos = 0;
            long steps = 0;
            final int window = Math.max(1, c.steps / CURVE_POINTS);
            final long warmUp = c.timingOnly ? Math.min(3, c.steps / 4) : 0;
            long timedStart = 0;
            for (int epoch = 1; epoch <= c.epochs; epoch++)
            {
                sampler.setEpoch(epoch - 1);
                sampler.indices(samples);
                double lossSum = 0;
                double windowSum = 0;
                final int startStep = epoch == 1 ? firstStep % c.steps : 0;
                final Traffic before = Traffic.now(activationContext);
                final long waitedBefore = Counters.waitNanos();
                final long epochStart = System.nanoTime();
                for (int step = startStep; step < c.steps; step++)
                {
                    if (steps == warmUp)
                    {
                        timedStart = System.nanoTime();
                    }
                    if (c.failure != null)
                    {
                        failureStep(c, optimizer, layers, (epoch - 1) * c.steps + step);
                    }
                    if (first || last)
                    {
                        train.gather(samples, (step * localBatch) % (samples.length - localBatch + 1), localBatch,
                            x, y);
                    }
                    layers.zeroGradients();
                    final double loss = stage.step();
                    if (replicated == null)
                    {
                        optimizer.apply(layers.parameters(), layers.gradients());
                    }
                    steps++;
                    if (c.failure != null && reporter)
                    {
                        failureProgress(c, (epoch - 1) * c.steps + step);
                    }
                    if (last)
                    {
                        lossSum += loss;
                        windowSum += loss;
                        final int point = step / window;
                        if ((step + 1) % window == 0 && point < CURVE_POINTS && reporter)
                        {
                            curve[(epoch - 1) * CURVE_POINTS + point] = windowSum / window;
                            windowSum = 0;
                        }
                    }
                }
                final long epochNanos = System.nanoTime() - epochStart;
                traffic = traffic.plus(Traffic.now(activationContext).minus(before));
                waited += Counters.waitNanos() - waitedBefore;
                trainNanos += epochNanos;
                computeNanos += (long)(stage.timeline().meanComputeSeconds() * 1e9 * stage.timeline().steps());
                stage.timeline().reset();
                if (c.timingOnly)
                {
                    if (reporter || c.ps && c.comm.rank() == 0 && last)
                    {
                        final double seconds = (System.nanoTime() - timedStart) * 1e-9;
                        speed[0] = (steps - warmUp) * (double)c.globalBatch / seconds;
                    }
                    continue;
                }
                double accuracy = 0;
                if (!c.ps && c.grid.replica() == 0)
                {
                    FashionMnistPipeline.gatherModel(c.grid, c.partition, layers, whole);
                }
                if (reporter)
                {
                    accuracy = FashionMnistTraining.evaluate(c.ps ? layers : whole, evaluation, test,
                        c.options.testSamples, localBatch, scratchX, scratchY);
                    final int at = (epoch - 1) * EPOCH_FIELDS;
                    epochLog[at] = trainNanos * 1e-9;
                    epochLog[at + 1] = lossSum / Math.max(1, c.steps - startStep);
                    epochLog[at + 2] = accuracy;
                    speed[0] = (double)steps * c.globalBatch / (trainNanos * 1e-9);
                    if (c.failure != null && epoch == c.epochs)
                    {
                        System.out.printf("compare-failure finished at %d ms: test accuracy %.4f%n",
                            System.currentTimeMillis(), accuracy);
                        System.out.flush();
                    }
                }
            }
            traffic.into(row);
            row[ACTIVATION_TRAFFIC] = traffic.contextBytes;
            if (c.ps)
            {
                row[GRADIENT_TRAFFIC] = traffic.sentBytes;
                row[PARAMETER_TRAFFIC] = traffic.receivedBytes;
            }
            else
            {
                // besides the stage's activations, the only traffic of a step is its replicas' gradient all-reduce,
                // as messages or through node-shared memory
                row[GRADIENT_TRAFFIC] = traffic.sentBytes + traffic.receivedBytes - traffic.contextBytes +
                    traffic.sharedReadBytes + traffic.sharedWrittenBytes;
            }
            row[STEPS] = steps;
            row[WAIT_NANOS] = waited;
            row[TRAIN_NANOS] = trainNanos;
            row[COMPUTE_NANOS] = computeNanos;
            row[IDLE] = trainNanos == 0 ? 0 : Math.max(0, 1 - (double)computeNanos / trainNanos);
            row[PARAMETER_BYTES] = bytes(layers.parameters());
            final StageTimeline timeline = stage.timeline();
            // the last step, kept by the timeline though its totals were reset
            for (int m = 0; m < timeline.microBatches(); m++)
            {
                row[LAST_FORWARD] += timeline.forwardNanos(m);
                row[LAST_BACKWARD] += timeline.backwardNanos(m);
                row[LAST_WAIT] += timeline.receiveWaitNanos(m) + timeline.sendWaitNanos(m);
            }
            row[LAST_STEP] = timeline.lastStepNanos();
        }
    }

    private static long bytes(final List<Tensor> tensors)
    {
        long total = 0;
        for (final Tensor t : tensors)
        {
            total += t.byteSize();
        }
        return total;
    }

    /**
     * Loads the failure experiment's checkpoint when there is one (each stage its own, read by the stage's replicas
     * together); returns the global step to start from, which every stage must agree on.
     */
    private static int resume(final Context c, final Sequential layers, final ScheduledOptimizer optimizer)
    {
        if (c.ps)
        {
            return 0; // the server's state is not checkpointed: a parameter server has no restart to measure here
        }
        final Path file = checkpointFile(c);
        // a stage without parameters (a lone activation) has nothing to keep and resumes where the others do
        final boolean nothing = layers.parameters().isEmpty();
        final boolean exists = Files.exists(file);
        final long[] found = {exists ? 1 : 0, exists || nothing ? 0 : 1};
        Collectives.of(c.comm).allReduce(found, 0, 2, ReduceOp.SUM);
        if (found[0] == 0)
        {
            return 0;
        }
        if (found[1] != 0)
        {
            throw new IllegalStateException("rank " + c.comm.rank() + ": " + found[1] + " rank(s) have no stage " +
                "checkpoint in " + c.failure.checkpoint() + " and " + found[0] + " have: cannot resume");
        }
        optimizer.init(layers.parameters(), layers.gradients());
        final TrainingProgress progress = nothing ? null : TrainingCheckpoint.load(file, c.grid.data(),
            layers.parameters(), optimizer.state());
        final long[] steps = nothing ? new long[] {Long.MAX_VALUE, Long.MAX_VALUE} :
            new long[] {progress.step(), -progress.step()};
        Collectives.of(c.comm).allReduce(steps, 0, 2, ReduceOp.MIN);
        if (steps[0] != -steps[1])
        {
            throw new IllegalStateException("rank " + c.comm.rank() + ": the stages' checkpoints are of steps " +
                steps[0] + " to " + -steps[1] + ": cannot resume them together");
        }
        optimizer.steps(steps[0]);
        if (c.comm.rank() == 0)
        {
            System.out.printf("compare-failure resumed at %d ms: step %d from %s%n", System.currentTimeMillis(),
                steps[0], c.failure.checkpoint());
            System.out.flush();
        }
        return (int)steps[0];
    }

    /** A stage's checkpoint: its replicas hold the same layers, so one file per stage. */
    private static Path checkpointFile(final Context c)
    {
        return c.failure.checkpoint().resolve(FashionMnistTraining.CHECKPOINT_FILE + ".stage" + c.grid.stage());
    }

    /**
     * The reporter's steps around the kill, with the clock: the first one done after the kill is when training
     * went on (a survivor's step) or was training again (after a restart).
     */
    private static void failureProgress(final Context c, final int step)
    {
        if (step >= c.failure.killStep() - Math.max(1, c.failure.every()) && step <= c.failure.killStep() + 20)
        {
            System.out.printf("compare-failure step %d done at %d ms (restart %s)%n", step,
                System.currentTimeMillis(), c.comm.settings().restart());
            System.out.flush();
        }
    }

    /**
     * Checkpoints every {@code every} steps (each stage its own); the chosen rank of the first run sends itself
     * SIGKILL at the chosen step: no exception, no shutdown hook, as when a node's process is killed.
     */
    private static void failureStep(final Context c, final ScheduledOptimizer optimizer, final Sequential layers,
        final int step)
    {
        final boolean firstRun = c.comm.settings().restart() == 0;
        if (firstRun && step == c.failure.killStep() && c.comm.rank() == c.failure.killRank())
        {
            System.out.printf("compare-failure killed rank %d at %d ms: step %d (stage %d)%n", c.comm.rank(),
                System.currentTimeMillis(), step, c.ps ? 0 : c.grid.stage());
            System.out.flush();
            killSelf();
        }
        if (c.failure.every() > 0 && step > 0 && step % c.failure.every() == 0 && !c.ps &&
            !layers.parameters().isEmpty())
        {
            optimizer.init(layers.parameters(), layers.gradients());
            TrainingCheckpoint.save(checkpointFile(c), c.grid.data(), layers.parameters(), optimizer.state(),
                new TrainingProgress(step, 1, c.options.training.seed, 0));
        }
    }

    private static void killSelf()
    {
        final String pid = Long.toString(ProcessHandle.current().pid());
        try
        {
            new ProcessBuilder("kill", "-KILL", pid).inheritIO().start().waitFor();
            Thread.sleep(60_000); // SIGKILL is on its way; nothing of this rank runs on
        }
        catch (final java.io.IOException | InterruptedException ex)
        {
            throw new IllegalStateException("rank could not kill itself with SIGKILL (pid " + pid + ")", ex);
        }
        throw new IllegalStateException("pid " + pid + " survived SIGKILL for a minute");
    }

    /**
     * The runtime's counters at one moment: messages, node-shared bytes (read of peers', written for peers), and one
     * communicator context's message bytes both ways.
     */
    private record Traffic(long sentBytes, long receivedBytes, long sentMessages, long receivedMessages,
        long contextBytes, long sharedReadBytes, long sharedWrittenBytes)
    {
        static final Traffic ZERO = new Traffic(0, 0, 0, 0, 0, 0, 0);

        static Traffic now(final int context)
        {
            return new Traffic(Counters.sentBytes(), Counters.receivedBytes(), Counters.sentMessages(),
                Counters.receivedMessages(), context < 0 ? 0 :
                Counters.sentBytes(context) + Counters.receivedBytes(context), Counters.sharedReadBytes(),
                Counters.sharedWrittenBytes());
        }

        Traffic minus(final Traffic earlier)
        {
            return new Traffic(sentBytes - earlier.sentBytes, receivedBytes - earlier.receivedBytes,
                sentMessages - earlier.sentMessages, receivedMessages - earlier.receivedMessages,
                contextBytes - earlier.contextBytes, sharedReadBytes - earlier.sharedReadBytes,
                sharedWrittenBytes - earlier.sharedWrittenBytes);
        }

        Traffic plus(final Traffic other)
        {
            return new Traffic(sentBytes + other.sentBytes, receivedBytes + other.receivedBytes,
                sentMessages + other.sentMessages, receivedMessages + other.receivedMessages,
                contextBytes + other.contextBytes, sharedReadBytes + other.sharedReadBytes,
                sharedWrittenBytes + other.sharedWrittenBytes);
        }

        void into(final double[] row)
        {
            row[SENT_BYTES] = sentBytes;
            row[RECEIVED_BYTES] = receivedBytes;
            row[SENT_MESSAGES] = sentMessages;
            row[RECEIVED_MESSAGES] = receivedMessages;
            row[SHARED_READ_BYTES] = sharedReadBytes;
            row[SHARED_WRITTEN_BYTES] = sharedWrittenBytes;
        }
    }
}
