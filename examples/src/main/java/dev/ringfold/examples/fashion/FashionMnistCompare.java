package dev.ringfold.examples.fashion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.training.pipeline.Schedule;
import dev.ringfold.training.pipeline.StageTimeline;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.ringfold.examples.fashion.OwnOptions.positive;

/**
 * Data or model parallel? Trains the deep MLP of {@link FashionMnistPipeline} on Fashion-MNIST, from the same seed
 * and on the same data, as each strategy in turn on the same ranks — data parallel with all-reduce, with a
 * synchronous and an asynchronous (bounded staleness) parameter server, a pipeline under GPipe and 1F1B, and 2-D
 * (2 stages × np/2 replicas) — then the throughput of each on 1, 2, 4 (8) of the ranks, then the bytes per step
 * of all-reduce against the pipeline for a range of widths (where the crossover is). Every number is measured: the
 * traffic by the runtime's {@link Counters} ({@code RINGFOLD_COUNTERS=1}), the memory by the allocators that hold
 * it, the times by the clock, the accuracy on the test set. Rank 0 writes one JSON object per result to
 * {@code --json FILE}; {@link CompareReport} turns them into the table and the plots. Run it with
 * {@code bin/ringfold-compare}, which sets up the environment and the failure experiments.
 * <p>
 * Options: {@value #USAGE}, and those of {@link FashionMnistTraining} for the optimizer, batch, seed and data.
 */
public final class FashionMnistCompare
{
    static final String USAGE = "[--quick] [--strategies a,b,..] [--width W] [--micro-batches M] [--staleness S] " +
        "[--train-samples N] [--test-samples N] [--scaling 1,2,4] [--scaling-steps N] [--crossover-widths 32,..] " +
        "[--crossover-batches 96,..] " +
        "[--json FILE] [--failure STRATEGY --checkpoint-dir DIR --kill-rank R --kill-step S " +
        "--checkpoint-steps C]";

    /** Which code a strategy runs. */
    enum Kind
    {
        GRID, PARAMETER_SERVER
    }

    /**
     * One strategy. {@code stages}: 1 for data parallel, 0 for every rank a stage (a pipeline), 2 for 2-D.
     */
    record Strategy(String name, String title, Kind kind, int stages, Schedule schedule, boolean async)
    {
        int stagesOn(final int ranks)
        {
            return stages == 0 ? ranks : stages;
        }

        /** Why it cannot run on this many ranks, or null when it can. */
        String unfitFor(final int ranks, final int layers)
        {
            if (kind == Kind.PARAMETER_SERVER)
            {
                return ranks < 2 ? "needs a worker and a server" : null;
            }
            if (stages == 2 && ranks < 4)
            {
                return "2-D needs 2 stages × at least 2 replicas";
            }
            if (ranks % stagesOn(ranks) != 0)
            {
                return ranks + " ranks are not 2 stages × replicas";
            }
            return stagesOn(ranks) > layers ? "the model has " + layers + " layers to cut into " + stagesOn(ranks) +
                " stages" : null;
        }
    }

    static final List<Strategy> STRATEGIES = List.of(
        new Strategy("dp-allreduce", "data parallel, all-reduce", Kind.GRID, 1, Schedule.ONE_F_ONE_B, false),
        new Strategy("ps-sync", "parameter server, sync", Kind.PARAMETER_SERVER, 1, Schedule.ONE_F_ONE_B, false),
        new Strategy("ps-async", "parameter server, async", Kind.PARAMETER_SERVER, 1, Schedule.ONE_F_ONE_B, true),
        new Strategy("gpipe", "pipeline, GPipe", Kind.GRID, 0, Schedule.GPIPE, false),
        new Strategy("1f1b", "pipeline, 1F1B", Kind.GRID, 0, Schedule.ONE_F_ONE_B, false),
        new Strategy("2d", "2-D, 2 stages × replicas", Kind.GRID, 2, Schedule.ONE_F_ONE_B, false));

    private FashionMnistCompare()
    {
    }

    /** The comparison's own options; everything else goes to {@link TrainingOptions}. */
    static final class Options
    {
        List<Strategy> strategies = STRATEGIES;
        int width = 512;
        int microBatches = 4;
        int staleness = 2;
        int trainSamples = 0;
        int testSamples = 0;
        int[] scaling;
        int scalingSteps = 40;
        int[] crossoverWidths = {16, 32, 64, 128, 256, 512, 1024};
        int[] crossoverBatches = {96, 1536};
        int crossoverSteps = 10;
        int warmUpSteps = 20;
        Path json;
        Strategy failure;
        Path checkpointDir;
        int killRank = 1;
        int killStep = 0;
        int checkpointSteps = 0;
        TrainingOptions training;

