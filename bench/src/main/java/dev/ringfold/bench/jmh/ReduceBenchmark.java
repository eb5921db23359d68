package dev.ringfold.bench.jmh;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The reduce kernel ({@code dst += src}, F32, off-heap) against a scalar off-heap loop and a plain copy of the same
 * bytes from src to dst, in one run so that the ratios compare like with like. {@code bytes} is the size of each
 * buffer: 256 KiB fits in L2 (two buffers, 512 KiB, of a 1 MiB L2), 16 MiB does not fit in L2 and two of them
 * (32 MiB) fill the L3. Run with {@code -prof gc} to see that the kernel allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
    "--add-modules=jdk.incubator.vector" })
public class ReduceBenchmark
{
    @Param({ "262144", "16777216" })
    public int bytes;

    private Arena arena;
    private long dst;
    private long src;

    @Setup(Level.Trial)
    public void setUp()
    {
        arena = Arena.ofShared();
        final MemorySegment d = arena.allocate(bytes, 64);
        final MemorySegment s = arena.allocate(bytes, 64);
        for (long i = 0; i < bytes / 4; i++)
        {
            // Small values that stay normal however often they are added: no subnormal or infinite slow paths.
            d.setAtIndex(ValueLayout.JAVA_FLOAT, i, 0.0f);
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 3) * 0.25f);
        }
        dst = d.address();
        src = s.address();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        arena.close();
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
