import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.kernels.ReduceKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * dst = a + b through ReduceKernels over BYTES of DTYPE, in whatever JVM it is started in (with or without the
 * Vector API module): prints the median of 7 timed rounds in GB/s, counting the three streams (two read, one
 * written). Run by kernel-speed.sh.
 */
public final class ReduceKernelSpeed
{
    public static void main(final String[] args)
    {
        final long bytes = Long.parseLong(args[0]);
        final DType dtype = DType.valueOf(args[1]);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment a = arena.allocate(bytes, 64);
            final MemorySegment b = arena.allocate(bytes, 64);
            final MemorySegment dst = arena.allocate(bytes, 64);
            final long count = bytes / dtype.bytes();
            for (int i = 0; i < 200; i++)
            {
                ReduceKernels.reduce(ReduceOp.SUM, dtype, dst.address(), a.address(), b.address(), Math.min(count, 65536));
            }
            final double[] rounds = new double[7];
            final int reps = (int)Math.max(5, (1L << 31) / bytes);
            for (int r = 0; r < rounds.length; r++)
            {
                final long start = System.nanoTime();
                for (int i = 0; i < reps; i++)
                {
                    ReduceKernels.reduce(ReduceOp.SUM, dtype, dst.address(), a.address(), b.address(), count);
                }
                rounds[r] = 3.0 * bytes * reps / (System.nanoTime() - start);
            }
            Arrays.sort(rounds);
            System.out.printf("%s %d B, Vector API module %s: %.1f GB/s%n", dtype, bytes,
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "yes" : "no", rounds[3]);
        }
    }
}