        static Options parse(final String[] args)
        {
            final Options options = new Options();
            final List<String> rest = OwnOptions.split(args, List.of("--strategies", "--width", "--micro-batches",
                "--staleness", "--train-samples", "--test-samples", "--scaling", "--scaling-steps",
                "--crossover-widths", "--crossover-batches", "--json",
                "--failure", "--checkpoint-dir", "--kill-rank", "--kill-step", "--checkpoint-steps"),
                "FashionMnistCompare " + USAGE, (name, value) ->
                {
                    switch (name)
                    {
                        case "--strategies" -> options.strategies = strategies(value);
                        case "--width" -> options.width = positive(name, value);
                        case "--micro-batches" -> options.microBatches = positive(name, value);
                        case "--staleness" -> options.staleness = positive(name, value);
                        case "--train-samples" -> options.trainSamples = positive(name, value);
                        case "--test-samples" -> options.testSamples = positive(name, value);
                        case "--scaling" -> options.scaling = list(name, value);
                        case "--scaling-steps" -> options.scalingSteps = positive(name, value);
                        case "--crossover-widths" -> options.crossoverWidths = list(name, value);
                        case "--crossover-batches" -> options.crossoverBatches = list(name, value);
                        case "--json" -> options.json = Path.of(value);
                        case "--failure" -> options.failure = strategies(value).getFirst();
                        case "--checkpoint-dir" -> options.checkpointDir = Path.of(value);
                        case "--kill-rank" -> options.killRank = Integer.parseInt(value);
                        case "--kill-step" -> options.killStep = positive(name, value);
                        default -> options.checkpointSteps = positive(name, value);
                    }
                });
            final boolean quick = rest.removeIf("--quick"::equals);
            final boolean epochsGiven = rest.contains("--epochs");
            if (quick)
            {
                // the end-to-end test's size: every strategy, scaling and crossover, in seconds per strategy
                options.width = options.width == 512 ? 64 : options.width;
                options.trainSamples = options.trainSamples == 0 ? 1536 : options.trainSamples;
                options.testSamples = options.testSamples == 0 ? 500 : options.testSamples;
                options.scalingSteps = 6;
                options.crossoverWidths = new int[] {16, 256};
                options.crossoverSteps = 3;
                options.warmUpSteps = 3;
                if (!epochsGiven)
                {
                    rest.addAll(List.of("--epochs", "1"));
                }
            }
            if (!rest.contains("--batch-size"))
            {
                // divides over 4 data-parallel ranks, 3 parameter-server workers and 4 × 2-D micro-batches
                rest.addAll(List.of("--batch-size", "96"));
            }
            if (!epochsGiven && !quick)
            {
                rest.addAll(List.of("--epochs", "5"));
            }
            options.training = TrainingOptions.parse(rest.toArray(new String[0]));
            if (options.failure != null && options.checkpointDir == null)
            {
                throw new IllegalArgumentException("--failure needs --checkpoint-dir DIR");
            }
            return options;
        }

        private static List<Strategy> strategies(final String value)
        {
            final List<Strategy> chosen = new ArrayList<>();
            for (final String name : value.split(","))
            {
                chosen.add(STRATEGIES.stream().filter(s -> s.name().equals(name.trim())).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("--strategies: '" + name + "' is none of " +
                        STRATEGIES.stream().map(Strategy::name).toList())));
            }
            return chosen;
        }

