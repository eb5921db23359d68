package dev.ringfold.examples.fashion;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A replacement's training steps on a throwaway copy of the model, on a thread of their own, while its runtime joins
 * and the survivors copy it their state. In a new JVM the first steps run the kernels interpreted and then in C1
 * (the Vector API's loops are fast only once C2 has compiled them), so the first real step would take the better
 * part of a second, and every survivor would wait for it in the step's all-reduce; a second replacement's join,
 * answered at the survivors' next call into the runtime and taken in at their next step boundary, would wait for
 * it too. Here those steps are taken while the replacement waits anyway ({@code --warm-up-steps}, by default enough
 * for C2 to compile the step's kernels on a quiet machine). The copy has its own allocator and shares nothing with
 * the real model but code (the kernels keep their scratch per thread). {@link #stop()} before the first real step
 * ends it after the pass under way, which is not waited for: a cold pass takes as long as a cold step.
 */
final class ComputeWarmUp implements AutoCloseable
{
    private final Thread thread;
    private volatile boolean stop;
    private volatile int passes;
    private volatile Throwable failure;

    private ComputeWarmUp(final TrainingOptions options, final int rows)
    {
        thread = Thread.ofPlatform().daemon().name("ringfold-warm-up").unstarted(() -> run(options, rows));
    }

    /** Starts the passes over a model of {@code rows} rows a step (the replica's local batch at full width). */
    static ComputeWarmUp start(final TrainingOptions options, final int rows)
    {
        final ComputeWarmUp warmUp = new ComputeWarmUp(options, rows);
        warmUp.thread.start();
        return warmUp;
    }

    private void run(final TrainingOptions options, final int rows)
    {
        try (BufferAllocator allocator = new RootAllocator();
             Sequential model = FashionMnistTraining.MLP.build(allocator, options.seed);
             Activations activations = model.newActivations(allocator, rows);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, FashionMnist.CLASSES, rows);
             ScheduledOptimizer optimizer = new ScheduledOptimizer(allocator, options, Integer.MAX_VALUE); // epoch 1's rate
             Tensor x = Tensors.zeros(allocator, DType.F32, rows, FashionMnist.PIXELS);
             Tensor y = Tensors.zeros(allocator, DType.I32, rows))
        {
            optimizer.init(model.parameters(), model.gradients());
            while (!stop && passes < options.warmUpSteps)
            {
                model.zeroGradients();
                loss.forward(model.forward(activations, x, rows), y, rows);
                model.backward(activations, loss.backward(), rows, false);
                optimizer.apply(model.parameters(), model.gradients());
                passes++;
            }
        }
        catch (final Throwable ex)
        {
            failure = ex; // the trainer's own first step reports anything real; this only loses the warm-up
        }
    }

    /** Passes completed so far. */
    int passes()
    {
        return passes;
    }

    /** What ended the passes early, or null. */
    Throwable failure()
    {
        return failure;
    }

    /** Ends the passes after the one under way, without waiting for it. */
    void stop()
    {
        stop = true;
    }

    /** Ends the passes after the one under way and waits for it, its tensors freed. */
    @Override
    public void close()
    {
        stop = true;
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
