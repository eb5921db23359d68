package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.Tensor;
import org.apache.arrow.memory.BufferAllocator;

import java.util.List;

/**
 * A differentiable step of a model on F32 matrices of {@code [rows, features]}, rows being the samples of a
 * (micro-)batch. What a layer keeps between its forward and its backward lives in an {@link Activations} the caller
 * owns, one per micro-batch in flight, made once for a largest batch and reused: a layer holds only its parameters
 * and gradients, so a pipeline stage can have several micro-batches between forward and backward at once.
 * <p>
 * Tensors passed in and handed back have {@code maxBatch} rows (or more); only the first {@code rows} are used.
 * The input given to {@link #forward} must stay unchanged until the backward of the same activations (a layer
 * may keep a reference to it rather than copy it, as autograd frameworks keep saved tensors).
 * <p>
 * Gradients accumulate: {@link #accumulateGradients} adds to them, so micro-batches and steps without
 * synchronisation sum until {@link #zeroGradients()}. Not thread-safe: one thread drives a layer.
 */
public interface Layer extends AutoCloseable
{
    int inputFeatures();

    int outputFeatures();

    /** The trainable tensors, in a fixed order (weight before bias, layer by layer); empty when there are none. */
    List<Tensor> parameters();

    /** One gradient per parameter, same order and shapes. */
    List<Tensor> gradients();

    /** The buffers one micro-batch of at most {@code maxBatch} rows needs from forward to backward. */
    Activations newActivations(BufferAllocator allocator, int maxBatch);

    /** Computes the output of the first {@code rows} rows of {@code input} into {@code activations.output()}. */
    Tensor forward(Activations activations, Tensor input, int rows);

    /** Adds this micro-batch's parameter gradients (from the gradient of the output) to {@link #gradients()}. */
    void accumulateGradients(Activations activations, Tensor outputGradient, int rows);

    /** The gradient of the input, into {@code activations.inputGradient()}. */
    Tensor inputGradient(Activations activations, Tensor outputGradient, int rows);

    /** Parameter gradients, then (when asked) the input gradient, which it returns; null when not asked. */
    default Tensor backward(
        final Activations activations, final Tensor outputGradient, final int rows, final boolean inputGradient)
    {
        accumulateGradients(activations, outputGradient, rows);
        return inputGradient ? inputGradient(activations, outputGradient, rows) : null;
    }

    /** Sets every gradient to zero. */
    void zeroGradients();

    /** Frees parameters and gradients; activations are closed by whoever made them. */
    @Override
    void close();
}
