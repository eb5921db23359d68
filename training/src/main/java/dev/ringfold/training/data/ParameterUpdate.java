package dev.ringfold.training.data;

import dev.ringfold.tensors.Tensor;

import java.util.List;

/**
 * The optimizer step: changes {@code parameters} in place using the averaged {@code gradients}, entry i of one with
 * entry i of the other. All-reduce mode calls it on every worker with the model's own tensors; a parameter server
 * calls it on its shard, with 1-D pieces of the parameters (a parameter cut by a shard boundary comes in two
 * pieces, on two servers). Element-wise optimizers (SGD, momentum, Adam) behave the same on both; one that keeps
 * state per entry must key it by the entry's position in these lists, which stay the same on every call.
 */
@FunctionalInterface
public interface ParameterUpdate
{
    void apply(List<Tensor> parameters, List<Tensor> gradients);
}
