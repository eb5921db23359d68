package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients, in place, deterministically (the same bits on every rank given the same
 * gradients). Its state is tensors, named after the parameters, so a checkpoint can save and restore it
 * ({@link #state()} gives the live tensors: copy into them to restore).
 */
public interface Optimizer extends AutoCloseable
{
    /** One update from the current gradients (which it leaves as they are). */
    void step();

    /**
     * Reads the gradients from these tensors from now on, one per parameter as before (same shapes, F32,
     * contiguous); the state is kept. For gradients that move: data parallelism whose averages live in buckets that
     * are remade when the replicas change.
     */
    void gradients(List<Tensor> gradients);

    float learningRate();

    void learningRate(float learningRate);

    /** The state tensors by name, in a fixed order; live, not copies. */
    Map<String, Tensor> state();

    /** Frees the state. */
    @Override
    void close();
}
