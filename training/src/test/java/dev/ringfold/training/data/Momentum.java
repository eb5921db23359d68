package dev.ringfold.training.data;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * SGD with momentum as a {@link ParameterUpdate}: {@code v = mu v + g; p -= lr v}, element-wise, its velocity kept per
 * list position (made on the first call, or by {@link #init} before a checkpoint is loaded into it).
 */
final class Momentum implements ParameterUpdate, AutoCloseable
{
    private final BufferAllocator allocator;
    private final float mu;
    private final List<Tensor> velocity = new ArrayList<>();
    float learningRate;

    Momentum(final BufferAllocator allocator, final float learningRate, final float mu)
    {
        this.allocator = allocator;
        this.learningRate = learningRate;
        this.mu = mu;
    }

    Momentum init(final List<Tensor> parameters)
    {
        if (velocity.isEmpty())
        {
            for (final Tensor p : parameters)
            {
                velocity.add(Tensors.zeros(allocator, DType.F32, p.shape()));
            }
        }
        return this;
    }

    @Override
    public void apply(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        init(parameters);
        for (int i = 0; i < parameters.size(); i++)
        {
            final MemorySegment p = parameters.get(i).segment();
            final MemorySegment g = gradients.get(i).segment();
            final MemorySegment v = velocity.get(i).segment();
            final long n = parameters.get(i).elementCount();
            for (long e = 0; e < n; e++)
            {
                final float ve = mu * v.getAtIndex(JAVA_FLOAT_UNALIGNED, e) + g.getAtIndex(JAVA_FLOAT_UNALIGNED, e);
                v.setAtIndex(JAVA_FLOAT_UNALIGNED, e, ve);
                p.setAtIndex(JAVA_FLOAT_UNALIGNED, e, p.getAtIndex(JAVA_FLOAT_UNALIGNED, e) - learningRate * ve);
            }
        }
    }

    /** The state a checkpoint keeps: {@code velocity.<i>}. */
    Map<String, Tensor> state()
    {
        final Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < velocity.size(); i++)
        {
            m.put("velocity." + i, velocity.get(i));
        }
        return m;
    }

    @Override
    public void close()
    {
        velocity.forEach(Tensor::close);
    }
}
