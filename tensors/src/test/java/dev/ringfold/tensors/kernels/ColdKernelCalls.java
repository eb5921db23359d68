package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A program's first reductions of 1 MiB of floats, each timed, in a fresh JVM: {@code vector} runs
 * {@link ReduceKernels#reduce} (the Vector API loops), {@code scalar} a plain loop over {@code MemorySegment}s
 * that C2 vectorises itself. It shows what the kernels cost before the JIT has compiled them (BENCHMARKS.md, "First
 * calls"). Prints the µs of each of 60 calls:
 * <pre>java $(cat bin/jvm-flags) -cp 'build/lib/*:tensors/target/test-classes' \
 *     dev.ringfold.tensors.kernels.ColdKernelCalls vector|scalar</pre>
 */
public final class ColdKernelCalls
{
    private ColdKernelCalls()
    {
    }

    private static void scalar(final MemorySegment d, final MemorySegment a, final MemorySegment b, final long n)
    {
        for (long i = 0; i < n; i++)
        {
            d.setAtIndex(ValueLayout.JAVA_FLOAT, i,
                a.getAtIndex(ValueLayout.JAVA_FLOAT, i) + b.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        }
    }

    public static void main(final String[] args)
    {
        final long n = 262_144;
        final Arena arena = Arena.ofConfined();
        final MemorySegment a = arena.allocate(n * 4, 64);
        final MemorySegment b = arena.allocate(n * 4, 64);
        final MemorySegment d = arena.allocate(n * 4, 64);
        final boolean vector = args.length > 0 && args[0].equals("vector");
        final StringBuilder line = new StringBuilder();
        for (int i = 0; i < 60; i++)
        {
            final long start = System.nanoTime();
            if (vector)
            {
                ReduceKernels.reduce(ReduceOp.SUM, DType.F32, d.address(), a.address(), b.address(), n);
            }
            else
            {
                scalar(d, a, b, n);
            }
            line.append((System.nanoTime() - start) / 1000).append(' ');
        }
        System.out.println(line.toString().trim());
        arena.close();
    }
}
