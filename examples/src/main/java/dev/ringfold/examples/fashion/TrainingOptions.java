package dev.ringfold.examples.fashion;

import java.nio.file.Path;

/** The trainer's command line: {@code --name value} pairs and the {@code --timing} flag. */
final class TrainingOptions
{
    static final String USAGE = "usage: FashionMnistTraining [--epochs N] [--batch-size GLOBAL] [--lr RATE] " +
        "[--optimizer sgd|adam] [--schedule cosine|constant] [--mode allreduce|ps] [--servers N] [--server-replicas N] " +
        "[--bucket-bytes N] " +
        "[--data DIR] [--seed N] [--checkpoint DIR] [--checkpoint-every STEPS] [--resume] [--save-parameters FILE] " +
        "[--print-digest] [--trace] [--timing] [--elastic MIN:MAX] [--kill-rank R,... --kill-at-step S,... " +
        "[--kill-phase backward|forward|join,...]] [--max-steps N] [--sample-log DIR] [--private-buckets] " +
        "[--replicated-update]";
    /**
     * 128 KiB: this model's gradients are, last first, 40 B + 5 KiB (layer 3), 512 B + 128 KiB (layer 2) and 1 KiB +
     * 784 KiB (layer 1). At 128 KiB they make four buckets, [layer 3 + layer 2's bias], [layer 2's weight],
     * [layer 1's bias], [layer 1's weight]: the first two are all-reduced while layer 1's gradient, the largest
     * part of backward, is computed. At 256 KiB layer 1's bias would join the first bucket and hold it back to the
     * end of backward (no overlap at all); PyTorch's 25 MiB would make one bucket, likewise.
     */
    static final long DEFAULT_BUCKET_BYTES = 128 << 10;

    enum Mode
    {
        ALLREDUCE, PS
    }

    /** Where in its step --kill-rank kills itself. */
    enum KillPhase
    {
        /** In backward, once the first buckets' all-reduces are in flight. */
        BACKWARD,
        /** Before the forward pass: between two steps. */
        FORWARD,
        /**
         * In the state copy of a replacement's join (elastic, with mpjrun --max-replacements), from step S on: the
         * survivors have agreed to take the replacement in, and this rank dies as the copy starts.
         */
        JOIN
    }

    int epochs = 10;
    /** The global batch: every step trains on this many samples over all ranks together. */
    int batchSize = 128;
    float learningRate = Float.NaN;
    boolean adam = false;
    /** Cosine decay of the learning rate over the epochs (from --lr at the first to near zero at the last). */
    boolean cosine = true;
    Mode mode = Mode.ALLREDUCE;
    Path data = FashionMnist.DEBIAN_DIR;
    long seed = 42;
    boolean timing = false;
    /** Parameter-server mode: the last this-many ranks serve, the others train. */
    int servers = 1;
    /** Parameter-server mode: ranks holding each shard; 2 survive one server's death (the last servers × this serve). */
    int serverReplicas = 1;
    long bucketBytes = DEFAULT_BUCKET_BYTES;
    /** Where the run's checkpoint (one Arrow IPC file, replaced atomically) goes; null: none. */
    Path checkpoint;
    /** Checkpoint also every this-many steps (0: only at the end of each epoch). */
    int checkpointEvery = 0;
    boolean resume = false;
    Path saveParameters;
    boolean printDigest = false;
    boolean trace = false;
    /** All-reduce buckets in private memory even on one node (staged through the node region), for comparison. */
    boolean privateBuckets = false;
    /** Every rank updates the whole model (no node-shared model, no sharded update), to compare. */
    boolean replicatedUpdate = false;
    /** Sleep per step, for tests that must kill a run mid-epoch on any machine. */
    int throttleMillis = 0;
    /** --elastic MIN:MAX: the all-reduce goes on without dead replicas while MIN are left (0: not elastic). */
    int elasticMin = 0;
    int elasticMax = 0;
    /**
     * --kill-rank R[,R2...] --kill-at-step S[,S2...]: rank R sends itself SIGKILL in global step S (1-based), R2 in
     * S2 and so on; empty: nobody.
     */
    int[] killRanks = {};
    long[] killAtSteps = {};
    /** One phase for every kill, or one per kill, in --kill-rank's order. */
    KillPhase[] killPhases = {KillPhase.BACKWARD};
    /** The run ends after this global step (1-based; 0: after the last epoch), for timing runs that need no more. */
    long maxSteps = 0;
    /** Each rank appends the samples of every step it applied to DIR/samples-RANK.txt (tests count them). */
    Path sampleLog;

