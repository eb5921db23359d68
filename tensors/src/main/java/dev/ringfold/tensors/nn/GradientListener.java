package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.Tensor;

/**
 * Told during backward that a parameter's gradient is complete for this micro-batch, in reverse parameter order,
 * as each layer finishes, while earlier layers are still to come: where data-parallel buckets start their
 * all-reduce so that communication overlaps the rest of the backward pass.
 */
@FunctionalInterface
public interface GradientListener
{
    /** {@code parameterIndex} is the position in the model's {@link Layer#parameters()} list. */
    void gradientReady(int parameterIndex, Tensor gradient);
}
