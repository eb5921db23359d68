package dev.ringfold.examples.fashion;

import java.nio.file.Path;

/** The trainer's command line: {@code --name value} pairs and the {@code --timing} flag. */
final class TrainingOptions
{
    static final String USAGE = "usage: FashionMnistTraining [--epochs N] [--batch-size GLOBAL] [--lr RATE] " +
        "[--optimizer sgd|adam] [--schedule cosine|constant] [--mode allreduce|ps] [--data DIR] [--seed N] [--timing]";

    enum Mode
    {
        ALLREDUCE, PS
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

    static TrainingOptions parse(final String[] args)
    {
        final TrainingOptions options = new TrainingOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String name = args[i];
            if (name.equals("--timing"))
            {
                options.timing = true;
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
                default -> throw new IllegalArgumentException("unknown option " + name + ". " + USAGE);
            }
        }
        if (Float.isNaN(options.learningRate))
        {
            options.learningRate = options.adam ? 1e-3f : 0.05f;
        }
        return options;
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
            (cosine ? " (cosine)" : "") + " mode=" + mode.name().toLowerCase() + " seed=" + seed;
    }
}