    static TrainingOptions parse(final String[] args)
    {
        final TrainingOptions options = new TrainingOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String name = args[i];
            if (flag(options, name))
            {
                continue;
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException(name + " needs a value (or is unknown). " + USAGE);
            }
            final String value = args[++i];
            switch (name)
            {
                case "--epochs" -> options.epochs = positive(name, value);
                case "--batch-size" -> options.batchSize = positive(name, value);
                case "--lr" -> options.learningRate = learningRate(value);
                case "--optimizer" -> options.adam = switch (value)
                {
                    case "sgd" -> false;
                    case "adam" -> true;
                    default -> throw new IllegalArgumentException("--optimizer: sgd or adam, not '" + value + "'");
                };
                case "--schedule" -> options.cosine = switch (value)
                {
                    case "cosine" -> true;
                    case "constant" -> false;
                    default -> throw new IllegalArgumentException("--schedule: cosine or constant, not '" + value +
                        "'");
                };
                case "--mode" -> options.mode = switch (value)
                {
                    case "allreduce" -> Mode.ALLREDUCE;
                    case "ps" -> Mode.PS;
                    default -> throw new IllegalArgumentException("--mode: allreduce or ps, not '" + value + "'");
                };
                case "--data" -> options.data = Path.of(value);
                case "--seed" -> options.seed = parseLong(name, value);
                case "--servers" -> options.servers = positive(name, value);
                case "--server-replicas" -> options.serverReplicas = positive(name, value);
                case "--bucket-bytes" -> options.bucketBytes = positive(name, value);
                case "--checkpoint" -> options.checkpoint = Path.of(value);
                case "--checkpoint-every" -> options.checkpointEvery = positive(name, value);
                case "--save-parameters" -> options.saveParameters = Path.of(value);
                case "--throttle-ms" -> options.throttleMillis = positive(name, value);
                case "--elastic" -> elastic(options, value);
                case "--kill-rank" -> options.killRanks = list(name, value, 0);
                case "--kill-at-step" -> options.killAtSteps = java.util.Arrays.stream(list(name, value, 1))
                    .asLongStream().toArray();
                case "--kill-phase" -> options.killPhases = killPhases(value);
                case "--max-steps" -> options.maxSteps = positive(name, value);
                case "--sample-log" -> options.sampleLog = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name + ". " + USAGE);
            }
        }
        if (options.resume && options.checkpoint == null)
        {
            throw new IllegalArgumentException("--resume needs --checkpoint DIR (where the run left its checkpoint)");
        }
        if (options.checkpoint != null && options.mode == Mode.PS)
        {
            throw new IllegalArgumentException("--checkpoint: only with --mode allreduce (in ps mode the optimizer " +
                "state lives on the servers, which the checkpoint does not collect)");
        }
        if (options.serverReplicas > 1 && options.mode != Mode.PS)
        {
            throw new IllegalArgumentException("--server-replicas " + options.serverReplicas + ": only with --mode ps " +
                "(it replicates the parameter servers)");
        }
        if (options.killRanks.length != options.killAtSteps.length)
        {
            throw new IllegalArgumentException("--kill-rank and --kill-at-step go together, as many of each: which " +
                "ranks die, and in which steps (" + options.killRanks.length + " ranks, " +
                options.killAtSteps.length + " steps given)");
        }
        if (options.killPhases.length != 1 && options.killPhases.length != options.killRanks.length)
        {
            throw new IllegalArgumentException("--kill-phase: one phase for every kill, or one per --kill-rank (" +
                options.killRanks.length + " ranks, " + options.killPhases.length + " phases given)");
        }
        if (options.elasticMax > 0 && options.mode == Mode.PS)
        {
            throw new IllegalArgumentException("--elastic: only with --mode allreduce (the parameter servers do not " +
                "shrink)");
        }
        if (options.elasticMax == 0 && java.util.Arrays.asList(options.killPhases).contains(KillPhase.JOIN))
        {
            throw new IllegalArgumentException("--kill-phase join: only with --elastic (a replacement joins only " +
                "an elastic run)");
        }
        if (options.elasticMax > 0 && options.checkpoint != null)
        {
            throw new IllegalArgumentException("--elastic with --checkpoint: a checkpoint is written by a collective " +
                "over every rank, which a dead replica would stop; the survivors hold the state in memory instead");
        }
        if (Float.isNaN(options.learningRate))
        {
            options.learningRate = options.adam ? 1e-3f : 0.05f;
        }
        return options;
    }

    /** Sets the flag {@code name} names; false when it is not a flag. */
    private static boolean flag(final TrainingOptions options, final String name)
    {
        switch (name)
        {
            case "--timing" -> options.timing = true;
            case "--trace" -> options.trace = true;
            case "--resume" -> options.resume = true;
            case "--print-digest" -> options.printDigest = true;
            case "--private-buckets" -> options.privateBuckets = true;
            case "--replicated-update" -> options.replicatedUpdate = true;
            default ->
            {
                return false;
            }
        }
        return true;
    }

    /** --elastic MIN:MAX, 1 <= MIN <= MAX. */
    private static void elastic(final TrainingOptions options, final String value)
    {
        final int colon = value.indexOf(':');
        if (colon < 0)
        {
            throw new IllegalArgumentException("--elastic needs MIN:MAX (fewest replicas to go on with, most to " +
                "start with), not '" + value + "'");
        }
        options.elasticMin = positive("--elastic MIN", value.substring(0, colon));
        options.elasticMax = positive("--elastic MAX", value.substring(colon + 1));
        if (options.elasticMax < options.elasticMin)
        {
            throw new IllegalArgumentException("--elastic " + value + ": MAX must be at least MIN");
        }
    }

    /**
     * Whether this rank kills itself in this phase of global step {@code step} (0-based); {@link KillPhase#JOIN}:
     * in the first join from its step on.
     */
    boolean killsIn(final int rank, final long step, final KillPhase phase)
    {
        for (int i = 0; i < killRanks.length; i++)
        {
            final KillPhase its = killPhases[killPhases.length == 1 ? 0 : i];
            if (rank == killRanks[i] && its == phase &&
                (phase == KillPhase.JOIN ? step + 1 >= killAtSteps[i] : step + 1 == killAtSteps[i]))
            {
                return true;
            }
        }
        return false;
    }

    /** --kill-phase P[,P2...]. */
    private static KillPhase[] killPhases(final String value)
    {
        final String[] names = value.split(",", -1);
        final KillPhase[] phases = new KillPhase[names.length];
        for (int i = 0; i < names.length; i++)
        {
            phases[i] = switch (names[i])
            {
                case "backward" -> KillPhase.BACKWARD;
                case "forward" -> KillPhase.FORWARD;
                case "join" -> KillPhase.JOIN;
                default -> throw new IllegalArgumentException("--kill-phase: backward, forward or join (one, or one " +
                    "per --kill-rank, comma-separated), not '" + names[i] + "'");
            };
        }
        return phases;
    }

    /** A comma-separated list of integers, each at least {@code least}. */
    private static int[] list(final String name, final String value, final int least)
    {
        final String[] parts = value.split(",", -1);
        final int[] values = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            final long parsed = parseLong(name, parts[i]);
            if (parsed < least || parsed > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException(name + " takes integers >= " + least + ", comma-separated: '" +
                    value + "'");
            }
            values[i] = (int)parsed;
        }
        return values;
    }

    private static int positive(final String name, final String value)
    {
        final long parsed = parseLong(name, value);
        if (parsed < 1 || parsed > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(name + " must be a positive integer: " + value);
        }
        return (int)parsed;
    }

    private static long parseLong(final String name, final String value)
    {
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be an integer: '" + value + "'");
        }
    }

    private static float learningRate(final String value)
    {
        try
        {
            final float rate = Float.parseFloat(value);
            if (rate > 0.0f && !Float.isInfinite(rate))
            {
                return rate;
            }
        }
        catch (final NumberFormatException ex)
        {
            // the message below
        }
        throw new IllegalArgumentException("--lr must be a positive number: '" + value + "'");
    }

    /** The learning rate of epoch {@code epoch} (1-based): half a cosine from --lr, never quite zero. */
    float learningRate(final int epoch)
    {
        return cosine ?
            (float)(learningRate * 0.5 * (1.0 + StrictMath.cos(StrictMath.PI * (epoch - 1) / epochs))) :
            learningRate;
    }

    @Override
    public String toString()
    {
        return "epochs=" + epochs + " global-batch=" + batchSize + " optimizer=" + (adam ? "adam" : "sgd") +
            " lr=" + learningRate +
            (cosine ? " (cosine)" : "") + " mode=" + mode.name().toLowerCase() +
            (mode == Mode.PS ? " servers=" + servers + (serverReplicas > 1 ? " server-replicas=" + serverReplicas : "") :
            " bucket-bytes=" + bucketBytes + (privateBuckets ? " private-buckets" : "") +
            (replicatedUpdate ? " replicated-update" : "")) + " seed=" + seed +
            (elasticMax > 0 ? " elastic=" + elasticMin + ":" + elasticMax : "");
    }
}
