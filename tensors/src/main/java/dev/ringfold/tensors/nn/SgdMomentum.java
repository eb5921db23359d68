package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.Nn;
import org.apache.arrow.memory.BufferAllocator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, as PyTorch's {@code SGD(momentum=mu)}: {@code v = mu * v + g},
 * {@code p -= lr * v}, v starting at zero (so the first step is {@code p -= lr * g}). The velocities are the state,
 * named {@code <parameter>.momentum}.
 */
public final class SgdMomentum implements Optimizer
{
    private final Tensor[] parameters;
    private final Tensor[] gradients;
    private final Tensor[] velocities;
    private final float momentum;
    private final Map<String, Tensor> state;
    private float learningRate;

    public SgdMomentum(final BufferAllocator allocator, final List<Tensor> parameters, final List<Tensor> gradients,
        final float learningRate, final float momentum)
    {
        this.parameters = ParameterPairs.check(parameters, gradients);
        this.gradients = gradients.toArray(new Tensor[0]);
        if (!(momentum >= 0.0f && momentum < 1.0f))
        {
            throw new IllegalArgumentException("momentum must be in [0, 1): " + momentum);
        }
        learningRate(learningRate);
        this.momentum = momentum;
        this.velocities = new Tensor[this.parameters.length];
        final Map<String, Tensor> named = new LinkedHashMap<>();
        try
        {
            for (int i = 0; i < velocities.length; i++)
            {
                final String name = ParameterPairs.name(this.parameters[i], i) + ".momentum";
                velocities[i] = Tensors.zeros(allocator, DType.F32, this.parameters[i].shape()).name(name);
                named.put(name, velocities[i]);
            }
        }
        catch (final RuntimeException ex)
        {
            ParameterPairs.closeAll(velocities);
            throw ex;
        }
        this.state = Collections.unmodifiableMap(named);
    }

    @Override
    public void step()
    {
        for (int i = 0; i < parameters.length; i++)
        {
            final long count = parameters[i].elementCount();
            final long v = velocities[i].address();
            Nn.scale(count, momentum, v);
            Nn.axpy(count, 1.0f, gradients[i].address(), v);
            Nn.axpy(count, -learningRate, v, parameters[i].address());
        }
    }

    @Override
    public float learningRate()
    {
        return learningRate;
    }

    @Override
    public void learningRate(final float learningRate)
    {
        this.learningRate = ParameterPairs.checkLearningRate(learningRate);
    }

    @Override
    public Map<String, Tensor> state()
    {
        return state;
    }

    @Override
    public void close()
    {
        ParameterPairs.closeAll(velocities);
    }
}
