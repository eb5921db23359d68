package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.kernels.Nn;
import org.apache.arrow.memory.BufferAllocator;

import java.util.List;

/** {@code y = max(x, 0)} element-wise; backward passes the gradient where the output is positive. */
public final class Relu implements Layer
{
    private final int features;

    public Relu(final int features)
    {
        Matrices.checkSize("features", features);
        this.features = features;
    }

    @Override
    public int inputFeatures()
    {
        return features;
    }

    @Override
    public int outputFeatures()
    {
        return features;
    }

    @Override
    public List<Tensor> parameters()
    {
        return List.of();
    }

    @Override
    public List<Tensor> gradients()
    {
        return List.of();
    }

    @Override
    public Activations newActivations(final BufferAllocator allocator, final int maxBatch)
    {
        return new DenseActivations(this, allocator, maxBatch);
    }

    @Override
    public Tensor forward(final Activations activations, final Tensor input, final int rows)
    {
        final DenseActivations a = DenseActivations.of(this, activations, rows);
        final long x = Matrices.check("relu input", input, features, rows);
        final Tensor output = a.output();
        Nn.relu(output.address(), x, (long)rows * features);
        // backward tests the sign of its own output, so the input may change after forward
        a.saveForward(output, rows);
        return output;
    }

    @Override
    public void accumulateGradients(final Activations activations, final Tensor outputGradient, final int rows)
    {
        DenseActivations.of(this, activations, rows).savedInput(rows);
    }

    @Override
    public Tensor inputGradient(final Activations activations, final Tensor outputGradient, final int rows)
    {
        final DenseActivations a = DenseActivations.of(this, activations, rows);
        final long dy = Matrices.check("relu output gradient", outputGradient, features, rows);
        final long y = a.savedInput(rows).address();
        final Tensor inputGradient = a.inputGradient();
        Nn.reluBackward(inputGradient.address(), dy, y, (long)rows * features);
        return inputGradient;
    }

    @Override
    public void zeroGradients()
    {
    }

    @Override
    public void close()
    {
    }

    @Override
    public String toString()
    {
        return "Relu " + features;
    }
}
