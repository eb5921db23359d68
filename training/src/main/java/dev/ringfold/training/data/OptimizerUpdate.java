package dev.ringfold.training.data;

import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.nn.Optimizer;

import java.util.List;

/**
 * One of the nn package's optimizers ({@code SgdMomentum}, {@code Adam}) as the {@link ParameterUpdate} that
 * {@link DataParallel#step()} applies:
 * {@code options.update(new OptimizerUpdate((p, g) -> new SgdMomentum(allocator, p, g, 0.05f, 0.9f)))}.
 * <p>
 * An optimizer is made for fixed parameter and gradient lists, while a {@code ParameterUpdate} is handed its lists
 * by the caller: the model's own tensors in all-reduce mode, a server's 1-D pieces of them in parameter-server
 * mode. So the optimizer is made from the factory over the first lists it is given (or over those of
 * {@link #init}, to restore a checkpoint into its state before training) and used for every later step; the
 * caller gives the same lists every time.
 */
public final class OptimizerUpdate implements ParameterUpdate, AutoCloseable
{
    /** Makes the optimizer over the lists the update is applied to. */
    @FunctionalInterface
    public interface Factory
    {
        Optimizer create(List<Tensor> parameters, List<Tensor> gradients);
    }

    private final Factory factory;
    private Optimizer optimizer;

    public OptimizerUpdate(final Factory factory)
    {
        if (factory == null)
        {
            throw new NullPointerException("OptimizerUpdate: factory");
        }
        this.factory = factory;
    }

    /** The optimizer over these lists, made now if it is not yet (idempotent: later lists are not looked at). */
    public Optimizer init(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        if (optimizer == null)
        {
            optimizer = factory.create(parameters, gradients);
            if (optimizer == null)
            {
                throw new IllegalStateException("OptimizerUpdate: the factory made no optimizer");
            }
        }
        return optimizer;
    }

    /** The optimizer, or null before the first {@link #apply} or {@link #init}. */
    public Optimizer optimizer()
    {
        return optimizer;
    }

    @Override
    public void apply(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        init(parameters, gradients).step();
    }

    /** Frees the optimizer's state. */
    @Override
    public void close()
    {
        if (optimizer != null)
        {
            optimizer.close();
            optimizer = null;
        }
    }
}
