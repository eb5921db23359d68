package dev.ringfold.examples.fashion;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.nn.Optimizer;

import java.util.List;

/**
 * Gradient averaging by one non-blocking all-reduce (AVG) per gradient tensor, started as backward announces the
 * gradient, then the optimizer step once all have finished: every rank ends the step with the same parameters.
 * <p>
 * INTERIM until the data-parallel library (branch dp) is merged: replace this class by
 * {@code DataParallel.create(world, allocator, parameters, gradients, options)}, which has these methods, fuses
 * gradients into buckets and runs the optimizer as its {@code ParameterUpdate}.
 */
final class InterimAllReduce implements AutoCloseable
{
    private final Collectives collectives;
    private final List<Tensor> gradients;
    private final CollectiveRequest[] pending;
    private final Optimizer optimizer;
    private final int ranks;

    InterimAllReduce(final Communicator world, final List<Tensor> gradients, final Optimizer optimizer)
    {
        this.collectives = Collectives.of(world);
        this.gradients = gradients;
        this.pending = new CollectiveRequest[gradients.size()];
        this.optimizer = optimizer;
        this.ranks = world.size();
    }

    int workers()
    {
        return ranks;
    }

    int workerIndex()
    {
        return collectives.communicator().rank();
    }

    void gradientReady(final int index)
    {
        if (ranks > 1)
        {
            pending[index] = collectives.iallReduce(gradients.get(index), ReduceOp.AVG);
        }
    }

    void step()
    {
        for (int i = 0; i < pending.length; i++)
        {
            if (pending[i] != null)
            {
                pending[i].await();
                pending[i] = null;
            }
        }
        optimizer.step();
    }

    @Override
    public void close()
    {
        for (final CollectiveRequest request : pending)
        {
            if (request != null)
            {
                request.await();
            }
        }
    }
}
