package dev.ringfold.training.pipeline;

import dev.ringfold.tensors.nn.Sequential;
import org.apache.arrow.memory.BufferAllocator;

import java.util.Arrays;

/**
 * Contiguous ranges of a model's layers, one per pipeline stage: stage {@code s} runs layers
 * {@code [from(s), to(s))}. Every stage has at least one layer. Carries the cost of each stage under the weights it
 * was balanced by, and the imbalance: the most expensive stage over the mean (1.0 is perfect balance; the pipeline
 * runs at the pace of its slowest stage).
 */
public final class Partition
{
    private final int[] bounds;
    private final double[] stageCosts;
    private final String weighedBy;

    private Partition(final int[] bounds, final double[] stageCosts, final String weighedBy)
    {
        this.bounds = bounds;
        this.stageCosts = stageCosts;
        this.weighedBy = weighedBy;
    }

    /**
     * A partition given by its stage boundaries: {@code bounds[0] = 0 < bounds[1] < ... < bounds[p] = layers};
     * each stage's cost is its layer count.
     */
    public static Partition of(final int layers, final int... bounds)
    {
        final double[] ones = new double[layers];
        Arrays.fill(ones, 1.0);
        return of(ones, "layers", bounds);
    }

    static Partition of(final double[] layerCosts, final String weighedBy, final int... bounds)
    {
        final int layers = layerCosts.length;
        if (bounds.length < 2)
        {
            throw new IllegalArgumentException("partition bounds " + Arrays.toString(bounds) + ": need at least " +
                "[0, " + layers + "] (one stage)");
        }
        if (bounds[0] != 0 || bounds[bounds.length - 1] != layers)
        {
            throw new IllegalArgumentException("partition bounds " + Arrays.toString(bounds) + " must start at 0 " +
                "and end at the layer count " + layers);
        }
        final double[] costs = new double[bounds.length - 1];
        for (int s = 0; s < costs.length; s++)
        {
            if (bounds[s + 1] <= bounds[s])
            {
                throw new IllegalArgumentException("partition bounds " + Arrays.toString(bounds) + ": stage " + s +
                    " is empty (layers [" + bounds[s] + ", " + bounds[s + 1] + ")); every stage needs at least one " +
                    "layer, so use at most " + layers + " stages for " + layers + " layers");
            }
            for (int l = bounds[s]; l < bounds[s + 1]; l++)
            {
                costs[s] += layerCosts[l];
            }
        }
        return new Partition(bounds.clone(), costs, weighedBy);
    }

    public int stages()
    {
        return stageCosts.length;
    }

    public int layers()
    {
        return bounds[bounds.length - 1];
    }

    /** First layer of {@code stage}. */
    public int from(final int stage)
    {
        return bounds[checkStage(stage)];
    }

    /** One past the last layer of {@code stage}. */
    public int to(final int stage)
    {
        return bounds[checkStage(stage) + 1];
    }

    /** The stage's cost under the weights the partition was made with. */
    public double cost(final int stage)
    {
        return stageCosts[checkStage(stage)];
    }

    /** The largest stage cost over the mean stage cost: 1.0 when perfectly balanced. */
    public double imbalance()
    {
        double max = 0;
        double sum = 0;
        for (final double c : stageCosts)
        {
            max = Math.max(max, c);
            sum += c;
        }
        return sum == 0 ? 1.0 : max / (sum / stageCosts.length);
    }

    /** Builds {@code stage}'s layers from the model description, with the parameters they have in the whole model. */
    public Sequential build(final Sequential.Builder model, final BufferAllocator allocator, final long seed,
        final int stage)
    {
        if (model.size() != layers())
        {
            throw new IllegalArgumentException("partition of " + layers() + " layers given a model of " +
                model.size() + " layers");
        }
        return model.build(allocator, seed, from(stage), to(stage));
    }

    private int checkStage(final int stage)
    {
        if (stage < 0 || stage >= stageCosts.length)
        {
            throw new IllegalArgumentException("stage " + stage + " is not one of the " + stageCosts.length);
        }
        return stage;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder("partition of ").append(layers()).append(" layers into ")
            .append(stages()).append(" stages by ").append(weighedBy).append(':');
        for (int s = 0; s < stages(); s++)
        {
            text.append(" [").append(bounds[s]).append(',').append(bounds[s + 1]).append(") cost ")
                .append(String.format("%.4g", stageCosts[s]));
        }
        return text.append(String.format("; imbalance %.3f (max/mean)", imbalance())).toString();
    }
}
