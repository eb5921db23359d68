package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.TensorDTypeException;
import dev.ringfold.tensors.TensorNotContiguousException;
import dev.ringfold.tensors.TensorShapeException;

import java.util.Arrays;
import java.util.List;

/** What optimizers check of the parameters and gradients they are given, and how they name their state. */
final class ParameterPairs
{
    private ParameterPairs()
    {
    }

    static Tensor[] check(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        if (parameters.size() != gradients.size())
        {
            throw new IllegalArgumentException(parameters.size() + " parameters but " + gradients.size() +
                " gradients: they go in pairs");
        }
        for (int i = 0; i < parameters.size(); i++)
        {
            final Tensor p = parameters.get(i);
            final Tensor g = gradients.get(i);
            for (final Tensor t : new Tensor[]{ p, g })
            {
                if (t.dtype() != DType.F32)
                {
                    throw new TensorDTypeException("parameter " + i + ": expected F32, got " + t.describe());
                }
                if (!t.isContiguous())
                {
                    throw new TensorNotContiguousException("parameter " + i + ": " + t.describe() +
                        " is not contiguous");
                }
            }
            if (!Arrays.equals(p.shape(), g.shape()))
            {
                throw new TensorShapeException("parameter " + i + ": " + p.describe() + " has gradient " +
                    g.describe() + " of another shape");
            }
        }
        return parameters.toArray(new Tensor[0]);
    }

    static float checkLearningRate(final float learningRate)
    {
        if (!(learningRate > 0.0f) || Float.isInfinite(learningRate))
        {
            throw new IllegalArgumentException("learning rate must be positive and finite: " + learningRate);
        }
        return learningRate;
    }

    static String name(final Tensor parameter, final int index)
    {
        return parameter.name() != null ? parameter.name() : "param" + index;
    }

    static void closeAll(final Tensor[] tensors)
    {
        for (final Tensor t : tensors)
        {
            if (t != null)
            {
                t.close();
            }
        }
    }
}
