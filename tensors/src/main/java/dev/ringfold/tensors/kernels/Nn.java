package dev.ringfold.tensors.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;
import static dev.ringfold.tensors.kernels.Memory.checkCount;
import static dev.ringfold.tensors.kernels.Memory.getFloat;
import static dev.ringfold.tensors.kernels.Memory.getInt;
import static dev.ringfold.tensors.kernels.Memory.putFloat;

/**
 * The few F32 operations a small MLP needs around {@link Gemm}, on off-heap regions (absolute addresses, row-major
 * matrices with a row stride in elements, labels as I32). Element-wise ones are vectorised and bit-identical to a
 * scalar loop (no FMA, the same order); softmax and cross-entropy are scalar, in double, with {@link StrictMath},
 * so every rank and every run gets the same bits from the same logits.
 */
public final class Nn
{
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    private static final long STEP = S.vectorByteSize();

    private Nn()
    {
    }

    /** x[i][j] += bias[j]: the bias of a dense layer, broadcast over the rows. */
    public static void biasAdd(final int rows, final int cols, final long x, final int ldx, final long bias)
    {
        checkMatrix(rows, cols, ldx);
        final long vectorBytes = 4L * (cols - cols % LANES);
        for (int i = 0; i < rows; i++)
        {
            final long row = x + 4L * i * ldx;
            for (long o = 0; o < vectorBytes; o += STEP)
            {
                load(row + o).add(load(bias + o)).intoMemorySegment(ALL, row + o, ORDER);
            }
            for (long o = vectorBytes; o < 4L * cols; o += 4)
            {
                putFloat(row + o, getFloat(row + o) + getFloat(bias + o));
            }
        }
    }

