package dev.ringfold.tensors.nn;

import dev.ringfold.mpi.JvmFlags;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.Gemm;
import dev.ringfold.tensors.kernels.Init;
import dev.ringfold.tensors.kernels.Nn;
import org.apache.arrow.memory.BufferAllocator;

import java.util.List;

/**
 * A dense layer, {@code y = x W^T + b}, with W as [out, in] (PyTorch's layout) and b as [out]. W starts He-normal
 * from a seed ({@link Init#he}, counter-based: the same seed gives the same bits on every rank and run), b at zero.
 * Parameters are named {@code <name>.weight} and {@code <name>.bias}, gradients {@code <name>.weight.grad} and
 * {@code <name>.bias.grad}. Built with a {@link NodeSharedAllocator}, the parameters and gradients are node-shared
 * (the ranks of a node reach each other's in place: data parallelism then updates a shard each, no copies).
 */
public final class Linear implements Layer
{
    static
    {
        // before Gemm and Nn are linked (their verification loads the Vector API): a clear error without the module
        JvmFlags.requireVectorApi("Ringfold's layers (their GEMM and element-wise kernels)");
    }

    private final String name;
    /** Argument names for messages, made once: a concatenation per call would allocate on the hot path. */
    private final String inputName;
    private final String outputGradientName;
    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor weightGradient;
    private final Tensor biasGradient;
    /** This micro-batch's bias gradient, added to the accumulated one (the kernel overwrites its output). */
    private final Tensor biasScratch;
    private final List<Tensor> parameters;
    private final List<Tensor> gradients;

    public Linear(final BufferAllocator allocator, final String name, final int in, final int out, final long seed)
    {
        this(allocator, null, name, in, out, seed);
    }

    /**
     * Parameters and gradients from {@code shared} (node-shared) unless it is null; the scratch from
     * {@code allocator}.
     */
    public Linear(final BufferAllocator allocator, final NodeSharedAllocator shared, final String name, final int in,
        final int out, final long seed)
    {
        Matrices.checkSize("in", in);
        Matrices.checkSize("out", out);
        this.name = name;
        this.inputName = name + " input";
        this.outputGradientName = name + " output gradient";
        this.in = in;
        this.out = out;
        final Tensor[] made = new Tensor[5];
        try
        {
            made[0] = zeros(allocator, shared, name + ".weight", out, in);
            made[1] = zeros(allocator, shared, name + ".bias", out);
            made[2] = zeros(allocator, shared, name + ".weight.grad", out, in);
            made[3] = zeros(allocator, shared, name + ".bias.grad", out);
            made[4] = Tensors.zeros(allocator, DType.F32, out).name(name + ".bias.scratch");
        }
        catch (final RuntimeException ex)
        {
            for (final Tensor t : made)
            {
                if (t != null)
                {
                    t.close();
                }
            }
            throw ex;
        }
        weight = made[0];
        bias = made[1];
        weightGradient = made[2];
        biasGradient = made[3];
        biasScratch = made[4];
        Init.he(seed, 0, weight.address(), (long)out * in, in);
        parameters = List.of(weight, bias);
        gradients = List.of(weightGradient, biasGradient);
    }

    private static Tensor zeros(final BufferAllocator allocator, final NodeSharedAllocator shared, final String name,
        final long... shape)
    {
        return shared != null ? shared.allocate(name, DType.F32, shape) :
            Tensors.zeros(allocator, DType.F32, shape).name(name);
    }

    public String name()
    {
        return name;
    }

    public Tensor weight()
    {
        return weight;
    }

    public Tensor bias()
    {
        return bias;
    }

    @Override
    public int inputFeatures()
    {
        return in;
    }

    @Override
    public int outputFeatures()
    {
        return out;
    }

    @Override
    public List<Tensor> parameters()
    {
        return parameters;
    }

    @Override
    public List<Tensor> gradients()
    {
        return gradients;
    }

    @Override
    public Activations newActivations(final BufferAllocator allocator, final int maxBatch)
    {
        return new DenseActivations(this, allocator, maxBatch);
    }

    @Override
    public Tensor forward(final Activations activations, final Tensor input, final int rows)
    {
        final DenseActivations a = DenseActivations.of(this, activations, rows);
        final long x = Matrices.check(inputName, input, in, rows);
        final Tensor output = a.output();
        final long y = output.address();
        Gemm.sgemm(false, true, rows, out, in, 1.0f, x, in, weight.address(), in, 0.0f, y, out);
        Nn.biasAdd(rows, out, y, out, bias.address());
        a.saveForward(input, rows);
        return output;
    }

    @Override
    public void accumulateGradients(final Activations activations, final Tensor outputGradient, final int rows)
    {
        final DenseActivations a = DenseActivations.of(this, activations, rows);
        final long dy = Matrices.check(outputGradientName, outputGradient, out, rows);
        final long x = a.savedInput(rows).address();
        // dW += dY^T X (beta 1 accumulates), db += column sums of dY
        Gemm.sgemm(true, false, out, in, rows, 1.0f, dy, out, x, in, 1.0f, weightGradient.address(), in);
        Nn.biasBackward(rows, out, dy, out, biasScratch.address());
        Nn.axpy(out, 1.0f, biasScratch.address(), biasGradient.address());
    }

    @Override
    public Tensor inputGradient(final Activations activations, final Tensor outputGradient, final int rows)
    {
        final DenseActivations a = DenseActivations.of(this, activations, rows);
        final long dy = Matrices.check(outputGradientName, outputGradient, out, rows);
        a.savedInput(rows);
        final Tensor inputGradient = a.inputGradient();
        Gemm.sgemm(false, false, rows, in, out, 1.0f, dy, out, weight.address(), in, 0.0f, inputGradient.address(), in);
        return inputGradient;
    }

    @Override
    public void zeroGradients()
    {
        // all bits clear is 0.0f; a segment fill is a memset, where Tensor.fill walks element by element
        weightGradient.segment().fill((byte)0);
        biasGradient.segment().fill((byte)0);
    }

    @Override
    public void close()
    {
        weight.close();
        bias.close();
        weightGradient.close();
        biasGradient.close();
        biasScratch.close();
    }

    @Override
    public String toString()
    {
        return "Linear " + name + " " + in + "->" + out;
    }
}
