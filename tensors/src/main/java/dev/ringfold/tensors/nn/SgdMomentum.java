package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.kernels.Nn;
import org.apache.arrow.memory.BufferAllocator;

import java.util.List;

/**
 * Stochastic gradient descent with momentum, as PyTorch's {@code SGD(momentum=mu)}: {@code v = mu * v + g},
 * {@code p -= lr * v}, v starting at zero (so the first step is {@code p -= lr * g}). The velocities are the state,
 * named {@code <parameter>.momentum}.
 */
public final class SgdMomentum extends ParameterOptimizer
{
    private final Tensor[] velocities;
    private final float momentum;

    public SgdMomentum(final BufferAllocator allocator, final List<Tensor> parameters, final List<Tensor> gradients,
        final float learningRate, final float momentum)
    {
        if (!(momentum >= 0.0f && momentum < 1.0f))
        {
            throw new IllegalArgumentException("momentum must be in [0, 1): " + momentum);
        }
        this.momentum = momentum;
        super(allocator, parameters, gradients, learningRate);
        this.velocities = new Tensor[parameters.size()];
        try
        {
            for (int i = 0; i < velocities.length; i++)
            {
                velocities[i] = zerosLike(i, ".momentum");
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    @Override
    public void step()
    {
        final float learningRate = learningRate();
        for (int i = 0; i < parameters.length; i++)
        {
            Nn.sgdMomentum(parameters[i].elementCount(), parameters[i].address(), gradients[i].address(),
                velocities[i].address(), momentum, learningRate);
        }
    }
}