    /** dbias[j] = sum over i of dy[i][j], rows added in order 0, 1, ...: the gradient of {@link #biasAdd}. */
    public static void biasBackward(final int rows, final int cols, final long dy, final int ldy, final long dbias)
    {
        checkMatrix(rows, cols, ldy);
        final long vectorBytes = 4L * (cols - cols % LANES);
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            FloatVector sum = FloatVector.zero(S);
            for (int i = 0; i < rows; i++)
            {
                sum = sum.add(load(dy + 4L * i * ldy + o));
            }
            sum.intoMemorySegment(ALL, dbias + o, ORDER);
        }
        for (long o = vectorBytes; o < 4L * cols; o += 4)
        {
            float sum = 0.0f;
            for (int i = 0; i < rows; i++)
            {
                sum += getFloat(dy + 4L * i * ldy + o);
            }
            putFloat(dbias + o, sum);
        }
    }

    /** dst[i] = max(src[i], 0) as {@link Math#max}: NaN stays NaN, so a diverging model shows it. dst may be src. */
    public static void relu(final long dst, final long src, final long count)
    {
        checkCount(count);
        final long bytes = 4L * count;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(src + o).max(0.0f).intoMemorySegment(ALL, dst + o, ORDER);
        }
        for (long o = vectorBytes; o < bytes; o += 4)
        {
            putFloat(dst + o, Math.max(getFloat(src + o), 0.0f));
        }
    }

    /** dx[i] = x[i] > 0 ? dy[i] : 0, where x is the ReLU's input (or output: same sign test). dx may be dy. */
    public static void reluBackward(final long dx, final long dy, final long x, final long count)
    {
        checkCount(count);
        final long bytes = 4L * count;
        final long vectorBytes = bytes - bytes % STEP;
        final FloatVector zero = FloatVector.zero(S);
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            zero.blend(load(dy + o), load(x + o).compare(VectorOperators.GT, 0.0f)).intoMemorySegment(ALL, dx + o, ORDER);
        }
        for (long o = vectorBytes; o < bytes; o += 4)
        {
            putFloat(dx + o, getFloat(x + o) > 0.0f ? getFloat(dy + o) : 0.0f);
        }
    }

    /**
     * Row-wise softmax of {@code logits} (rows x cols, contiguous) into {@code probs} (may be the logits), and the
     * mean cross-entropy loss against {@code labels} (rows I32 class indices), computed as log-sum-exp minus the
     * label's logit so that a confident wrong answer gives a large finite loss rather than log(0).
     */
    public static double softmaxCrossEntropy(
        final int rows, final int cols, final long logits, final long labels, final long probs)
    {
        checkMatrix(rows, cols, cols);
        double loss = 0.0;
        for (int i = 0; i < rows; i++)
        {
            final long in = logits + 4L * i * cols;
            final long out = probs + 4L * i * cols;
            final int label = label(labels, i, cols);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++)
            {
                max = Math.max(max, getFloat(in + 4L * j));
            }
            final double labelLogit = getFloat(in + 4L * label);
            double sum = 0.0;
            for (int j = 0; j < cols; j++)
            {
                final double e = StrictMath.exp((double)getFloat(in + 4L * j) - max);
                sum += e;
                putFloat(out + 4L * j, (float)e);
            }
            for (int j = 0; j < cols; j++)
            {
                putFloat(out + 4L * j, (float)(getFloat(out + 4L * j) / sum));
            }
            loss += StrictMath.log(sum) + max - labelLogit;
        }
        return rows == 0 ? 0.0 : loss / rows;
    }

    /** dlogits[i][j] = (probs[i][j] - (j == label[i] ? 1 : 0)) / rows: the gradient of the mean loss. */
    public static void softmaxCrossEntropyBackward(
        final int rows, final int cols, final long probs, final long labels, final long dlogits)
    {
        softmaxCrossEntropyBackward(rows, cols, probs, labels, dlogits, rows);
    }

    /**
     * As above, divided by {@code meanOver} instead of rows: the gradient of a mean over a batch of which these
     * rows are one micro-batch, the same bits as the whole batch's gradient gives those rows.
     */
    public static void softmaxCrossEntropyBackward(
        final int rows, final int cols, final long probs, final long labels, final long dlogits, final int meanOver)
    {
        checkMatrix(rows, cols, cols);
        if (meanOver < 1)
        {
            throw new IllegalArgumentException("meanOver must be at least 1: " + meanOver);
        }
        final float inverseRows = 1.0f / meanOver;
        for (int i = 0; i < rows; i++)
        {
            final int label = label(labels, i, cols);
            final long p = probs + 4L * i * cols;
            final long d = dlogits + 4L * i * cols;
            for (int j = 0; j < cols; j++)
            {
                final float pj = getFloat(p + 4L * j);
                putFloat(d + 4L * j, (j == label ? pj - 1.0f : pj) * inverseRows);
            }
        }
    }

    /** y[i] += alpha * x[i], a multiply then an add (no FMA): the SGD step is {@code axpy(-lr, grad, weights)}. */
    public static void axpy(final long count, final float alpha, final long x, final long y)
    {
        checkCount(count);
        final long bytes = 4L * count;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            load(y + o).add(load(x + o).mul(alpha)).intoMemorySegment(ALL, y + o, ORDER);
        }
        for (long o = vectorBytes; o < bytes; o += 4)
        {
            putFloat(y + o, getFloat(y + o) + alpha * getFloat(x + o));
        }
    }

    /**
     * One SGD-with-momentum update of {@code count} elements in one pass: {@code v = momentum * v + g},
     * {@code p = p + (-learningRate) * v}, each product and sum rounded to float in that order, so the bits are those
     * of {@code scale(v, momentum)}, {@code axpy(1, g, v)}, {@code axpy(-learningRate, v, p)} run one after the
     * other (which read and write v twice more).
     */
    public static void sgdMomentum(final long count, final long p, final long g, final long v, final float momentum,
        final float learningRate)
    {
        checkCount(count);
        final float minusRate = -learningRate;
        final long bytes = 4L * count;
        final long vectorBytes = bytes - bytes % STEP;
        for (long o = 0; o < vectorBytes; o += STEP)
        {
            final FloatVector velocity = load(v + o).mul(momentum).add(load(g + o));
            velocity.intoMemorySegment(ALL, v + o, ORDER);
            load(p + o).add(velocity.mul(minusRate)).intoMemorySegment(ALL, p + o, ORDER);
        }
        for (long o = vectorBytes; o < bytes; o += 4)
        {
            final float velocity = getFloat(v + o) * momentum + getFloat(g + o);
            putFloat(v + o, velocity);
            putFloat(p + o, getFloat(p + o) + minusRate * velocity);
        }
    }

    /**
     * One Adam update of {@code count} elements, as PyTorch computes it: {@code m = beta1 m + (1 - beta1) g},
     * {@code v = beta2 v + (1 - beta2) g^2}, {@code p -= stepSize * m / (sqrt(v) / correction2 + epsilon)}, where
     * the caller has folded the bias corrections into {@code stepSize = lr / (1 - beta1^t)} and
     * {@code correction2 = sqrt(1 - beta2^t)}. Scalar, in float, in element order.
     */
    public static void adam(final long count, final long p, final long g, final long m, final long v,
        final float beta1, final float beta2, final float stepSize, final float correction2, final float epsilon)
    {
        checkCount(count);
        final float oneMinusBeta1 = 1.0f - beta1;
        final float oneMinusBeta2 = 1.0f - beta2;
        for (long o = 0; o < 4L * count; o += 4)
        {
            final float gi = getFloat(g + o);
            final float mi = beta1 * getFloat(m + o) + oneMinusBeta1 * gi;
            final float vi = beta2 * getFloat(v + o) + oneMinusBeta2 * (gi * gi);
            putFloat(m + o, mi);
            putFloat(v + o, vi);
            final float denominator = (float)Math.sqrt(vi) / correction2 + epsilon;
            putFloat(p + o, getFloat(p + o) - stepSize * (mi / denominator));
        }
    }

    /** x[i] *= alpha. */
    public static void scale(final long count, final float alpha, final long x)
    {
        ReduceF32.scale(x, count, alpha);
    }

    private static FloatVector load(final long address)
    {
        return FloatVector.fromMemorySegment(S, ALL, address, ORDER);
    }

    private static int label(final long labels, final int row, final int cols)
    {
        final int label = getInt(labels + 4L * row);
        if (label < 0 || label >= cols)
        {
            throw new IllegalArgumentException("label " + label + " of row " + row + " is not a class of " + cols);
        }
        return label;
    }

    private static void checkMatrix(final int rows, final int cols, final int ld)
    {
        if (rows < 0 || cols < 0 || ld < cols)
        {
            throw new IllegalArgumentException("bad matrix: rows=" + rows + " cols=" + cols + " stride=" + ld);
        }
    }
}
