package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.TensorDTypeException;
import dev.ringfold.tensors.TensorNotContiguousException;
import dev.ringfold.tensors.TensorShapeException;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every optimizer keeps: the checked parameter and gradient pairs, the learning rate, and its state tensors by
 * name in the order they were made, which {@link #close()} closes (as a subclass must when its construction fails
 * part way).
 */
abstract class ParameterOptimizer implements Optimizer
{
    final Tensor[] parameters;
    /** Rebound by {@link #gradients(List)}; the subclasses read it at each step. */
    final Tensor[] gradients;
    private final BufferAllocator allocator;
    private final Map<String, Tensor> named = new LinkedHashMap<>();
    private final Map<String, Tensor> view = Collections.unmodifiableMap(named);
    private float learningRate;

    ParameterOptimizer(final BufferAllocator allocator, final List<Tensor> parameters, final List<Tensor> gradients,
        final float learningRate)
    {
        if (parameters.size() != gradients.size())
        {
            throw new IllegalArgumentException(parameters.size() + " parameters but " + gradients.size() +
                " gradients: they go in pairs");
        }
        for (int i = 0; i < parameters.size(); i++)
        {
            checkPair(i, parameters.get(i), gradients.get(i));
        }
        this.allocator = allocator;
        this.parameters = parameters.toArray(new Tensor[0]);
        this.gradients = gradients.toArray(new Tensor[0]);
        learningRate(learningRate);
    }

    @Override
    public final void gradients(final List<Tensor> gradients)
    {
        if (gradients.size() != parameters.length)
        {
            throw new IllegalArgumentException(gradients.size() + " gradients for " + parameters.length +
                " parameters: they go in pairs");
        }
        for (int i = 0; i < parameters.length; i++)
        {
            checkPair(i, parameters[i], gradients.get(i));
        }
        for (int i = 0; i < parameters.length; i++)
        {
            this.gradients[i] = gradients.get(i);
        }
    }

    /** A state tensor of zeros shaped like parameter {@code index}, named {@code <parameter name><suffix>}. */
    Tensor zerosLike(final int index, final String suffix)
    {
        final Tensor p = parameters[index];
        return add(Tensors.zeros(allocator, DType.F32, p.shape()).name((p.name() != null ? p.name() : "param" + index) +
            suffix));
    }

    /** A state tensor of its own. */
    Tensor add(final Tensor tensor)
    {
        named.put(tensor.name(), tensor);
        return tensor;
    }

    @Override
    public final float learningRate()
    {
        return learningRate;
    }

    @Override
    public final void learningRate(final float learningRate)
    {
        if (!(learningRate > 0.0f) || Float.isInfinite(learningRate))
        {
            throw new IllegalArgumentException("learning rate must be positive and finite: " + learningRate);
        }
        this.learningRate = learningRate;
    }

    @Override
    public final Map<String, Tensor> state()
    {
        return view;
    }

    @Override
    public final void close()
    {
        named.values().forEach(Tensor::close);
    }

    private static void checkPair(final int index, final Tensor p, final Tensor g)
    {
        for (final Tensor t : new Tensor[]{ p, g })
        {
            if (t.dtype() != DType.F32)
            {
                throw new TensorDTypeException("parameter " + index + ": expected F32, got " + t.describe());
            }
            if (!t.isContiguous())
            {
                throw new TensorNotContiguousException("parameter " + index + ": " + t.describe() +
                    " is not contiguous");
            }
        }
        if (!Arrays.equals(p.shape(), g.shape()))
        {
            throw new TensorShapeException("parameter " + index + ": " + p.describe() + " has gradient " +
                g.describe() + " of another shape");
        }
    }
}
