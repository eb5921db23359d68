package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.Nn;
import org.apache.arrow.memory.BufferAllocator;

import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Adam (Kingma and Ba), computed as PyTorch's {@code Adam} ({@link Nn#adam}), element by element in float with the
 * bias corrections in double ({@code StrictMath.pow}), so the bits do not depend on the JIT or the machine. State:
 * {@code <parameter>.adam_m}, {@code <parameter>.adam_v} and the step count {@code adam.step} (I64[1]).
 */
public final class Adam extends ParameterOptimizer
{
    private final Tensor[] firstMoments;
    private final Tensor[] secondMoments;
    private final Tensor step;
    private final float beta1;
    private final float beta2;
    private final float epsilon;

    /** The usual betas (0.9, 0.999) and epsilon 1e-8. */
    public Adam(final BufferAllocator allocator, final List<Tensor> parameters, final List<Tensor> gradients,
        final float learningRate)
    {
        this(allocator, parameters, gradients, learningRate, 0.9f, 0.999f, 1e-8f);
    }

    public Adam(final BufferAllocator allocator, final List<Tensor> parameters, final List<Tensor> gradients,
        final float learningRate, final float beta1, final float beta2, final float epsilon)
    {
        checkBeta("beta1", beta1);
        checkBeta("beta2", beta2);
        if (!(epsilon > 0.0f))
        {
            throw new IllegalArgumentException("epsilon must be positive: " + epsilon);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        super(allocator, parameters, gradients, learningRate);
        this.firstMoments = new Tensor[parameters.size()];
        this.secondMoments = new Tensor[parameters.size()];
        try
        {
            for (int i = 0; i < firstMoments.length; i++)
            {
                firstMoments[i] = zerosLike(i, ".adam_m");
                secondMoments[i] = zerosLike(i, ".adam_v");
            }
            this.step = add(Tensors.zeros(allocator, DType.I64, 1).name("adam.step"));
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
        // read from the tensor each time: restoring a checkpoint writes there
        final long t = step.segment().get(JAVA_LONG_UNALIGNED, 0) + 1;
        step.segment().set(JAVA_LONG_UNALIGNED, 0, t);
        final float stepSize = (float)(learningRate() / (1.0 - StrictMath.pow(beta1, t)));
        final float correction2 = (float)StrictMath.sqrt(1.0 - StrictMath.pow(beta2, t));
        for (int i = 0; i < parameters.length; i++)
        {
            Nn.adam(parameters[i].elementCount(), parameters[i].address(), gradients[i].address(),
                firstMoments[i].address(), secondMoments[i].address(), beta1, beta2, stepSize, correction2, epsilon);
        }
    }

    /** Steps taken (restored with the state). */
    public long steps()
    {
        return step.segment().get(JAVA_LONG_UNALIGNED, 0);
    }

    private static void checkBeta(final String what, final float beta)
    {
        if (!(beta >= 0.0f && beta < 1.0f))
        {
            throw new IllegalArgumentException(what + " must be in [0, 1): " + beta);
        }
    }
}
