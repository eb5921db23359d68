package dev.ringfold.bench.jmh;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What the JMH kernel benchmarks share (JMH reads these annotations from the superclass): one thread, the average
 * time of 3 warm-up and 5 measured iterations of a second, one fork with the flags the kernels need (the Vector
 * API module, Agrona's and Arrow's access to memory), and off-heap buffers from one arena that lives for the trial.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
    "--add-modules=jdk.incubator.vector" })
public abstract class OffHeapBenchmark
{
    private final Arena arena = Arena.ofShared();

    /** Zeroed bytes aligned to a cache line, freed at the end of the trial. */
    protected final MemorySegment allocate(final long bytes)
    {
        return arena.allocate(bytes, 64);
    }

    @TearDown(Level.Trial)
    public void freeBuffers()
    {
        arena.close();
    }
}
