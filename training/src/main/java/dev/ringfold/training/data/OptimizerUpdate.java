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
 * {@link #init}, to restore a checkpoint into its state before training) and used for every later step. The caller
 * gives the same parameters every time; gradients given as other tensors than the last ones (an
 * {@link ElasticAllReduce} that updates in its buckets remakes them over the survivors) are what the optimizer
 * reads from then on ({@link Optimizer#gradients}), its state kept.
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
    /** The gradient list the optimizer reads, compared by identity at each step (a rebinding is rare). */
    private List<Tensor> boundGradients;

    public OptimizerUpdate(final Factory factory)
    {
        if (factory == null)
        {
            throw new NullPointerException("OptimizerUpdate: factory");
        }
        this.factory = factory;
    }

    /**
     * The optimizer over these lists, made now if it is not yet; made, it reads the gradients from {@code gradients}
     * when they are other tensors than before (the parameters are not looked at again).
     */
    public Optimizer init(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        if (optimizer == null)
        {
            optimizer = factory.create(parameters, gradients);
            if (optimizer == null)
            {
                throw new IllegalStateException("OptimizerUpdate: the factory made no optimizer");
            }
            boundGradients = gradients;
        }
        else if (gradients != boundGradients && !sameTensors(gradients, boundGradients))
        {
            optimizer.gradients(gradients);
            boundGradients = gradients;
        }
        return optimizer;
    }

    private static boolean sameTensors(final List<Tensor> a, final List<Tensor> b)
    {
        if (a.size() != b.size())
        {
            return false;
        }
        for (int i = 0; i < a.size(); i++)
        {
            if (a.get(i) != b.get(i))
            {
                return false;
            }
        }
        return true;
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
            boundGradients = null;
        }
    }
}