        private static int[] list(final String name, final String value)
        {
            final String[] parts = value.split(",");
            final int[] numbers = new int[parts.length];
            for (int i = 0; i < parts.length; i++)
            {
                numbers[i] = positive(name, parts[i].trim());
            }
            return numbers;
        }
    }

    public static void main(final String[] args)
    {
        FashionMnistTraining.run(args, Options::parse, FashionMnistCompare::compare);
    }

    /** Runs the comparison; returns the exit status (1: the data set is missing; 2: counting is off). */
    static int compare(final Communicator world, final Options options, final PrintStream out)
    {
        if (!Counters.ON)
        {
            if (world.rank() == 0)
            {
                System.err.println("FashionMnistCompare: run it with " + Counters.VARIABLE + "=1 (the runtime " +
                    "counts the traffic): bin/ringfold-compare sets it");
            }
            world.barrier();
            return 2;
        }
        final boolean writer = world.rank() == 0;
        try (BufferAllocator root = new RootAllocator())
        {
            final FashionMnist[] splits = FashionMnistTraining.load(options.training, root, world);
            if (splits == null)
            {
                return 1;
            }
            try (FashionMnist train = splits[0];
                 FashionMnist test = splits[1])
            {
                final int layers = FashionMnistPipeline.model(options.width).size();
                if (options.failure != null)
                {
                    // one strategy, one rank killed mid-training; the reporter prints what happened (StrategyRun)
                    final String unfit = options.failure.unfitFor(world.size(), layers);
                    if (unfit != null)
                    {
                        throw new IllegalArgumentException("--failure " + options.failure.name() + " on " +
                            world.size() + " ranks: " + unfit);
                    }
                    StrategyRun.run(options.failure, world, options, train, test, root, options.training.epochs, 0,
                        new StrategyRun.Failure(options.checkpointDir, options.checkpointSteps > 0 ?
                            options.checkpointSteps : -1, options.killRank, options.killStep));
                    return 0;
                }
                if (writer)
                {
                    out.printf("comparing %s on %d ranks: MLP %s, %s%n", options.strategies.stream()
                        .map(Strategy::name).toList(), world.size(), modelName(options.width), options.training);
                    write(options, runLine(world, options));
                }
                // every strategy a few steps first, so that none of them pays for the JIT compiling what all share
                for (final Strategy strategy : options.strategies)
                {
                    if (strategy.unfitFor(world.size(), layers) == null)
                    {
                        StrategyRun.run(strategy, world, options, train, test, root, 1, options.warmUpSteps, null);
                    }
                }
                for (final Strategy strategy : options.strategies)
                {
                    final String unfit = strategy.unfitFor(world.size(), layers);
                    if (unfit != null)
                    {
                        if (writer)
                        {
                            write(options, skipped("strategy", strategy, world.size(), unfit));
                        }
                        continue;
                    }
                    final StrategyRun.Result result = StrategyRun.run(strategy, world, options, train, test, root,
                        options.training.epochs, 0, null);
                    if (writer)
                    {
                        out.printf("%-14s trained: test accuracy %.4f, %.0f samples/s%n", strategy.name(),
                            result.epochs()[result.epochs().length - 1], result.samplesPerSecond());
                        write(options, strategyLine(result, options));
                    }
                }
                scaling(world, options, train, test, root, layers, out);
                crossover(world, options, train, test, root, out);
            }
        }
        return 0;
    }

    /** Samples/s of each strategy on the first k ranks, for k in --scaling (default 1, 2, 4, ... up to np). */
    private static void scaling(final Communicator world, final Options options, final FashionMnist train,
        final FashionMnist test, final BufferAllocator root, final int layers, final PrintStream out)
    {
        int[] widths = options.scaling;
        if (widths == null)
        {
            final List<Integer> powers = new ArrayList<>();
            for (int k = 1; k <= world.size(); k *= 2)
            {
                powers.add(k);
            }
            widths = powers.stream().mapToInt(Integer::intValue).toArray();
        }
        for (final int k : widths)
        {
            if (k > world.size())
            {
                continue;
            }
            try (Communicator sub = world.split(world.rank() < k ? 0 : 1, world.rank()))
            {
                for (final Strategy strategy : options.strategies)
                {
                    final String unfit = strategy.unfitFor(k, layers);
                    if (world.rank() < k && unfit == null)
                    {
                        final StrategyRun.Result result = StrategyRun.run(strategy, sub, options, train, test, root,
                            1, options.scalingSteps, null);
                        if (world.rank() == 0)
                        {
                            out.printf("%-14s on %d rank%s: %.0f samples/s%n", strategy.name(), k, k == 1 ? "" : "s",
                                result.samplesPerSecond());
                            write(options, scalingLine(result));
                        }
                    }
                    else if (world.rank() == 0)
                    {
                        write(options, skipped("scaling", strategy, k, unfit));
                    }
                }
            }
            world.barrier();
        }
    }

    /**
     * Bytes per step and rank of all-reduce against the pipeline, width by width and batch by batch: all-reduce moves
     * the parameters' size, the pipeline the activations' (batch × width), so where one beats the other depends on
     * both.
     */
    private static void crossover(final Communicator world, final Options options, final FashionMnist train,
        final FashionMnist test, final BufferAllocator root, final PrintStream out)
    {
        final int width = options.width;
        final int batch = options.training.batchSize;
        try
        {
            for (final int b : options.crossoverBatches)
            {
                options.training.batchSize = b;
                for (final int w : options.crossoverWidths)
                {
                    options.width = w;
                    for (final Strategy strategy : List.of(STRATEGIES.get(0), STRATEGIES.get(4)))
                    {
                        if (strategy.unfitFor(world.size(), FashionMnistPipeline.model(w).size()) != null)
                        {
                            continue;
                        }
                        final StrategyRun.Result result = StrategyRun.run(strategy, world, options, train, test, root,
                            1, options.crossoverSteps, null);
                        if (world.rank() == 0)
                        {
                            final ObjectNode line = crossoverLine(result, w);
                            out.printf("crossover width %d, batch %d: %s %.0f bytes per step per rank%n", w,
                                result.globalBatch(), strategy.name(), line.get("bytesPerStepPerRank").asDouble());
                            write(options, line);
                        }
                    }
                }
            }
        }
        finally
        {
            options.width = width;
            options.training.batchSize = batch;
        }
    }

    static String modelName(final int width)
    {
        return FashionMnist.PIXELS + "-" + width + "-" + width + "-" + width + "-" + FashionMnist.CLASSES;
    }

    // ---------------------------------------------------------------------------------------------- JSON lines

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode runLine(final Communicator world, final Options options)
    {
        final ObjectNode line = JSON.createObjectNode().put("type", "run").put("date", Instant.now().toString())
            .put("ranks", world.size()).put("model", modelName(options.width))
            .put("width", options.width).put("epochs", options.training.epochs)
            .put("globalBatch", options.training.batchSize).put("microBatches", options.microBatches)
            .put("staleness", options.staleness).put("trainSamples", options.trainSamples)
            .put("testSamples", options.testSamples).put("options", options.training.toString())
            .put("cores", Runtime.getRuntime().availableProcessors())
            .put("allReduceAlgorithm", world.settings().collectives().allReduce().toLowerCase(java.util.Locale.ROOT));
        try
        {
            line.put("loadAverage", Files.readString(Path.of("/proc/loadavg")).trim());
        }
        catch (final IOException ex)
        {
            line.put("loadAverage", "unknown");
        }
        return line;
    }

    private static ObjectNode skipped(final String type, final Strategy strategy, final int ranks,
        final String reason)
    {
        return JSON.createObjectNode().put("type", type).put("strategy", strategy.name())
            .put("title", strategy.title()).put("ranks", ranks).put("skipped", reason);
    }

    private static ObjectNode strategyLine(final StrategyRun.Result r, final Options options)
    {
        final ObjectNode line = JSON.createObjectNode().put("type", "strategy").put("strategy", r.strategy().name())
            .put("title", r.strategy().title()).put("ranks", r.ranks())
            .put("stages", r.strategy().kind() == Kind.PARAMETER_SERVER ? 1 : r.strategy().stagesOn(r.ranks()))
            .put("globalBatch", r.globalBatch()).put("microBatches", r.microBatches())
            .put("parameters", r.parameters()).put("samplesPerSecond", r.samplesPerSecond());
        final int stages = r.strategy().stagesOn(r.ranks());
        if (r.strategy().kind() == Kind.GRID && stages > 1)
        {
            line.put("theoreticalBubble", StageTimeline.theoreticalBubble(stages, r.microBatches()));
        }
        final ArrayNode ranks = line.putArray("perRank");
        for (int rank = 0; rank < r.ranks(); rank++)
        {
            final ObjectNode node = ranks.addObject().put("rank", rank);
            for (int f = 0; f < StrategyRun.FIELDS.length; f++)
            {
                node.put(StrategyRun.FIELDS[f], r.field(rank, f));
            }
        }
        final ArrayNode epochs = line.putArray("epochs");
        for (int e = 0; e < r.epochs().length / StrategyRun.EPOCH_FIELDS; e++)
        {
            final int at = e * StrategyRun.EPOCH_FIELDS;
            epochs.addObject().put("epoch", e + 1).put("seconds", r.epochs()[at]).put("loss", r.epochs()[at + 1])
                .put("accuracy", r.epochs()[at + 2]);
        }
        final ArrayNode curve = line.putArray("lossCurve");
        for (final double loss : r.curve())
        {
            if (loss != 0)
            {
                curve.add(loss);
            }
        }
        return line;
    }

    private static ObjectNode scalingLine(final StrategyRun.Result r)
    {
        return JSON.createObjectNode().put("type", "scaling").put("strategy", r.strategy().name())
            .put("title", r.strategy().title()).put("ranks", r.ranks()).put("globalBatch", r.globalBatch())
            .put("samplesPerSecond", r.samplesPerSecond());
    }

    private static ObjectNode crossoverLine(final StrategyRun.Result r, final int width)
    {
        double bytes = 0;
        double steps = 0;
        for (int rank = 0; rank < r.ranks(); rank++)
        {
            // what a rank puts out for its peers: sent, or written into node-shared memory for them
            bytes += r.field(rank, StrategyRun.SENT_BYTES) + r.field(rank, StrategyRun.SHARED_WRITTEN_BYTES);
            steps = Math.max(steps, r.field(rank, StrategyRun.STEPS));
        }
        return JSON.createObjectNode().put("type", "crossover").put("strategy", r.strategy().name())
            .put("width", width).put("globalBatch", r.globalBatch()).put("parameters", r.parameters())
            .put("ranks", r.ranks())
            .put("bytesPerStepPerRank", bytes / r.ranks() / Math.max(1, steps));
    }

    private static void write(final Options options, final ObjectNode line)
    {
        if (options.json == null)
        {
            return;
        }
        try
        {
            Files.writeString(options.json, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("FashionMnistCompare: cannot append to --json " + options.json, ex);
        }
    }
}
