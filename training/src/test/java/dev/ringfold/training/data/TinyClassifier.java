package dev.ringfold.training.data;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.HalfFloats;
import org.apache.arrow.memory.BufferAllocator;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.IntConsumer;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Softmax regression on a deterministic synthetic data set, with its gradient written out: the model the
 * data-parallel tests train. Features are split into {@value #BLOCKS} weight blocks (parameters 0 to 2, [8, 5]) and
 * a bias (parameter 3), so there are several gradients to bucket; a wider one ({@link #WIDE} features, blocks of
 * 40 KiB) has buckets large enough for the shared-memory all-reduce. Labels come from a fixed teacher, so the loss
 * falls. All arithmetic is float in a fixed order; nothing allocates per step.
 */
final class TinyClassifier implements AutoCloseable
{
    static final int FEATURES = 24;
    static final int WIDE = 3 * 2048;
    static final int CLASSES = 5;
    static final int BLOCKS = 3;
    static final int MAX_BATCH = 64;

    final List<Tensor> parameters;
    final List<Tensor> gradients;
    private final float[] x;
    private final int[] labels;
    private final float[] dz = new float[MAX_BATCH * CLASSES];
    private final DType gradientType;
    private final int features;
    private final int block;

    TinyClassifier(final BufferAllocator allocator, final int samples, final long initSeed, final DType gradientType)
    {
        this(allocator, samples, initSeed, gradientType, FEATURES);
    }

    TinyClassifier(final BufferAllocator allocator, final int samples, final long initSeed, final DType gradientType,
        final int features)
    {
        this(allocator, null, samples, initSeed, gradientType, features);
    }

    /** Parameters and gradients node-shared (from {@code shared}) unless it is null: the sharded update's case. */
    TinyClassifier(final BufferAllocator allocator, final NodeSharedAllocator shared, final int samples,
        final long initSeed, final DType gradientType, final int features)
    {
        this.gradientType = gradientType;
        this.features = features;
        this.block = features / BLOCKS;
        x = new float[samples * features];
        labels = new int[samples];
        for (int i = 0; i < samples; i++)
        {
            int best = 0;
            float bestScore = -Float.MAX_VALUE;
            for (int c = 0; c < CLASSES; c++)
            {
                float score = 0;
                for (int f = 0; f < features; f++)
                {
                    if (c == 0)
                    {
                        x[i * features + f] = uniform(7, (long)i * features + f);
                    }
                    score += x[i * features + f] * uniform(13, (long)f * CLASSES + c);
                }
                if (score > bestScore)
                {
                    bestScore = score;
                    best = c;
                }
            }
            labels[i] = best;
        }
        final Tensor[] p = new Tensor[BLOCKS + 1];
        final Tensor[] g = new Tensor[BLOCKS + 1];
        for (int k = 0; k <= BLOCKS; k++)
        {
            final long[] shape = k < BLOCKS ? new long[] {block, CLASSES} : new long[] {CLASSES};
            p[k] = shared != null ? shared.allocate(DType.F32, shape) : Tensors.zeros(allocator, DType.F32, shape);
            g[k] = shared != null ? shared.allocate(gradientType, shape) : Tensors.zeros(allocator, gradientType, shape);
            final MemorySegment s = p[k].segment();
            for (long e = 0; e < p[k].elementCount(); e++)
            {
                s.setAtIndex(JAVA_FLOAT_UNALIGNED, e, 0.1f * uniform(initSeed, k * 1000L + e));
            }
        }
        parameters = List.of(p);
        gradients = List.of(g);
    }

    /** A value in [-1, 1) from (seed, index): SplitMix64. */
    static float uniform(final long seed, final long index)
    {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 40) / (float)(1 << 24) * 2 - 1;
    }

    /** max |a - b| / max |a|: how the equivalence proofs compare parameter sets. */
    static double relativeDifference(final float[] a, final float[] b)
    {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++)
        {
            diff = Math.max(diff, Math.abs((double)a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        return diff / scale;
    }

    int features()
    {
        return features;
    }

    int samples()
    {
        return labels.length;
    }

    /**
     * Forward and backward over samples {@code indices[from .. from+count)}: the mean gradient of the cross-entropy
     * into the gradient tensors, parameter by parameter from the last, calling {@code ready} after each (as a
     * framework's backward hooks would). Returns the mean loss.
     */
    double backward(final int[] indices, final int from, final int count, final IntConsumer ready)
    {
        double loss = 0;
        for (int s = 0; s < count; s++)
        {
            final int i = indices[from + s];
            float max = -Float.MAX_VALUE;
            for (int c = 0; c < CLASSES; c++)
            {
                float z = get(parameters.get(BLOCKS), c);
                for (int k = 0; k < BLOCKS; k++)
                {
                    final MemorySegment w = parameters.get(k).segment();
                    for (int f = 0; f < block; f++)
                    {
                        z += x[i * features + k * block + f] * w.getAtIndex(JAVA_FLOAT_UNALIGNED, f * CLASSES + c);
                    }
                }
                dz[s * CLASSES + c] = z;
                max = Math.max(max, z);
            }
            float total = 0;
            for (int c = 0; c < CLASSES; c++)
            {
                final float e = (float)Math.exp(dz[s * CLASSES + c] - max);
                dz[s * CLASSES + c] = e;
                total += e;
            }
            for (int c = 0; c < CLASSES; c++)
            {
                final float prob = dz[s * CLASSES + c] / total;
                if (c == labels[i])
                {
                    loss -= Math.log(Math.max(prob, 1e-30));
                }
                dz[s * CLASSES + c] = (prob - (c == labels[i] ? 1 : 0)) / count;
            }
        }
        final Tensor bias = gradients.get(BLOCKS);
        for (int c = 0; c < CLASSES; c++)
        {
            float sum = 0;
            for (int s = 0; s < count; s++)
            {
                sum += dz[s * CLASSES + c];
            }
            put(bias, c, sum);
        }
        ready.accept(BLOCKS);
        for (int k = BLOCKS - 1; k >= 0; k--)
        {
            final Tensor g = gradients.get(k);
            for (int f = 0; f < block; f++)
            {
                for (int c = 0; c < CLASSES; c++)
                {
                    float sum = 0;
                    for (int s = 0; s < count; s++)
                    {
                        sum += x[indices[from + s] * features + k * block + f] * dz[s * CLASSES + c];
                    }
                    put(g, f * CLASSES + c, sum);
                }
            }
            ready.accept(k);
        }
        return loss / count;
    }

    private static float get(final Tensor t, final long index)
    {
        return t.segment().getAtIndex(JAVA_FLOAT_UNALIGNED, index);
    }

    private void put(final Tensor t, final long index, final float value)
    {
        if (gradientType == DType.F32)
        {
            t.segment().setAtIndex(JAVA_FLOAT_UNALIGNED, index, value);
        }
        else
        {
            t.segment().setAtIndex(JAVA_SHORT_UNALIGNED, index, HalfFloats.floatToBf16(value));
        }
    }

    /** Every parameter element's bits, in order, as hex: what runs compare. */
    String parameterBits()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Tensor p : parameters)
        {
            for (long e = 0; e < p.elementCount(); e++)
            {
                sb.append(sb.isEmpty() ? "" : ",").append(Integer.toHexString(Float.floatToRawIntBits(get(p, e))));
            }
        }
        return sb.toString();
    }

    @Override
    public void close()
    {
        parameters.forEach(Tensor::close);
        gradients.forEach(Tensor::close);
    }
}
