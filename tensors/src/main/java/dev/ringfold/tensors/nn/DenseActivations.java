package dev.ringfold.tensors.nn;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The activations of a layer that maps one matrix to another: its output, its input gradient, and the input and
 * row count of the last forward (a reference, not a copy: {@link Layer} asks the caller to keep the input intact).
 */
final class DenseActivations implements Activations
{
    private final Layer owner;
    private final int maxBatch;
    private final Tensor output;
    private final Tensor inputGradient;
    private Tensor input;
    private int rows;

    DenseActivations(final Layer owner, final BufferAllocator allocator, final int maxBatch)
    {
        Matrices.checkSize("maxBatch", maxBatch);
        this.owner = owner;
        this.maxBatch = maxBatch;
        this.output = Tensors.zeros(allocator, DType.F32, maxBatch, owner.outputFeatures());
        try
        {
            this.inputGradient = Tensors.zeros(allocator, DType.F32, maxBatch, owner.inputFeatures());
        }
        catch (final RuntimeException ex)
        {
            output.close();
            throw ex;
        }
    }

    /** The checked activations of {@code layer}: made by it, open, not overfull. */
    static DenseActivations of(final Layer layer, final Activations activations, final int rows)
    {
        if (!(activations instanceof DenseActivations dense) || dense.owner != layer)
        {
            throw new IllegalArgumentException("activations " + activations + " were not made by this layer (" +
                layer + "): use its newActivations");
        }
        Matrices.checkRows(rows, dense.maxBatch);
        return dense;
    }

    void saveForward(final Tensor input, final int rows)
    {
        this.input = input;
        this.rows = rows;
    }

    /** The input of the forward that backward with {@code rows} rows belongs to. */
    Tensor savedInput(final int rows)
    {
        if (input == null || rows != this.rows)
        {
            throw new IllegalStateException("backward of " + rows + " rows without a forward of them (last forward: " +
                (input == null ? "none" : this.rows + " rows") + ") in " + owner);
        }
        return input;
    }

    @Override
    public int maxBatch()
    {
        return maxBatch;
    }

    @Override
    public Tensor output()
    {
        return output;
    }

    @Override
    public Tensor inputGradient()
    {
        return inputGradient;
    }

    @Override
    public void close()
    {
        input = null;
        output.close();
        inputGradient.close();
    }

    @Override
    public String toString()
    {
        return "activations of " + owner + " for " + maxBatch + " rows";
    }
}
