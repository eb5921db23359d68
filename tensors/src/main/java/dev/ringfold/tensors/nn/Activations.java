package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.Tensor;

/**
 * One micro-batch's buffers between a layer's forward and its backward: the output, the gradient of the input,
 * and whatever the layer saved. Made by {@link Layer#newActivations} for a largest batch, owned and closed by the
 * caller, reused from step to step.
 */
public interface Activations extends AutoCloseable
{
    /** The most rows this can hold. */
    int maxBatch();

    /** [maxBatch, outputFeatures]: where forward writes. */
    Tensor output();

    /** [maxBatch, inputFeatures]: where the input gradient goes. */
    Tensor inputGradient();

    @Override
    void close();
}
