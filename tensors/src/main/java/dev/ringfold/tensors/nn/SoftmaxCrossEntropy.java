package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.Nn;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Softmax cross-entropy against integer class labels, the mean over the batch ({@link Nn#softmaxCrossEntropy}:
 * in double with {@code StrictMath}, the same bits on every rank). Holds the probabilities of the last forward and
 * the logits' gradient for batches of at most {@code maxBatch} rows; a forward and its backward go together (the
 * last pipeline stage runs them back to back), so one of these serves every micro-batch.
 */
public final class SoftmaxCrossEntropy implements AutoCloseable
{
    private final int classes;
    private final int maxBatch;
    private final Tensor probabilities;
    private final Tensor logitsGradient;
    private Tensor labels;
    private int rows;

    public SoftmaxCrossEntropy(final BufferAllocator allocator, final int classes, final int maxBatch)
    {
        Matrices.checkSize("classes", classes);
        Matrices.checkSize("maxBatch", maxBatch);
        this.classes = classes;
        this.maxBatch = maxBatch;
        this.probabilities = Tensors.zeros(allocator, DType.F32, maxBatch, classes).name("probabilities");
        try
        {
            this.logitsGradient = Tensors.zeros(allocator, DType.F32, maxBatch, classes).name("logits.grad");
        }
        catch (final RuntimeException ex)
        {
            probabilities.close();
            throw ex;
        }
    }

    /** The mean loss of the first {@code rows} rows; keeps their probabilities and labels for backward. */
    public double forward(final Tensor logits, final Tensor labels, final int rows)
    {
        Matrices.checkRows(rows, maxBatch);
        final long z = Matrices.check("logits", logits, classes, rows);
        final long y = Matrices.checkLabels(labels, rows);
        final double loss = Nn.softmaxCrossEntropy(rows, classes, z, y, probabilities.address());
        this.labels = labels;
        this.rows = rows;
        return loss;
    }

    /** The gradient of the mean loss over the forward's rows, into {@link #logitsGradient()}. */
    public Tensor backward()
    {
        return backward(rows);
    }

    /**
     * The gradient of a mean over {@code meanOver} samples, of which the forward's rows are a part: for
     * micro-batches whose gradients add up to the gradient of the whole batch.
     */
    public Tensor backward(final int meanOver)
    {
        if (labels == null)
        {
            throw new IllegalStateException("backward without a forward");
        }
        Nn.softmaxCrossEntropyBackward(rows, classes, probabilities.address(), labels.address(),
            logitsGradient.address(), meanOver);
        return logitsGradient;
    }

    /** [maxBatch, classes]; the first rows of the last forward are valid. */
    public Tensor probabilities()
    {
        return probabilities;
    }

    /** [maxBatch, classes]; the first rows of the last backward are valid. */
    public Tensor logitsGradient()
    {
        return logitsGradient;
    }

    @Override
    public void close()
    {
        labels = null;
        probabilities.close();
        logitsGradient.close();
    }
}
