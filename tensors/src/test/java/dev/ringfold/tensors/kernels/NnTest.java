package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class NnTest
{
    private static final int[] LENGTHS = { 0, 1, 15, 16, 17, 100, 1027 };

    @Test
    void elementWiseOpsMatchScalarBitForBit()
    {
        final SplittableRandom random = new SplittableRandom(1);
        for (final int n : LENGTHS)
        {
            try (Arena arena = Arena.ofConfined())
            {
                final long x = Scalar.allocate(arena, 4L * n, 1);
                final long y = Scalar.allocate(arena, 4L * n, 2);
                final long out = Scalar.allocate(arena, 4L * n, 3);
                Scalar.fillRandom(DType.F32, x, n, random);
                Scalar.fillRandom(DType.F32, y, n, random);
                final float[] xs = floats(x, n);
                final float[] ys = floats(y, n);

                Nn.relu(out, x, n);
                for (int i = 0; i < n; i++)
                {
                    assertSame(Math.max(xs[i], 0.0f), f(out, i), "relu " + i);
                }
                Nn.reluBackward(out, y, x, n);
                for (int i = 0; i < n; i++)
                {
                    assertSame(xs[i] > 0.0f ? ys[i] : 0.0f, f(out, i), "relu backward " + i);
                }
                Nn.axpy(n, -0.37f, x, y);
                for (int i = 0; i < n; i++)
                {
                    assertSame(ys[i] + -0.37f * xs[i], f(y, i), "axpy " + i);
                }
                Nn.scale(n, 3.5f, x);
                for (int i = 0; i < n; i++)
                {
                    assertSame(xs[i] * 3.5f, f(x, i), "scale " + i);
                }
            }
        }
    }

    @Test
    void sgdMomentumIsTheThreePassUpdateBitForBit()
    {
        final SplittableRandom random = new SplittableRandom(4);
        for (final int n : LENGTHS)
        {
            try (Arena arena = Arena.ofConfined())
            {
                final long p = Scalar.allocate(arena, 4L * n, 1);
                final long g = Scalar.allocate(arena, 4L * n, 2);
                final long v = Scalar.allocate(arena, 4L * n, 3);
                final long p3 = Scalar.allocate(arena, 4L * n, 4);
                final long v3 = Scalar.allocate(arena, 4L * n, 5);
                Scalar.fillRandom(DType.F32, p, n, random);
                Scalar.fillRandom(DType.F32, g, n, random);
                Scalar.fillRandom(DType.F32, v, n, random);
                for (int i = 0; i < n; i++)
                {
                    Memory.putFloat(p3 + 4L * i, f(p, i));
                    Memory.putFloat(v3 + 4L * i, f(v, i));
                }
                for (int round = 0; round < 3; round++) // momentum carried over steps
                {
                    Nn.sgdMomentum(n, p, g, v, 0.9f, 0.05f);
                    Nn.scale(n, 0.9f, v3);
                    Nn.axpy(n, 1.0f, g, v3);
                    Nn.axpy(n, -0.05f, v3, p3);
                    for (int i = 0; i < n; i++)
                    {
                        assertSame(f(v3, i), f(v, i), "velocity " + i + " of " + n + ", round " + round);
                        assertSame(f(p3, i), f(p, i), "parameter " + i + " of " + n + ", round " + round);
                    }
                }
            }
        }
    }

    @Test
    void biasAddAndItsGradient()
    {
        final SplittableRandom random = new SplittableRandom(2);
        final int rows = 7;
        for (final int cols : new int[]{ 1, 16, 33, 100 })
        {
            final int ld = cols + 3;
            try (Arena arena = Arena.ofConfined())
            {
                final long x = Scalar.allocate(arena, 4L * rows * ld, 1);
                final long bias = Scalar.allocate(arena, 4L * cols, 2);
                final long dbias = Scalar.allocate(arena, 4L * cols, 3);
                Scalar.fillRandom(DType.F32, x, (long)rows * ld, random);
                Scalar.fillRandom(DType.F32, bias, cols, random);
                final float[] xs = floats(x, rows * ld);
                Nn.biasAdd(rows, cols, x, ld, bias);
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < ld; j++)
                    {
                        final float expected = j < cols ? xs[i * ld + j] + f(bias, j) : xs[i * ld + j];
                        assertSame(expected, f(x, i * ld + j), "bias add " + i + "," + j);
                    }
                }
                Nn.biasBackward(rows, cols, x, ld, dbias);
                for (int j = 0; j < cols; j++)
                {
                    float sum = 0.0f;
                    for (int i = 0; i < rows; i++)
                    {
                        sum += f(x, i * ld + j);
                    }
                    assertSame(sum, f(dbias, j), "bias gradient " + j);
                }
            }
        }
    }

    @Test
    void softmaxCrossEntropyAndGradientAgainstDoublePrecisionAndFiniteDifferences()
    {
        final int rows = 5;
        final int cols = 10;
        final SplittableRandom random = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined())
        {
            final long logits = Scalar.allocate(arena, 4L * rows * cols, 0);
            final long probs = Scalar.allocate(arena, 4L * rows * cols, 1);
            final long grad = Scalar.allocate(arena, 4L * rows * cols, 2);
            final long labels = Scalar.allocate(arena, 4L * rows, 3);
            for (int i = 0; i < rows * cols; i++)
            {
                Scalar.put(DType.F32, logits, i, Float.floatToRawIntBits((float)random.nextGaussian() * 3));
            }
            for (int i = 0; i < rows; i++)
            {
                Scalar.put(DType.I32, labels, i, random.nextInt(cols));
            }
            final double loss = Nn.softmaxCrossEntropy(rows, cols, logits, labels, probs);

            double expectedLoss = 0;
            for (int i = 0; i < rows; i++)
            {
                double sum = 0;
                for (int j = 0; j < cols; j++)
                {
                    sum += Math.exp(f(logits, i * cols + j));
                }
                double rowSum = 0;
                for (int j = 0; j < cols; j++)
                {
                    final double p = Math.exp(f(logits, i * cols + j)) / sum;
                    assertEquals(p, f(probs, i * cols + j), 1e-6, "softmax");
                    rowSum += f(probs, i * cols + j);
                }
                assertEquals(1.0, rowSum, 1e-5);
                expectedLoss -= Math.log(Math.exp(f(logits, i * cols + (int)Scalar.get(DType.I32, labels, i))) / sum);
            }
            assertEquals(expectedLoss / rows, loss, 1e-5);

            // The gradient against central differences of the loss itself.
            Nn.softmaxCrossEntropyBackward(rows, cols, probs, labels, grad);
            final long scratch = Scalar.allocate(arena, 4L * rows * cols, 0);
            for (int i = 0; i < rows * cols; i++)
            {
                final float saved = f(logits, i);
                final float h = 1e-2f;
                Scalar.put(DType.F32, logits, i, Float.floatToRawIntBits(saved + h));
                final double up = Nn.softmaxCrossEntropy(rows, cols, logits, labels, scratch);
                Scalar.put(DType.F32, logits, i, Float.floatToRawIntBits(saved - h));
                final double down = Nn.softmaxCrossEntropy(rows, cols, logits, labels, scratch);
                Scalar.put(DType.F32, logits, i, Float.floatToRawIntBits(saved));
                assertEquals((up - down) / (2 * h), f(grad, i), 2e-4, "dloss/dlogit " + i);
            }
        }
    }

    @Test
    void confidentWrongAnswerGivesFiniteLossAndBadLabelsAreRejected()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final long logits = Scalar.allocate(arena, 8, 0);
            final long labels = Scalar.allocate(arena, 4, 0);
            Scalar.put(DType.F32, logits, 0, Float.floatToRawIntBits(200.0f));
            Scalar.put(DType.F32, logits, 1, Float.floatToRawIntBits(-200.0f));
            Scalar.put(DType.I32, labels, 0, 1);
            final double loss = Nn.softmaxCrossEntropy(1, 2, logits, labels, logits);
            assertEquals(400.0, loss, 1e-9);
            assertTrue(f(logits, 1) == 0.0f, "probability underflows to 0 without hurting the loss");
            Scalar.put(DType.I32, labels, 0, 2);
            assertThrows(IllegalArgumentException.class, () -> Nn.softmaxCrossEntropy(1, 2, logits, labels, logits));
        }
    }

    static float f(final long address, final long index)
    {
        return Float.intBitsToFloat((int)Scalar.get(DType.F32, address, index));
    }

    static float[] floats(final long address, final int n)
    {
        final float[] out = new float[n];
        for (int i = 0; i < n; i++)
        {
            out[i] = f(address, i);
        }
        return out;
    }

    private static void assertSame(final float expected, final float actual, final String what)
    {
        assertTrue(Float.floatToRawIntBits(expected) == Float.floatToRawIntBits(actual) ||
            (Float.isNaN(expected) && Float.isNaN(actual)), () -> what + ": expected " + expected + " was " + actual);
    }
}
