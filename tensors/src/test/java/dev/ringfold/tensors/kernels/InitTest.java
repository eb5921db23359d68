package dev.ringfold.tensors.kernels;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static dev.ringfold.tensors.kernels.NnTest.f;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class InitTest
{
    @Test
    void bitsAreTheSplittableRandomSequence()
    {
        for (final long seed : new long[]{ 0, 1, -5, 0x1234_5678_9abcL })
        {
            final SplittableRandom reference = new SplittableRandom(seed);
            for (int i = 0; i < 1000; i++)
            {
                assertEquals(reference.nextLong(), Init.bits(seed, i), "seed " + seed + " index " + i);
            }
        }
    }

    @Test
    void aShardGetsTheSameValuesAsTheWholeTensor()
    {
        final int n = 1001;
        try (Arena arena = Arena.ofConfined())
        {
            final long whole = Scalar.allocate(arena, 4L * n, 0);
            final long shard = Scalar.allocate(arena, 4L * n, 1);
            Init.normal(7, 0, whole, n, 0.5f, 2.0f);
            // Two shards split at an odd index, so a Box-Muller pair straddles them.
            Init.normal(7, 0, shard, 333, 0.5f, 2.0f);
            Init.normal(7, 333, shard + 4L * 333, n - 333, 0.5f, 2.0f);
            for (int i = 0; i < n; i++)
            {
                assertEquals(Float.floatToRawIntBits(f(whole, i)), Float.floatToRawIntBits(f(shard, i)), "element " + i);
            }
            Init.uniform(7, 0, whole, n, -1, 1);
            Init.uniform(7, 500, shard + 4L * 500, n - 500, -1, 1);
            for (int i = 500; i < n; i++)
            {
                assertEquals(f(whole, i), f(shard, i));
            }
            Init.uniform(8, 0, shard, n, -1, 1);
            assertNotEquals(f(whole, 0), f(shard, 0), "another seed, another stream");
        }
    }

    @Test
    void distributionsHaveTheirMomentsAndRanges()
    {
        final int n = 200_000;
        try (Arena arena = Arena.ofConfined())
        {
            final long x = Scalar.allocate(arena, 4L * n, 0);
            Init.he(11, 0, x, n, 50);
            assertMoments(x, n, 0.0, Math.sqrt(2.0 / 50));

            Init.xavier(12, 0, x, n, 30, 70);
            final double a = Math.sqrt(6.0 / 100);
            assertMoments(x, n, 0.0, a / Math.sqrt(3));
            for (int i = 0; i < n; i++)
            {
                assertTrue(f(x, i) >= -a - 1e-7 && f(x, i) <= a + 1e-7, "inside (-a, a)");
            }

            Init.normal(13, 0, x, n, 3.0f, 0.5f);
            assertMoments(x, n, 3.0, 0.5);
        }
        assertThrows(IllegalArgumentException.class, () -> Init.he(1, 0, 0, 1, 0));
    }

    private static void assertMoments(final long x, final int n, final double mean, final double std)
    {
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            sum += f(x, i);
            squares += (double)f(x, i) * f(x, i);
        }
        final double m = sum / n;
        final double s = Math.sqrt(squares / n - m * m);
        // Five standard errors: a wrong scale (sqrt(2) off, or a variance used as a deviation) is far outside.
        assertEquals(mean, m, 5 * std / Math.sqrt(n), "mean");
        assertEquals(std, s, 5 * std / Math.sqrt(n), "standard deviation");
    }
}
