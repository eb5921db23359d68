package dev.ringfold.bench;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.Gemm;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensor kernels' headline figures on rank 0 ({@code bin/ringfold-bench kernels} starts one rank unless -np
 * says otherwise; other ranks only wait for rank 0's verdict of each size): per size, the F32 SUM reduce {@code dst += src}
 * and a plain copy of the same bytes, alternating, both as GB/s of the vector (bytes / time, so their ratio is the
 * ratio of times); after the last size, SGEMM 1024^3 in GFLOP/s. Medians; the reduce is checked against the
 * expected sums. JMH gives the full picture (docs/kernels.md); this is the quick, comparable line.
 */
final class KernelsOp implements SizedOp
{
    private static final int GEMM_N = 1024;

    private UnsafeBuffer a;
    private UnsafeBuffer b;
    private int largest;
    private final Samples reduceTimes = new Samples(64);
    private final Samples copyTimes = new Samples(64);

    @Override
    public String name()
    {
        return "kernels";
    }

    @Override
    public String summary()
    {
        return "kernels: reduce_f32_sum and copy of the same bytes (GB/s of vector), then gemm_f32 1024^3 (GFLOP/s)";
    }

    @Override
    public int minRanks()
    {
        return 1;
    }

    @Override
    public String defaultSizes()
    {
        return "256K,16M";
    }

    @Override
    public void setUp(final BenchContext ctx, final int maxBytes)
    {
        final int bytes = Math.max(maxBytes, GEMM_N * GEMM_N * 4);
        a = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 4096));
        b = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 4096));
        largest = maxBytes;
    }

    @Override
    public List<Measurement> measure(final BenchContext ctx, final int bytes)
    {
        if (ctx.rank() != 0)
        {
            ctx.verdict(0, "reduce_f32_sum of " + Sizes.label(bytes)); // rank 0's verdict is collective
            return List.of();
        }
        final long n = Math.max(1, bytes / 4);
        final long dst = a.addressOffset();
        final long src = b.addressOffset();
        for (long i = 0; i < n; i++)
        {
            UnsafeApi.putFloat(dst + 4 * i, 0);
            UnsafeApi.putFloat(src + 4 * i, 1);
        }
        final int timed = ctx.options().timedIterations(bytes);
        final int warm = BenchOptions.warmupIterations(timed);
        reduceTimes.reset(timed);
        copyTimes.reset(timed);
        long bad = 0;
        for (int it = 0; it < warm + timed; it++)
        {
            long t = Samples.now();
            ReduceKernels.reduce(ReduceOp.SUM, DType.F32, dst, src, n);
            final long reduce = Samples.now() - t;
            t = Samples.now();
            UnsafeApi.copyMemory(null, src, null, dst, 4 * n);
            final long copy = Samples.now() - t;
            if (it >= warm)
            {
                reduceTimes.add(reduce);
                copyTimes.add(copy);
            }
            // the copy left dst = src = 1: the next reduce must give 2 everywhere
            ReduceKernels.reduce(ReduceOp.SUM, DType.F32, dst, src, n);
            bad += UnsafeApi.getFloat(dst) == 2 && UnsafeApi.getFloat(dst + 4 * (n - 1)) == 2 ? 0 : 1;
        }
        ctx.verdict(bad, "reduce_f32_sum of " + Sizes.label(bytes));
        final List<Measurement> rows = new ArrayList<>();
        rows.add(Measurement.of("reduce_f32_sum", 1, "cpu", 4 * n, reduceTimes, 1));
        rows.add(Measurement.of("copy", 1, "cpu", 4 * n, copyTimes, 1));
        if (bytes == largest)
        {
            rows.add(gemm());
        }
        return rows;
    }

    private Measurement gemm()
    {
        final long n = GEMM_N;
        final UnsafeBuffer product = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)(n * n * 4), 4096));
        final long c = product.addressOffset(); // the buffer stays referenced while GEMM writes it
        final long x = a.addressOffset();
        final long y = b.addressOffset();
        for (long i = 0; i < n * n; i++)
        {
            UnsafeApi.putFloat(x + 4 * i, (i % 13) * 0.25f);
            UnsafeApi.putFloat(y + 4 * i, (i % 7) * 0.5f);
        }
        final Samples times = new Samples(16);
        for (int it = 0; it < 8; it++)
        {
            final long t = Samples.now();
            Gemm.sgemm(false, false, GEMM_N, GEMM_N, GEMM_N, 1f, x, GEMM_N, y, GEMM_N, 0f, c, GEMM_N);
            if (it >= 3)
            {
                times.add(Samples.now() - t);
            }
        }
        times.sort();
        double expected = 0; // C[0][0] = sum over k of A[0][k] * B[k][0]
        for (long k = 0; k < n; k++)
        {
            expected += (k % 13) * 0.25 * ((k * n) % 7) * 0.5;
        }
        if (Math.abs(product.getFloat(0) - expected) > 1e-4 * Math.abs(expected))
        {
            throw new BenchFailure("gemm_f32: C[0][0] is " + product.getFloat(0) + ", expected " + expected);
        }
        final double usec = times.medianNs() / 1e3;
        return Measurement.ofCompute("gemm_f32", n, times.count(), usec, times.minNs() / 1e3, 2.0 * n * n * n / usec / 1e3);
    }
}
