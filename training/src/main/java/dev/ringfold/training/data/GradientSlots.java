package dev.ringfold.training.data;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;

import java.util.Arrays;
import java.util.List;

/**
 * Where each gradient goes when it is ready: a slot (an address in a bucket or a flat buffer) per parameter, the
 * ready flags of the current backward pass, and the count of passes accumulated since the last step. The first
 * pass of a step copies a gradient into its slot (widening to F32 when the slot is F32), later ones add to it.
 *
 * <p>In place (the sharded update, whose peers read the gradients where backward wrote them): the gradient tensors
 * are the buckets and nothing is copied in the common case of one pass a step. Passes inside {@code noSync()}
 * accumulate into the slots (private, {@link #place}d when the first such pass comes), and the synchronising pass
 * adds them into the gradients as they become final.
 */
final class GradientSlots
{
    private final String where;
    private final List<Tensor> gradients;
    private final DType gradientType;
    private final DType slotType;
    private final long[] slotAddress;
    private final boolean inPlace;
    private final boolean[] ready;
    private int readyInPass;
    private int passes;

    GradientSlots(final String where, final List<Tensor> gradients, final DType gradientType, final DType slotType)
    {
        this(where, gradients, gradientType, slotType, false);
    }

    GradientSlots(final String where, final List<Tensor> gradients, final DType gradientType, final DType slotType,
        final boolean inPlace)
    {
        this.inPlace = inPlace;
        this.where = where;
        this.gradients = gradients;
        this.gradientType = gradientType;
        this.slotType = slotType;
        this.slotAddress = new long[gradients.size()];
        this.ready = new boolean[gradients.size()];
    }

    /**
     * Checks the model lists: equal lengths, no nulls, contiguous tensors, each gradient the shape of its
     * parameter, gradients all F32, BF16 or F16 and of one type, parameters F32 where a server updates them.
     * Returns the gradients' type.
     */
    static DType validate(final String where, final List<Tensor> parameters, final List<Tensor> gradients,
        final boolean f32Parameters)
    {
        if (parameters == null || gradients == null)
        {
            throw new NullPointerException(where + ": the " + (parameters == null ? "parameter" : "gradient") +
                " list is null");
        }
        if (parameters.isEmpty() || parameters.size() != gradients.size())
        {
            throw new IllegalArgumentException(where + ": " + parameters.size() + " parameters and " +
                gradients.size() + " gradients; expected one gradient per parameter, at least one of each");
        }
        DType type = null;
        for (int i = 0; i < parameters.size(); i++)
        {
            final Tensor p = parameters.get(i);
            final Tensor g = gradients.get(i);
            if (p == null || g == null)
            {
                throw new NullPointerException(where + ": " + (p == null ? "parameter " : "gradient ") + i + " is null");
            }
            if (!Arrays.equals(p.shape(), g.shape()))
            {
                throw new IllegalArgumentException(where + ": gradient " + i + " is " + g.describe() +
                    ", its parameter " + p.describe() + "; a gradient has its parameter's shape");
            }
            if (!p.isContiguous() || !g.isContiguous())
            {
                throw new IllegalArgumentException(where + ": " + (p.isContiguous() ? "gradient " : "parameter ") + i +
                    " (" + (p.isContiguous() ? g : p).describe() + ") is not contiguous");
            }
            final DType gt = g.dtype();
            if (gt != DType.F32 && gt != DType.BF16 && gt != DType.F16)
            {
                throw new IllegalArgumentException(where + ": gradient " + i + " is " + g.describe() +
                    "; gradients must be F32, BF16 or F16");
            }
            if (type != null && gt != type)
            {
                throw new IllegalArgumentException(where + ": gradient " + i + " is " + gt + " but gradient 0 is " +
                    type + "; all gradients must have one dtype");
            }
            type = gt;
            if (f32Parameters && p.dtype() != DType.F32)
            {
                throw new IllegalArgumentException(where + ": parameter " + i + " is " + p.describe() +
                    "; a parameter server updates F32 parameters");
            }
            if (p.elementCount() > Integer.MAX_VALUE / 8)
            {
                throw new IllegalArgumentException(where + ": parameter " + i + " " + p.describe() +
                    " is too large for one message; split it");
            }
        }
        return type;
    }

