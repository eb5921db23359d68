package dev.ringfold.tensors.kernels;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** GEMM against a naive triple loop in double precision, within the error bound of a float dot product. */
final class GemmTest
{
    @Test
    void matchesNaiveForEveryTransposeAndAwkwardShapes()
    {
        final SplittableRandom random = new SplittableRandom(42);
        // Shapes around the register tile (12 x 32), the k block (256) and the m block (192).
        final int[][] shapes = { { 1, 1, 1 }, { 12, 32, 256 }, { 13, 33, 257 }, { 11, 31, 7 }, { 200, 70, 300 },
            { 25, 100, 513 }, { 3, 4100, 5 }, { 64, 64, 64 }, { 7, 1, 600 }, { 1, 45, 3 } };
        for (final int[] shape : shapes)
        {
            for (int t = 0; t < 4; t++)
            {
                final boolean transA = (t & 1) != 0;
                final boolean transB = (t & 2) != 0;
                checkOffHeap(random, transA, transB, shape[0], shape[1], shape[2], 1.0f, 0.0f, 0);
                checkOffHeap(random, transA, transB, shape[0], shape[1], shape[2], -0.5f, 2.0f, 3);
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInCAndStridesLongerThanRowsWork()
    {
        final SplittableRandom random = new SplittableRandom(43);
        checkOffHeap(random, false, false, 30, 40, 50, 1.5f, 0.0f, 5);
        checkOffHeap(random, true, true, 17, 65, 9, 1.0f, 1.0f, 1);
    }

    @Test
    void zeroKOrAlphaOnlyScalesC()
    {
        final float[] c = { 1, 2, 3, 4 };
        Gemm.sgemm(false, false, 2, 2, 0, 1.0f, new float[0], 0, 1, new float[0], 0, 2, 3.0f, c, 0, 2);
        assertArrayEquals(new float[]{ 3, 6, 9, 12 }, c);
        final float[] ones = { 1, 1, 1, 1 };
        final float[] nan = { Float.NaN, Float.NaN, Float.NaN, Float.NaN };
        Gemm.sgemm(false, false, 2, 2, 2, 0.0f, ones, 0, 2, ones, 0, 2, 0.0f, nan, 0, 2);
        assertArrayEquals(new float[4], nan);
    }

    @Test
    void heapArraysWithOffsets()
    {
        final SplittableRandom random = new SplittableRandom(44);
        final int m = 29;
        final int n = 37;
        final int k = 300;
        final float[] a = randomArray(random, 3 + m * k);
        final float[] b = randomArray(random, 5 + k * n);
        final float[] c = randomArray(random, 7 + m * n);
        final double[] expected = naive(false, false, m, n, k, 2.0f, a, 3, k, b, 5, n, 0.5f, c, 7, n);
        final float[] before = c.clone();
        Gemm.sgemm(false, false, m, n, k, 2.0f, a, 3, k, b, 5, n, 0.5f, c, 7, n);
        compare(expected, bounds(false, false, m, n, k, 2.0f, a, 3, k, b, 5, n, 0.5f, before, 7, n), c, 7, n, m, n);
        for (int i = 0; i < 7; i++)
        {
            assertEquals(before[i], c[i], "outside C untouched");
        }
    }

    @Test
    void aPollRunsBetweenBlocksOnItsOwnThreadOnlyAndChangesNoBit() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(45);
        final int m = 200; // two blocks of rows (192 each)
        final int n = 37;
        final int k = 600; // three blocks of depth (256 each)
        final float[] a = randomArray(random, m * k);
        final float[] b = randomArray(random, k * n);
        final float[] without = new float[m * n];
        Gemm.sgemm(false, false, m, n, k, 1.0f, a, 0, k, b, 0, n, 0.0f, without, 0, n);
        final int[] polls = new int[1];
        final float[] with = new float[m * n];
        Gemm.pollOnThisThread(() -> polls[0]++);
        try
        {
            Gemm.sgemm(false, false, m, n, k, 1.0f, a, 0, k, b, 0, n, 0.0f, with, 0, n);
            assertEquals(6, polls[0], "after each of the 3 x 2 blocks of depth and rows");
            assertArrayEquals(without, with, "the same bits with a poll");
            final Thread other = new Thread(() -> Gemm.sgemm(false, false, m, n, k, 1.0f, a, 0, k, b, 0, n, 0.0f,
                new float[m * n], 0, n));
            other.start();
            other.join();
            assertEquals(6, polls[0], "another thread's multiplication does not run this thread's poll");
        }
        finally
        {
            Gemm.pollOnThisThread(null);
        }
        Gemm.sgemm(false, false, m, n, k, 1.0f, a, 0, k, b, 0, n, 0.0f, with, 0, n);
        assertEquals(6, polls[0], "a cleared poll runs no more");
        Gemm.pollOnThisThread(() ->
        {
            throw new IllegalStateException("a peer died");
        });
        try
        {
            assertEquals("a peer died", assertThrows(IllegalStateException.class, () ->
                Gemm.sgemm(false, false, m, n, k, 1.0f, a, 0, k, b, 0, n, 0.0f, with, 0, n)).getMessage(),
                "what the poll throws abandons the multiplication");
        }
        finally
        {
            Gemm.pollOnThisThread(null);
        }
    }

    @Test
    void rejectsBadShapes()
    {
        final float[] x = new float[16];
        assertThrows(IllegalArgumentException.class, () -> Gemm.sgemm(false, false, -1, 2, 2, 1, x, 0, 2, x, 0, 2, 0, x, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Gemm.sgemm(false, false, 2, 2, 3, 1, x, 0, 2, x, 0, 2, 0, x, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Gemm.sgemm(false, false, 2, 3, 2, 1, x, 0, 2, x, 0, 3, 0, x, 0, 2));
    }

    private static void checkOffHeap(
        final SplittableRandom random,
        final boolean transA,
        final boolean transB,
        final int m,
        final int n,
        final int k,
        final float alpha,
        final float beta,
        final int pad)
    {
        final int lda = (transA ? m : k) + pad;
        final int ldb = (transB ? k : n) + pad;
        final int ldc = n + pad;
        final float[] a = randomArray(random, (transA ? k : m) * lda);
        final float[] b = randomArray(random, (transB ? n : k) * ldb);
        final float[] c = randomArray(random, m * ldc);
        if (beta == 0.0f)
        {
            java.util.Arrays.fill(c, Float.NaN);
        }
        final double[] expected = naive(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
        final double[] bound = bounds(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
        try (Arena arena = Arena.ofConfined())
        {
            // Misaligned by a float or two: nothing in the kernel may assume alignment.
            final MemorySegment as = arena.allocate(4L * a.length + 64, 64).asSlice(4);
            final MemorySegment bs = arena.allocate(4L * b.length + 64, 64).asSlice(8);
            final MemorySegment cs = arena.allocate(4L * c.length + 64, 64).asSlice(12);
            MemorySegment.copy(a, 0, as, ValueLayout.JAVA_FLOAT, 0, a.length);
            MemorySegment.copy(b, 0, bs, ValueLayout.JAVA_FLOAT, 0, b.length);
            MemorySegment.copy(c, 0, cs, ValueLayout.JAVA_FLOAT, 0, c.length);
            Gemm.sgemm(transA, transB, m, n, k, alpha, as.address(), lda, bs.address(), ldb, beta, cs.address(), ldc);
            final float[] result = cs.asSlice(0, 4L * c.length).toArray(ValueLayout.JAVA_FLOAT);
            compare(expected, bound, result, 0, ldc, m, n);
            for (int i = 0; i < m; i++)
            {
                for (int j = n; j < ldc; j++)
                {
                    assertEquals(Float.floatToRawIntBits(c[i * ldc + j]), Float.floatToRawIntBits(result[i * ldc + j]),
                        "padding of C untouched");
                }
            }
        }
    }

    static float[] randomArray(final SplittableRandom random, final int length)
    {
        final float[] x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)random.nextDouble(-1, 1);
        }
        return x;
    }

    private static double[] naive(
        final boolean transA, final boolean transB, final int m, final int n, final int k, final float alpha,
        final float[] a, final int aOff, final int lda, final float[] b, final int bOff, final int ldb,
        final float beta, final float[] c, final int cOff, final int ldc)
    {
        final double[] out = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[aOff + (transA ? p * lda + i : i * lda + p)] *
                        b[bOff + (transB ? j * ldb + p : p * ldb + j)];
                }
                out[i * n + j] = alpha * sum + (beta == 0.0f ? 0.0 : (double)beta * c[cOff + i * ldc + j]);
            }
        }
        return out;
    }

    /** Error bound per element: a float dot product of length k plus the alpha/beta update, generously. */
    private static double[] bounds(
        final boolean transA, final boolean transB, final int m, final int n, final int k, final float alpha,
        final float[] a, final int aOff, final int lda, final float[] b, final int bOff, final int ldb,
        final float beta, final float[] c, final int cOff, final int ldc)
    {
        final double[] out = new double[m * n];
        final double eps = Math.ulp(1.0f);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double abs = 0;
                for (int p = 0; p < k; p++)
                {
                    abs += Math.abs((double)a[aOff + (transA ? p * lda + i : i * lda + p)] *
                        b[bOff + (transB ? j * ldb + p : p * ldb + j)]);
                }
                final double cTerm = beta == 0.0f ? 0.0 : Math.abs((double)beta * c[cOff + i * ldc + j]);
                out[i * n + j] = (k + 4) * eps * (Math.abs(alpha) * abs + cTerm) + Float.MIN_NORMAL;
            }
        }
        return out;
    }

    private static void compare(
        final double[] expected, final double[] bound, final float[] actual, final int off, final int ld, final int m,
        final int n)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                final double e = expected[i * n + j];
                final float x = actual[off + i * ld + j];
                if (!(Math.abs(e - x) <= bound[i * n + j]))
                {
                    fail("C[" + i + "][" + j + "] = " + x + ", expected " + e + " +- " + bound[i * n + j]);
                }
            }
        }
    }
}
