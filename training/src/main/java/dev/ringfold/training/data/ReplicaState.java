package dev.ringfold.training.data;

import dev.ringfold.tensors.Tensor;

import java.util.List;

/**
 * What a replica holds besides its parameters that every replica must hold alike (the optimizer's state, the count
 * of updates a schedule follows), for {@link ElasticAllReduce}: when a replica dies just as a step ends, some
 * survivors may have applied that step and others not; the ones behind then copy the parameters and these tensors
 * from one that is ahead, and are told the step count they have reached.
 */
public interface ReplicaState
{
    /** The state tensors, in the same order, with the same shapes, on every replica. */
    List<Tensor> tensors();

    /** After a copy from a replica that is ahead: this replica's update has now applied {@code steps} steps. */
    void stepsApplied(long steps);
}
