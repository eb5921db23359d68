package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.kernels.Init;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Layers applied one after another; itself a {@link Layer}, so a model, a pipeline stage or a block of either.
 * Owns its layers (closes them). Parameters and gradients are the layers' in layer order, so the order is the same
 * on every rank that builds the same model. During backward a {@link GradientListener} hears of each parameter's
 * gradient as soon as its layer is done, in reverse order, before the earlier layers run.
 * <p>
 * {@link Builder} describes a model once; {@link Builder#build(BufferAllocator, long, int, int)} makes any range of
 * its layers with exactly the parameters those layers have in the whole model (each layer's seed and name come
 * from its index in the description), which is what pipeline stages need.
 */
public final class Sequential implements Layer
{
    private final Layer[] layers;
    private final List<Layer> layerList;
    private final List<Tensor> parameters;
    private final List<Tensor> gradients;
    /** Index in {@link #parameters} of each layer's first parameter. */
    private final int[] firstParameter;
    private GradientListener gradientListener;

    /** Takes ownership of the layers; each one's output features must be the next one's input features. */
    public Sequential(final List<? extends Layer> layers)
    {
        if (layers.isEmpty())
        {
            throw new IllegalArgumentException("a Sequential needs at least one layer");
        }
        this.layers = layers.toArray(new Layer[0]);
        this.layerList = Collections.unmodifiableList(List.of(this.layers));
        this.firstParameter = new int[this.layers.length];
        final List<Tensor> params = new ArrayList<>();
        final List<Tensor> grads = new ArrayList<>();
        for (int i = 0; i < this.layers.length; i++)
        {
            if (i > 0 && this.layers[i - 1].outputFeatures() != this.layers[i].inputFeatures())
            {
                throw new IllegalArgumentException("layer " + i + " (" + this.layers[i] + ") takes " +
                    this.layers[i].inputFeatures() + " features but layer " + (i - 1) + " (" + this.layers[i - 1] +
                    ") gives " + this.layers[i - 1].outputFeatures());
            }
            firstParameter[i] = params.size();
            params.addAll(this.layers[i].parameters());
            grads.addAll(this.layers[i].gradients());
        }
        this.parameters = List.copyOf(params);
        this.gradients = List.copyOf(grads);
    }

    /** Starts the description of a model whose input has {@code inputFeatures} columns. */
    public static Builder builder(final int inputFeatures)
    {
        return new Builder(inputFeatures);
    }

    /** Who hears of finished gradients during backward; null for nobody. */
    public Sequential gradientListener(final GradientListener listener)
    {
        this.gradientListener = listener;
        return this;
    }

    public List<Layer> layers()
    {
        return layerList;
    }

    @Override
    public int inputFeatures()
    {
        return layers[0].inputFeatures();
    }

    @Override
    public int outputFeatures()
    {
        return layers[layers.length - 1].outputFeatures();
    }

    @Override
    public List<Tensor> parameters()
    {
        return parameters;
    }

    @Override
    public List<Tensor> gradients()
    {
        return gradients;
    }

    /** Elements over all parameters. */
    public long parameterCount()
    {
        long count = 0;
        for (final Tensor p : parameters)
        {
            count += p.elementCount();
        }
        return count;
    }

    @Override
    public Activations newActivations(final BufferAllocator allocator, final int maxBatch)
    {
        Matrices.checkSize("maxBatch", maxBatch);
        final Activations[] children = new Activations[layers.length];
        try
        {
            for (int i = 0; i < layers.length; i++)
            {
                children[i] = layers[i].newActivations(allocator, maxBatch);
            }
        }
        catch (final RuntimeException ex)
        {
            for (final Activations child : children)
            {
                if (child != null)
                {
                    child.close();
                }
            }
            throw ex;
        }
        return new Chain(this, children, maxBatch);
    }

    @Override
    public Tensor forward(final Activations activations, final Tensor input, final int rows)
    {
        final Chain chain = Chain.of(this, activations, rows);
        chain.inputGradientReady = false;
        final Activations[] children = chain.children;
        Tensor x = input;
        for (int i = 0; i < layers.length; i++)
        {
            x = layers[i].forward(children[i], x, rows);
        }
        return x;
    }

    @Override
    public Tensor backward(
        final Activations activations, final Tensor outputGradient, final int rows, final boolean inputGradient)
    {
        final Chain chain = Chain.of(this, activations, rows);
        final Activations[] children = chain.children;
        Tensor dy = outputGradient;
        for (int i = layers.length - 1; i >= 0; i--)
        {
            final Layer layer = layers[i];
            layer.accumulateGradients(children[i], dy, rows);
            final GradientListener listener = gradientListener;
            if (listener != null)
            {
                final List<Tensor> layerGradients = layer.gradients();
                for (int j = layerGradients.size() - 1; j >= 0; j--)
                {
                    listener.gradientReady(firstParameter[i] + j, layerGradients.get(j));
                }
            }
            dy = i > 0 || inputGradient ? layer.inputGradient(children[i], dy, rows) : null;
        }
        chain.inputGradientReady = inputGradient;
        return dy;
    }

    /**
     * The whole backward, input gradient included: a chain's layers need each other's input gradients, so the two
     * halves of {@link Layer#backward} cannot be split here (this is what a Sequential nested in another runs).
     */
    @Override
    public void accumulateGradients(final Activations activations, final Tensor outputGradient, final int rows)
    {
        backward(activations, outputGradient, rows, true);
    }

    /** The input gradient computed by {@link #accumulateGradients} (or a backward that asked for it). */
    @Override
    public Tensor inputGradient(final Activations activations, final Tensor outputGradient, final int rows)
    {
        final Chain chain = Chain.of(this, activations, rows);
        if (!chain.inputGradientReady)
        {
            throw new IllegalStateException("no input gradient since the last forward of " + this + ": a " +
                "Sequential computes it in backward(activations, outputGradient, rows, true)");
        }
        return chain.inputGradient();
    }

    @Override
    public void zeroGradients()
    {
        for (final Layer layer : layers)
        {
            layer.zeroGradients();
        }
    }

    @Override
    public void close()
    {
        for (final Layer layer : layers)
        {
            layer.close();
        }
    }

    @Override
    public String toString()
    {
        return "Sequential of " + layers.length + " layers, " + inputFeatures() + "->" + outputFeatures();
    }

    /** The children's activations, one per layer. */
    private static final class Chain implements Activations
    {
        private final Sequential owner;
        private final Activations[] children;
        private final int maxBatch;
        private boolean inputGradientReady;

        Chain(final Sequential owner, final Activations[] children, final int maxBatch)
        {
            this.owner = owner;
            this.children = children;
            this.maxBatch = maxBatch;
        }

        static Chain of(final Sequential owner, final Activations activations, final int rows)
        {
            if (!(activations instanceof Chain chain) || chain.owner != owner)
            {
                throw new IllegalArgumentException("activations " + activations + " were not made by " + owner +
                    ": use its newActivations");
            }
            Matrices.checkRows(rows, chain.maxBatch);
            return chain;
        }

        @Override
        public int maxBatch()
        {
            return maxBatch;
        }

        @Override
        public Tensor output()
        {
            return children[children.length - 1].output();
        }

        @Override
        public Tensor inputGradient()
        {
            return children[0].inputGradient();
        }

        @Override
        public void close()
        {
            for (final Activations child : children)
            {
                child.close();
            }
        }

        @Override
        public String toString()
        {
            return "activations of " + owner + " for " + maxBatch + " rows";
        }
    }

    /**
     * A model described layer by layer, built whole or in ranges. Layer {@code i}'s parameters are named
     * {@code layer<i>.weight} and {@code layer<i>.bias} and seeded from {@code (seed, i)}, whatever range builds it.
     */
    public static final class Builder
    {
        private final List<int[]> shapes = new ArrayList<>();
        private final List<Boolean> linear = new ArrayList<>();
        private int features;

        private Builder(final int inputFeatures)
        {
            Matrices.checkSize("inputFeatures", inputFeatures);
            this.features = inputFeatures;
        }

        /** A dense layer to {@code out} features. */
        public Builder linear(final int out)
        {
            Matrices.checkSize("out", out);
            shapes.add(new int[]{ features, out });
            linear.add(true);
            features = out;
            return this;
        }

        public Builder relu()
        {
            shapes.add(new int[]{ features, features });
            linear.add(false);
            return this;
        }

        /** Layers described so far. */
        public int size()
        {
            return shapes.size();
        }

        public int inputFeatures(final int layer)
        {
            return shapes.get(checkLayer(layer))[0];
        }

        public int outputFeatures(final int layer)
        {
            return shapes.get(checkLayer(layer))[1];
        }

        /** Parameter elements of layer {@code layer}: what a partitioner balancing by parameters weighs. */
        public long parameterCount(final int layer)
        {
            final int[] shape = shapes.get(checkLayer(layer));
            return linear.get(layer) ? (long)shape[0] * shape[1] + shape[1] : 0;
        }

        /** The whole model. */
        public Sequential build(final BufferAllocator allocator, final long seed)
        {
            return build(allocator, seed, 0, size());
        }

        /**
         * The whole model with node-shared parameters and gradients (from {@code shared}; scratch from
         * {@code allocator}): what data parallelism on one node updates in shards, in place.
         */
        public Sequential build(final BufferAllocator allocator, final NodeSharedAllocator shared, final long seed)
        {
            return build(allocator, shared, seed, 0, size());
        }

        /** Layers {@code from} (inclusive) to {@code to} (exclusive), as they are in the whole model. */
        public Sequential build(final BufferAllocator allocator, final long seed, final int from, final int to)
        {
            return build(allocator, null, seed, from, to);
        }

        private Sequential build(final BufferAllocator allocator, final NodeSharedAllocator shared, final long seed,
            final int from, final int to)
        {
            if (from < 0 || to > size() || from >= to)
            {
                throw new IllegalArgumentException("layer range [" + from + ", " + to + ") is not a non-empty range " +
                    "of the " + size() + " layers");
            }
            final List<Layer> made = new ArrayList<>();
            try
            {
                for (int i = from; i < to; i++)
                {
                    final int[] shape = shapes.get(i);
                    made.add(linear.get(i) ?
                        new Linear(allocator, shared, "layer" + i, shape[0], shape[1], Init.bits(seed, i)) :
                        new Relu(shape[0]));
                }
                return new Sequential(made);
            }
            catch (final RuntimeException ex)
            {
                made.forEach(Layer::close);
                throw ex;
            }
        }

        private int checkLayer(final int layer)
        {
            if (layer < 0 || layer >= shapes.size())
            {
                throw new IllegalArgumentException("layer " + layer + " is not one of the " + shapes.size());
            }
            return layer;
        }
    }
}
