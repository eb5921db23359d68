package dev.ringfold.training.pipeline;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.Init;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Sequential;
import org.apache.arrow.memory.BufferAllocator;

import java.util.Arrays;

/**
 * Splits a model's layers into contiguous pipeline stages, DeepSpeed's partition methods: {@link #uniform} (equal
 * layer counts), {@link #byParameters} (balanced parameter counts), {@link #byCost} (a cost per layer given by the
 * user) and {@link #byMeasuredTime} (forward-plus-backward time of each layer, measured here). Balancing minimises
 * the most expensive stage exactly (the linear-partition dynamic programme); ties go to the partition whose stages
 * come earliest. Every stage gets at least one layer, so {@code stages} may not exceed the layer count.
 */
public final class Partitioner
{
    private Partitioner()
    {
    }

    /** Layer counts as equal as they can be (the first stages get the extra layer). */
    public static Partition uniform(final int layers, final int stages)
    {
        checkStages(layers, stages);
        final int[] bounds = new int[stages + 1];
        for (int s = 1; s <= stages; s++)
        {
            bounds[s] = bounds[s - 1] + layers / stages + (s - 1 < layers % stages ? 1 : 0);
        }
        return Partition.of(layers, bounds);
    }

    /** Balanced by parameter elements per layer ({@link Sequential.Builder#parameterCount}). */
    public static Partition byParameters(final Sequential.Builder model, final int stages)
    {
        final double[] costs = new double[model.size()];
        for (int l = 0; l < costs.length; l++)
        {
            costs[l] = model.parameterCount(l);
        }
        return balance(costs, stages, "parameters");
    }

    /** Balanced by the given cost of each layer (any unit, non-negative). */
    public static Partition byCost(final double[] layerCosts, final int stages)
    {
        for (int l = 0; l < layerCosts.length; l++)
        {
            if (!(layerCosts[l] >= 0) || Double.isInfinite(layerCosts[l]))
            {
                throw new IllegalArgumentException("layer cost " + l + " is " + layerCosts[l] + ": costs must be " +
                    "finite and >= 0");
            }
        }
        return balance(layerCosts.clone(), stages, "cost");
    }

    /**
     * Balanced by the measured time of each layer's forward and backward on {@code rows} random rows (median of
     * {@code repeats} after as many warm-ups). Measures on this rank only: the ranks of a job may measure different
     * times, so measure on one rank and share the costs (broadcast) before partitioning.
     */
    public static Partition byMeasuredTime(final Sequential.Builder model, final BufferAllocator allocator,
        final int rows, final int repeats, final int stages)
    {
        return balance(measure(model, allocator, rows, repeats), stages, "measured time");
    }

    /** Seconds per layer for forward and backward of {@code rows} rows: the costs of {@link #byMeasuredTime}. */
    public static double[] measure(final Sequential.Builder model, final BufferAllocator allocator, final int rows,
        final int repeats)
    {
        if (rows < 1 || repeats < 1)
        {
            throw new IllegalArgumentException("measure: rows=" + rows + " and repeats=" + repeats + " must be >= 1");
        }
        final double[] seconds = new double[model.size()];
        final long[] samples = new long[repeats];
        for (int l = 0; l < model.size(); l++)
        {
            try (Sequential layer = model.build(allocator, 0, l, l + 1);
                 Activations acts = layer.newActivations(allocator, rows);
                 Tensor x = Tensors.zeros(allocator, DType.F32, rows, layer.inputFeatures());
                 Tensor dy = Tensors.zeros(allocator, DType.F32, rows, layer.outputFeatures()))
            {
                Init.uniform(Init.bits(1, l), 0, x.address(), x.elementCount(), -1f, 1f);
                Init.uniform(Init.bits(2, l), 0, dy.address(), dy.elementCount(), -1f, 1f);
                for (int r = 0; r < 2 * repeats; r++)
                {
                    final long start = System.nanoTime();
                    layer.forward(acts, x, rows);
                    layer.backward(acts, dy, rows, true);
                    if (r >= repeats)
                    {
                        samples[r - repeats] = System.nanoTime() - start;
                    }
                }
                Arrays.sort(samples);
                seconds[l] = samples[repeats / 2] * 1e-9;
            }
        }
        return seconds;
    }

    private static Partition balance(final double[] costs, final int stages, final String weighedBy)
    {
        final int n = costs.length;
        checkStages(n, stages);
        final double[] prefix = new double[n + 1];
        for (int l = 0; l < n; l++)
        {
            prefix[l + 1] = prefix[l] + costs[l];
        }
        // best[s][j]: the least possible max stage cost of layers [0, j) in s stages; cut[s][j]: where stage s-1 starts
        final double[][] best = new double[stages + 1][n + 1];
        final int[][] cut = new int[stages + 1][n + 1];
        for (final double[] row : best)
        {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int s = 1; s <= stages; s++)
        {
            for (int j = s; j <= n - (stages - s); j++)
            {
                for (int i = s - 1; i < j; i++)
                {
                    final double candidate = Math.max(best[s - 1][i], prefix[j] - prefix[i]);
                    if (candidate < best[s][j])
                    {
                        best[s][j] = candidate;
                        cut[s][j] = i;
                    }
                }
            }
        }
        final int[] bounds = new int[stages + 1];
        bounds[stages] = n;
        for (int s = stages; s > 0; s--)
        {
            bounds[s - 1] = cut[s][bounds[s]];
        }
        return Partition.of(costs, weighedBy, bounds);
    }

    private static void checkStages(final int layers, final int stages)
    {
        if (stages < 1 || stages > layers)
        {
            throw new IllegalArgumentException("cannot split " + layers + " layers into " + stages + " stages: " +
                "every stage needs at least one layer (stages must be in 1.." + layers + ")");
        }
    }
}
