package dev.ringfold.examples.fashion;

import dev.ringfold.training.data.OptimizerUpdate;
import dev.ringfold.training.data.ParameterUpdate;
import dev.ringfold.training.data.ReplicaState;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.nn.Optimizer;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The trainer's optimizer as the {@link ParameterUpdate} that {@code DataParallel.step()} applies: SGD with momentum
 * 0.9 or Adam, its learning rate following the epoch schedule of {@link TrainingOptions#learningRate(int)} by the
 * number of updates applied. Counting updates instead of being told the epoch is what lets a parameter server, which
 * sees only pushes, run the same schedule; in all-reduce mode it runs on every worker over the model's own tensors,
 * on a server over that server's 1-D pieces of them (the optimizers are element-wise, so both compute the same).
 */
final class ScheduledOptimizer implements ParameterUpdate, ReplicaState, AutoCloseable
{
    private final TrainingOptions options;
    private final int stepsPerEpoch;
    private final OptimizerUpdate update;
    private long steps;

    ScheduledOptimizer(final BufferAllocator allocator, final TrainingOptions options, final int stepsPerEpoch)
    {
        this.options = options;
        this.stepsPerEpoch = stepsPerEpoch;
        this.update = new OptimizerUpdate((p, g) -> FashionMnistTraining.optimizer(options, allocator, p, g));
    }

    /** Makes the optimizer over these lists now (before a checkpoint is loaded into its state); idempotent. */
    ScheduledOptimizer init(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        update.init(parameters, gradients);
        return this;
    }

    @Override
    public void apply(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        update.init(parameters, gradients).learningRate(options.learningRate((int)(steps / stepsPerEpoch) + 1));
        update.apply(parameters, gradients);
        steps++;
    }

    /** Updates applied, the run's global step. */
    long steps()
    {
        return steps;
    }

    /** A resumed run continues the schedule where the checkpoint left it. */
    void steps(final long steps)
    {
        this.steps = steps;
    }

    /** The optimizer's live state tensors, for {@code TrainingCheckpoint} ({@link #init} first). */
    Map<String, Tensor> state()
    {
        final Optimizer optimizer = update.optimizer();
        if (optimizer == null)
        {
            throw new IllegalStateException("ScheduledOptimizer: state() before init()");
        }
        return optimizer.state();
    }

    /** Elastic training: the optimizer's state tensors, in its own order (the same on every replica). */
    @Override
    public List<Tensor> tensors()
    {
        return new ArrayList<>(state().values());
    }

    /** Elastic training: this replica caught up with one ahead; the schedule goes on from there. */
    @Override
    public void stepsApplied(final long steps)
    {
        this.steps = steps;
    }

    @Override
    public void close()
    {
        update.close();
    }
}
