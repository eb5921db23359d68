package dev.ringfold.training.pipeline;

import dev.ringfold.collectives.SteadyStateAllocation;
import dev.ringfold.training.data.DataParallel;
import dev.ringfold.training.data.DataParallelOptions;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.Init;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SgdMomentum;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;


/**
 * Pipeline checks on real ranks: {@code PipelineRanks equivalence|errors|allocation|grid [stages]}. Each prints
 * what it measured and ends with {@code ok <mode> rank r} once its allocator is back to zero; any failed check
 * throws (the rank exits non-zero).
 * <ul>
 * <li>equivalence: GPipe and 1F1B with m = 1, 2, 4, 8, 16 against sequential training of the whole model on one
 * rank with the same global batch (each rank trains the reference locally); parameters and losses within 1e-5
 * relative; peak live activations = m (GPipe) and &lt;= p - stage (1F1B).</li>
 * <li>errors: m &lt; 1, mismatched stage shapes, mismatched m, empty stages, p not dividing the world; the
 * communicator is used afterwards.</li>
 * <li>allocation: steady-state steps of both schedules allocate nothing.</li>
 * <li>grid: 2 stages × d replicas against plain data parallelism on the same d shards.</li>
 * </ul>
 */
public final class PipelineRanks
{
    static final Sequential.Builder MODEL = Sequential.builder(12)
        .linear(24).relu().linear(32).relu().linear(16).relu().linear(6);
    /** Wide enough that a micro-batch's activations (16 rows × 600 × 4 bytes) exceed the 32 KiB eager limit. */
    static final Sequential.Builder WIDE = Sequential.builder(12).linear(600).relu().linear(6);
    static final int CLASSES = 6;
    static final int BATCH = 16;
    static final int WIDE_BATCH = 64;
    static final int STEPS = 3;
    static final long SEED = 7;
    static final double BOUND = 1e-5;

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            try (BufferAllocator allocator = new RootAllocator())
            {
                switch (mode)
                {
                    case "equivalence" -> equivalence(world, allocator);
                    case "errors" -> errors(world, allocator);
                    case "allocation" -> allocation(world, allocator);
                    case "grid" -> grid(world, allocator, Integer.parseInt(args[1]));
                    default -> throw new IllegalArgumentException("unknown mode " + mode);
                }
                if (allocator.getAllocatedMemory() != 0)
                {
                    throw new AssertionError("rank " + world.rank() + ": " + allocator.getAllocatedMemory() +
                        " bytes still allocated");
                }
            }
            world.barrier();
            System.out.println("ok " + mode + " rank " + world.rank());
        }
    }

    // ------------------------------------------------------------------------------------------ equivalence

    private static void equivalence(final Communicator world, final BufferAllocator allocator)
    {
        double worst = equivalence(world, allocator, MODEL, BATCH, new int[] {1, 2, 4, 8, 16});
        if (world.size() == 2)
        {
            worst = Math.max(worst, equivalence(world, allocator, WIDE, WIDE_BATCH, new int[] {4}));
        }
        System.out.printf("equivalence worst relative difference stage %d: %.3e%n", world.rank(), worst);
    }

    private static double equivalence(final Communicator world, final BufferAllocator allocator,
        final Sequential.Builder model, final int batch, final int[] microBatchCounts)
    {
        final int p = world.size();
        final Partition partition = Partitioner.byParameters(model, p);
        if (world.rank() == 0)
        {
            System.out.println(partition);
        }
        final int stage = world.rank();
        double worst = 0;
        for (final Schedule schedule : Schedule.values())
        {
            for (final int m : microBatchCounts)
            {
                try (Sequential reference = model.build(allocator, SEED);
                     Sequential layers = partition.build(model, allocator, SEED, stage);
                     PipelineStage pipeline = new PipelineStage(world, allocator, layers, schedule, m, batch / m);
                     SgdMomentum sgd = new SgdMomentum(allocator, layers.parameters(), layers.gradients(), 0.1f, 0.9f))
                {
                    final double[] referenceLosses = trainSequential(reference, allocator, batch, STEPS);
                    double lossDifference = 0;
                    for (int step = 0; step < STEPS; step++)
                    {
                        fillStage(pipeline, step, 0);
                        layers.zeroGradients();
                        final double loss = pipeline.step();
                        sgd.step();
                        if (pipeline.stage() == p - 1)
                        {
                            lossDifference = Math.max(lossDifference,
                                Math.abs(loss - referenceLosses[step]) / Math.abs(referenceLosses[step]));
                        }
                    }
                    final double difference = Math.max(lossDifference, parameterDifference(layers, reference));
                    worst = Math.max(worst, difference);
                    System.out.printf("equivalence %s m=%d × %d rows stage %d: max relative difference %.3e " +
                        "(loss %.3e), peak live activations %d%n", schedule, m, batch / m, stage, difference,
                        lossDifference,
                        pipeline.peakLiveActivations());
                    if (!(difference <= BOUND))
                    {
                        throw new AssertionError(schedule + " m=" + m + " stage " + stage + ": relative difference " +
                            difference + " > " + BOUND);
                    }
                    final int peak = pipeline.peakLiveActivations();
                    if (schedule == Schedule.GPIPE ? peak != m : peak > Math.min(m, p - stage))
                    {
                        throw new AssertionError(schedule + " m=" + m + " stage " + stage + " of " + p + ": peak " +
                            "live activations " + peak + ", expected " + (schedule == Schedule.GPIPE ? "= m" :
                            "<= p - stage = " + (p - stage)));
                    }
                    final StageTimeline timeline = pipeline.timeline();
                    for (int i = 0; i < m; i++)
                    {
                        if (timeline.forwardNanos(i) <= 0 || timeline.backwardNanos(i) <= 0)
                        {
                            throw new AssertionError("timeline of micro-batch " + i + " has no compute: " + timeline);
                        }
                    }
                    if (timeline.steps() != STEPS || !(timeline.idleFraction() >= 0 && timeline.idleFraction() < 1))
                    {
                        throw new AssertionError("timeline totals: " + timeline);
                    }
                    System.out.println("timeline " + timeline.summary());
                }
            }
        }
        return worst;
    }

    /** Trains the whole model on one rank, STEPS steps of the global batch; returns the losses. */
    private static double[] trainSequential(final Sequential model, final BufferAllocator allocator,
        final int batch, final int steps)
    {
        final double[] losses = new double[steps];
        try (Activations acts = model.newActivations(allocator, batch);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, CLASSES, batch);
             SgdMomentum sgd = new SgdMomentum(allocator, model.parameters(), model.gradients(), 0.1f, 0.9f);
             Tensor x = Tensors.zeros(allocator, DType.F32, batch, model.inputFeatures());
             Tensor y = Tensors.zeros(allocator, DType.I32, batch))
        {
            for (int step = 0; step < steps; step++)
            {
                fill(x, y, step, 0);
                model.zeroGradients();
                losses[step] = loss.forward(model.forward(acts, x, batch), y, batch);
                model.backward(acts, loss.backward(), batch, false);
                sgd.step();
            }
        }
        return losses;
    }

    /** The synthetic batch of a step: rows [rowOffset, rowOffset + rows) of a deterministic stream. */
    static void fill(final Tensor x, final Tensor y, final int step, final int rowOffset)
    {
        if (x != null)
        {
            final long features = x.shape(1);
            Init.uniform(SEED, (1000L * step + rowOffset) * features, x.address(), x.elementCount(), -1f, 1f);
        }
        if (y != null)
        {
            for (long i = 0; i < y.shape(0); i++)
            {
                y.setLong((31L * step + 7L * (rowOffset + i) + (rowOffset + i) / 3) % CLASSES, i);
            }
        }
    }

    static void fillStage(final PipelineStage pipeline, final int step, final int rowOffset)
    {
        fill(pipeline.stage() == 0 ? pipeline.input() : null,
            pipeline.stage() == pipeline.stages() - 1 ? pipeline.labels() : null, step, rowOffset);
    }

    /** Largest ||a - b|| / ||b|| over the stage's parameters against the same-named ones of the reference. */
    static double parameterDifference(final Sequential stage, final Sequential reference)
    {
        double worst = 0;
        for (final Tensor mine : stage.parameters())
        {
            final Tensor theirs = reference.parameters().stream().filter(t -> t.name().equals(mine.name()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + mine.name() + " in the reference"));
            final float[] a = mine.toFloatArray();
            final float[] b = theirs.toFloatArray();
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < a.length; i++)
            {
                diff += (double)(a[i] - b[i]) * (a[i] - b[i]);
                norm += (double)b[i] * b[i];
            }
            worst = Math.max(worst, Math.sqrt(diff / norm));
        }
        return worst;
    }

    // ------------------------------------------------------------------------------------------ errors

    private static void errors(final Communicator world, final BufferAllocator allocator)
    {
        final int stage = world.rank();
        try (Sequential layers = MODEL.build(allocator, SEED, stage == 0 ? 0 : 2, stage == 0 ? 2 : MODEL.size()))
        {
            expect("m < 1", () -> new PipelineStage(world, allocator, layers, Schedule.GPIPE, 0, 4),
                "micro-batches m=0 must be >= 1");
            expect("rows < 1", () -> new PipelineStage(world, allocator, layers, Schedule.GPIPE, 2, 0),
                "micro-batch rows=0 must be >= 1");
        }
        // stage 0 gives 24 features, stage 1 takes 32: refused on both sides, naming both stages and shapes
        try (Sequential layers = stage == 0 ? MODEL.build(allocator, SEED, 0, 2) : MODEL.build(allocator, SEED, 3, 7))
        {
            expect("shapes", () -> new PipelineStage(world, allocator, layers, Schedule.ONE_F_ONE_B, 2, 4),
                "stage shapes do not match: stage 0 sends activations F32[4, 24] but stage 1 takes F32[4, 32]");
        }
        try (Sequential layers = MODEL.build(allocator, SEED, stage == 0 ? 0 : 2, stage == 0 ? 2 : MODEL.size()))
        {
            expect("m differs", () -> new PipelineStage(world, allocator, layers, Schedule.GPIPE,
                stage == 0 ? 2 : 4, 4), "every stage must be created with the same schedule, m and micro-batch rows");
        }
        expect("empty stage", () -> Partition.of(7, 0, 3, 3, 7), "stage 1 is empty (layers [3, 3))");
        expect("too many stages", () -> Partitioner.byParameters(MODEL, 8),
            "cannot split 7 layers into 8 stages: every stage needs at least one layer");
        expect("p does not divide the world", () -> new PipelineGrid(world, 3),
            world.size() + " ranks cannot be divided into pipelines of p=3 stages");
        // the communicator still works, and a good pipeline can be made on it
        world.barrier();
        try (Sequential layers = MODEL.build(allocator, SEED, stage == 0 ? 0 : 2, stage == 0 ? 2 : MODEL.size());
             PipelineStage pipeline = new PipelineStage(world, allocator, layers, Schedule.GPIPE, 2, 4))
        {
            fillStage(pipeline, 0, 0);
            pipeline.step();
            System.out.println("after the errors, a step ran: " + pipeline);
        }
    }

    private static void expect(final String what, final Runnable call, final String message)
    {
        try
        {
            call.run();
        }
        catch (final IllegalArgumentException ex)
        {
            if (!ex.getMessage().contains(message))
            {
                throw new AssertionError(what + ": message '" + ex.getMessage() + "' lacks '" + message + "'", ex);
            }
            System.out.println("refused " + what + ": " + ex.getMessage());
            return;
        }
        throw new AssertionError(what + ": no exception");
    }

    // ------------------------------------------------------------------------------------------ allocation

    private static void allocation(final Communicator world, final BufferAllocator allocator)
    {
        final Partition partition = Partitioner.byParameters(MODEL, world.size());
        for (final Schedule schedule : Schedule.values())
        {
            try (Sequential layers = partition.build(MODEL, allocator, SEED, world.rank());
                 PipelineStage pipeline = new PipelineStage(world, allocator, layers, schedule, 4, 4);
                 SgdMomentum sgd = new SgdMomentum(allocator, layers.parameters(), layers.gradients(), 0.01f, 0.9f))
            {
                fillStage(pipeline, 0, 0);
                // warm-up long enough for C2, then rounds (SteadyStateAllocation): the stages step together
                final long best = SteadyStateAllocation.quietestRound(world, schedule + " stage " + world.rank(),
                    5000, 1000, () ->
                    {
                        layers.zeroGradients();
                        pipeline.step();
                        sgd.step();
                    });
                if (best != 0)
                {
                    throw new AssertionError("rank " + world.rank() + ": " + schedule + " step allocates (" + best +
                        " bytes in the quietest round)");
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ 2-D

    private static void grid(final Communicator world, final BufferAllocator allocator, final int stages)
    {
        final Partition partition = Partitioner.byParameters(MODEL, stages);
        try (PipelineGrid grid = new PipelineGrid(world, stages))
        {
            System.out.println("rank " + world.rank() + ": " + grid);
            final int replica = grid.replica();
            for (final Schedule schedule : Schedule.values())
            {
                final int m = 4;
                try (Sequential layers = partition.build(MODEL, allocator, SEED, grid.stage());
                     SgdMomentum sgd = new SgdMomentum(allocator, layers.parameters(), layers.gradients(), 0.1f, 0.9f);
                     DataParallel replicas = DataParallel.create(grid.data(), allocator, layers.parameters(),
                         layers.gradients(), new DataParallelOptions().bucketBytes(256)
                             .update((parameters, gradients) -> sgd.step()));
                     PipelineStage pipeline = new PipelineStage(grid.pipeline(), allocator, layers, schedule, m,
                         BATCH / m).dataParallel(replicas);
                     Sequential plain = MODEL.build(allocator, SEED))
                {
                    for (int step = 0; step < STEPS; step++)
                    {
                        fillStage(pipeline, step, replica * BATCH);
                        layers.zeroGradients();
                        pipeline.step();
                    }
                    trainDataParallel(grid.data(), plain, allocator, replica);
                    final double difference = parameterDifference(layers, plain);
                    System.out.printf("grid %s %d stages x %d replicas, stage %d replica %d: relative difference " +
                        "to plain data parallel %.3e%n", schedule, stages, grid.replicas(), grid.stage(), replica,
                        difference);
                    if (!(difference <= BOUND))
                    {
                        throw new AssertionError("2-D " + schedule + " differs from data parallel by " + difference);
                    }
                }
            }
        }
    }

    /** Plain data parallelism over {@code data}: the whole model, replica r trains on rows [r·B, (r+1)·B). */
    private static void trainDataParallel(final Communicator data, final Sequential model,
        final BufferAllocator allocator, final int replica)
    {
        try (Activations acts = model.newActivations(allocator, BATCH);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, CLASSES, BATCH);
             SgdMomentum sgd = new SgdMomentum(allocator, model.parameters(), model.gradients(), 0.1f, 0.9f);
             DataParallel dp = DataParallel.create(data, allocator, model.parameters(), model.gradients(),
                 new DataParallelOptions().bucketBytes(256).update((parameters, gradients) -> sgd.step()));
             Tensor x = Tensors.zeros(allocator, DType.F32, BATCH, MODEL.inputFeatures(0));
             Tensor y = Tensors.zeros(allocator, DType.I32, BATCH))
        {
            model.gradientListener((index, gradient) -> dp.gradientReady(index));
            for (int step = 0; step < STEPS; step++)
            {
                fill(x, y, step, replica * BATCH);
                model.zeroGradients();
                loss.forward(model.forward(acts, x, BATCH), y, BATCH);
                model.backward(acts, loss.backward(), BATCH, false);
                dp.step();
            }
            model.gradientListener(null);
        }
    }

}