    /**
     * Fails on every rank, the same way, unless every rank passed the same model: count, dtypes and sizes of all
     * parameters and gradients, in order (a fingerprint, compared by an all-reduce of it and its negation).
     */
    static void checkSameOnEveryRank(final String where, final Communicator comm, final List<Tensor> parameters,
        final List<Tensor> gradients)
    {
        long h = parameters.size();
        for (int i = 0; i < parameters.size(); i++)
        {
            h = h * 1_000_003L + parameters.get(i).dtype().ordinal();
            h = h * 1_000_003L + gradients.get(i).dtype().ordinal();
            h = h * 1_000_003L + parameters.get(i).elementCount();
        }
        final long[] both = {h, -h};
        Collectives.of(comm).allReduce(both, 0, 2, ReduceOp.MAX);
        if (both[0] != h || both[1] != -h)
        {
            throw new IllegalArgumentException(where + ": the model differs between ranks (this rank's " +
                parameters.size() + " parameters have fingerprint " + h + "); every rank must pass the same " +
                "parameters, in the same order, with the same shapes and dtypes");
        }
    }

    int size()
    {
        return ready.length;
    }

    void place(final int index, final long address)
    {
        slotAddress[index] = address;
    }

    /**
     * Takes gradient {@code index} into its slot; returns true when it was the last of the pass (the pass is then
     * counted and the flags cleared for the next).
     */
    boolean ready(final int index)
    {
        return ready(index, false);
    }

    /**
     * {@link #ready(int)}; {@code synchronising} says whether this pass is the step's last (outside noSync), which
     * matters in place only.
     */
    boolean ready(final int index, final boolean synchronising)
    {
        if (index < 0 || index >= ready.length)
        {
            throw new IndexOutOfBoundsException(where + ": gradientReady(" + index + "): the model has " +
                ready.length + " parameters, indices 0 to " + (ready.length - 1));
        }
        if (ready[index])
        {
            throw new IllegalStateException(where + ": gradient " + index + " was marked ready twice in one backward " +
                "pass");
        }
        final Tensor g = gradients.get(index);
        final long src = g.address();
        final long dst = slotAddress[index];
        final long count = g.elementCount();
        if (inPlace)
        {
            if (synchronising)
            {
                if (passes > 0)
                {
                    ReduceKernels.reduce(ReduceOp.SUM, gradientType, src, dst, count);
                }
            }
            else if (passes == 0)
            {
                UnsafeApi.copyMemory(src, dst, count * gradientType.bytes());
            }
            else
            {
                ReduceKernels.reduce(ReduceOp.SUM, gradientType, dst, src, count);
            }
        }
        else if (passes == 0)
        {
            if (slotType == gradientType)
            {
                UnsafeApi.copyMemory(src, dst, count * gradientType.bytes());
            }
            else
            {
                ReduceKernels.widenToF32(gradientType, dst, src, count);
            }
        }
        else if (slotType == gradientType)
        {
            ReduceKernels.reduce(ReduceOp.SUM, slotType, dst, src, count);
        }
        else
        {
            ReduceKernels.accumulateToF32(ReduceOp.SUM, gradientType, dst, src, count);
        }
        ready[index] = true;
        if (++readyInPass < ready.length)
        {
            return false;
        }
        Arrays.fill(ready, false);
        readyInPass = 0;
        passes++;
        return true;
    }

    boolean isReady(final int index)
    {
        return ready[index];
    }

    /** Called by step(): fails unless whole passes were accumulated, returns their count and starts afresh. */
    int endWindow()
    {
        if (readyInPass != 0)
        {
            final StringBuilder missing = new StringBuilder();
            for (int i = 0, shown = 0; i < ready.length && shown < 10; i++)
            {
                if (!ready[i])
                {
                    missing.append(shown++ == 0 ? "" : ", ").append(i);
                }
            }
            throw new IllegalStateException(where + ": step() in the middle of a backward pass: " + readyInPass +
                " of " + ready.length + " gradients are ready, not [" + missing + (ready.length - readyInPass > 10 ?
                ", ..." : "") + "]; call gradientReady for every parameter (or allGradientsReady()) first");
        }
        if (passes == 0)
        {
            throw new IllegalStateException(where + ": step() without a backward pass: call gradientReady for every " +
                "parameter first");
        }
        final int p = passes;
        passes = 0;
        return p;
    }

    /** Copies the averaged slot back into gradient {@code index}, rounding from F32 if the slot is wider. */
    void copyBack(final int index)
    {
        final Tensor g = gradients.get(index);
        if (slotType == gradientType)
        {
            UnsafeApi.copyMemory(slotAddress[index], g.address(), g.elementCount() * gradientType.bytes());
        }
        else
        {
            ReduceKernels.roundFromF32(gradientType, g.address(), slotAddress[index], g.elementCount());
        }
    }
}
