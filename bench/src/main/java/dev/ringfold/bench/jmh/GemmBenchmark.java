package dev.ringfold.bench.jmh;

import dev.ringfold.tensors.kernels.Gemm;
import dev.ringfold.tensors.kernels.Init;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.agrona.UnsafeApi;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * SGEMM, C = A * B, square n x n x n, off-heap, row-major: the blocked Vector API kernel against a naive triple
 * loop (i, j, p with a scalar dot product, as in a textbook), and the core's attainable vector FMA rate
 * ({@link #fmaPeak}). GFLOP/s = 2 n^3 / time. One thread.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GemmBenchmark extends OffHeapBenchmark
{
    /** Iterations of {@link #fmaPeak}. */
    public static final int PEAK_ITERATIONS = 1 << 20;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Param({ "1024" })
    public int n;

    private long a;
    private long b;
    private long c;

    @Setup(Level.Trial)
    public void setUp()
    {
        final long bytes = 4L * n * n;
        a = allocate(bytes).address();
        b = allocate(bytes).address();
        c = allocate(bytes).address();
        Init.uniform(1, 0, a, (long)n * n, -1, 1);
        Init.uniform(2, 0, b, (long)n * n, -1, 1);
    }

    @Benchmark
    public void blocked()
    {
        Gemm.sgemm(false, false, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    }

    /**
     * The core's attainable FMA rate, measured in the same run: 24 independent chains of vector FMAs on registers
     * (no memory traffic), {@value #PEAK_ITERATIONS} iterations, so FLOP/op = 2 * lanes * 24 * iterations.
     */
    @Benchmark
    public float fmaPeak()
    {
        final FloatVector x = FloatVector.broadcast(S, 0.999f);
        final FloatVector y = FloatVector.broadcast(S, 1e-6f);
        FloatVector c0 = FloatVector.broadcast(S, 0);
        FloatVector c1 = FloatVector.broadcast(S, 1);
        FloatVector c2 = FloatVector.broadcast(S, 2);
        FloatVector c3 = FloatVector.broadcast(S, 3);
        FloatVector c4 = FloatVector.broadcast(S, 4);
        FloatVector c5 = FloatVector.broadcast(S, 5);
        FloatVector c6 = FloatVector.broadcast(S, 6);
        FloatVector c7 = FloatVector.broadcast(S, 7);
        FloatVector c8 = FloatVector.broadcast(S, 8);
        FloatVector c9 = FloatVector.broadcast(S, 9);
        FloatVector c10 = FloatVector.broadcast(S, 10);
        FloatVector c11 = FloatVector.broadcast(S, 11);
        FloatVector c12 = FloatVector.broadcast(S, 12);
        FloatVector c13 = FloatVector.broadcast(S, 13);
        FloatVector c14 = FloatVector.broadcast(S, 14);
        FloatVector c15 = FloatVector.broadcast(S, 15);
        FloatVector c16 = FloatVector.broadcast(S, 16);
        FloatVector c17 = FloatVector.broadcast(S, 17);
        FloatVector c18 = FloatVector.broadcast(S, 18);
        FloatVector c19 = FloatVector.broadcast(S, 19);
        FloatVector c20 = FloatVector.broadcast(S, 20);
        FloatVector c21 = FloatVector.broadcast(S, 21);
        FloatVector c22 = FloatVector.broadcast(S, 22);
        FloatVector c23 = FloatVector.broadcast(S, 23);
        for (int i = 0; i < PEAK_ITERATIONS; i++)
        {
            c0 = c0.fma(x, y);
            c1 = c1.fma(x, y);
            c2 = c2.fma(x, y);
            c3 = c3.fma(x, y);
            c4 = c4.fma(x, y);
            c5 = c5.fma(x, y);
            c6 = c6.fma(x, y);
            c7 = c7.fma(x, y);
            c8 = c8.fma(x, y);
            c9 = c9.fma(x, y);
            c10 = c10.fma(x, y);
            c11 = c11.fma(x, y);
            c12 = c12.fma(x, y);
            c13 = c13.fma(x, y);
            c14 = c14.fma(x, y);
            c15 = c15.fma(x, y);
            c16 = c16.fma(x, y);
            c17 = c17.fma(x, y);
            c18 = c18.fma(x, y);
            c19 = c19.fma(x, y);
            c20 = c20.fma(x, y);
            c21 = c21.fma(x, y);
            c22 = c22.fma(x, y);
            c23 = c23.fma(x, y);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15).add(c16).add(c17).add(c18).add(c19).add(c20).add(c21).add(c22).add(c23).reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    public void naive()
    {
        final long n4 = 4L * n;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0.0f;
                for (int p = 0; p < n; p++)
                {
                    sum += UnsafeApi.getFloat(a + i * n4 + 4L * p) * UnsafeApi.getFloat(b + p * n4 + 4L * j);
                }
                UnsafeApi.putFloat(c + i * n4 + 4L * j, sum);
            }
        }
    }
}
