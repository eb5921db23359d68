package dev.ringfold.bench.jmh;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The reduce kernel ({@code dst += src}, F32, off-heap) against a scalar off-heap loop and a plain copy of the same
 * bytes from src to dst, in one run so that the ratios compare like with like. {@code bytes} is the size of each
 * buffer: 256 KiB fits in L2 (two buffers, 512 KiB, of a 1 MiB L2), 16 MiB does not fit in L2 and two of them
 * (32 MiB) fill the L3. Run with {@code -prof gc} to see that the kernel allocates nothing.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ReduceBenchmark extends OffHeapBenchmark
{
    @Param({ "262144", "16777216" })
    public int bytes;

    private long dst;
    private long src;

    @Setup(Level.Trial)
    public void setUp()
    {
        final MemorySegment d = allocate(bytes);
        final MemorySegment s = allocate(bytes);
        for (long i = 0; i < bytes / 4; i++)
        {
            // Small values that stay normal however often they are added: no subnormal or infinite slow paths.
            d.setAtIndex(ValueLayout.JAVA_FLOAT, i, 0.0f);
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 3) * 0.25f);
        }
        dst = d.address();
        src = s.address();
    }

    /** The kernel: Vector API, preferred species (16 floats on AVX-512), scalar tail. */
    @Benchmark
    public void vectorReduceF32()
    {
        ReduceKernels.reduce(ReduceOp.SUM, DType.F32, dst, src, bytes / 4);
    }

    /** The same over the same bytes as BF16: widen, add in F32, round to nearest even, store. */
    @Benchmark
    public void vectorReduceBf16()
    {
        ReduceKernels.reduce(ReduceOp.SUM, DType.BF16, dst, src, bytes / 2);
    }

    /** A plain scalar loop over off-heap memory, which C2 does not vectorise. */
    @Benchmark
    public void scalarReduceF32()
    {
        final long d = dst;
        final long s = src;
        for (long o = 0, end = bytes; o < end; o += 4)
        {
            UnsafeApi.putFloat(d + o, UnsafeApi.getFloat(d + o) + UnsafeApi.getFloat(s + o));
        }
    }

    /** memcpy of the same bytes, src to dst: the bandwidth yardstick. */
    @Benchmark
    public void copy()
    {
        UnsafeApi.copyMemory(src, dst, bytes);
    }
}
