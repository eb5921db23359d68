package dev.ringfold.tensors.kernels;

import dev.ringfold.mpi.JvmFlags;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mpjrun starts ranks of programs that use only the mpi APIs without the Vector API module (it costs start-up), and
 * the collectives reduce there all the same: ReduceKernels runs the plain Java loops for F32, F64, the integers and
 * U8. A child JVM started with the runtime's flags only runs every op of those types and prints a digest of each
 * output, which must match, bit for bit, what this JVM (which has the module: the vector loops) computes from the
 * same inputs. BF16/F16 and the layers, which have vector loops only, must fail with an error naming the flag, not
 * a NoClassDefFoundError.
 */
@Timeout(300)
final class WithoutVectorApiTest
{
    private static final String CASE = "case ";

    @Test
    void scalarPathGivesTheVectorPathsBitsAndTheRestNamesTheMissingFlag() throws Exception
    {
        assertTrue(JvmFlags.hasVectorApi(), "this JVM is to run the vector loops: surefire's argLine adds the module");
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.REQUIRED);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WithoutModule.class.getName()));
        final Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        assertFalse(output.contains("module present"), output);
        assertFalse(output.contains("NoClassDefFoundError"), output);

        final List<String> expected = Digests.all();
        final List<String> actual = output.lines().filter(l -> l.startsWith(CASE)).toList();
        assertEquals(expected.size(), actual.size(), output);
        final List<String> differing = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++)
        {
            if (!expected.get(i).equals(actual.get(i)))
            {
                differing.add("vector " + expected.get(i) + " / scalar " + actual.get(i));
            }
        }
        assertEquals(List.of(), differing, "cases whose outputs differ between the two paths");

        final List<String> refusals = output.lines().filter(l -> l.startsWith(WithoutModule.REFUSED)).toList();
        assertEquals(WithoutModule.VECTOR_ONLY.size(), refusals.size(), output);
        for (final String refusal : refusals)
        {
            assertTrue(refusal.contains(": IllegalStateException: ") && refusal.contains(JvmFlags.VECTOR_API), output);
        }
        assertTrue(output.contains(WithoutModule.ALLOCATED + "0\n"), output);
    }

    /** The child: the scalar path's digests, then what each vector-only entry throws, then an allocation check. */
    static final class WithoutModule
    {
        static final String REFUSED = "refused ";
        static final String ALLOCATED = "allocated by the scalar kernels once compiled: ";
        static final List<String> VECTOR_ONLY = List.of("BF16 reduce", "F16 reduce", "BF16 reduceAll",
            "F16 reduceAll", "BF16 widenToF32", "F16 accumulateToF32", "BF16 roundFromF32", "F16 divide",
            "BF16 scale", dev.ringfold.tensors.nn.Linear.class.getName());

        public static void main(final String[] args)
        {
            if (JvmFlags.hasVectorApi())
            {
                System.out.println("module present");
            }
            Digests.all().forEach(System.out::println);
            try (Arena arena = Arena.ofConfined())
            {
                final long a = Scalar.allocate(arena, 64, 1);
                for (final String what : VECTOR_ONLY)
                {
                    System.out.println(REFUSED + what + ": " + attempt(what, a));
                }
            }
            try
            {
                AllocationFree.assertEventually("scalar kernels", allocationBatch());
                System.out.println(ALLOCATED + 0);
            }
            catch (final AssertionError ex)
            {
                System.out.println(ALLOCATED + ex.getMessage());
            }
        }

        /** What the first use of a vector-only entry throws, as "Type: message" ("no error" if it returns). */
        private static String attempt(final String what, final long x)
        {
            try
            {
                switch (what)
                {
                    case "BF16 reduce" -> ReduceKernels.reduce(ReduceOp.SUM, DType.BF16, x, x, 4);
                    case "F16 reduce" -> ReduceKernels.reduce(ReduceOp.MAX, DType.F16, x, x, x, 4);
                    case "BF16 reduceAll" -> ReduceKernels.reduceAll(ReduceOp.SUM, DType.BF16, x, new long[]{ x }, 4);
                    case "F16 reduceAll" -> ReduceKernels.reduceAll(ReduceOp.MIN, DType.F16, x, new long[]{ x }, 4);
                    case "BF16 widenToF32" -> ReduceKernels.widenToF32(DType.BF16, x, x, 4);
                    case "F16 accumulateToF32" -> ReduceKernels.accumulateToF32(ReduceOp.SUM, DType.F16, x, x, 4);
                    case "BF16 roundFromF32" -> ReduceKernels.roundFromF32(DType.BF16, x, x, 4);
                    case "F16 divide" -> ReduceKernels.divide(DType.F16, x, 4, 3);
                    case "BF16 scale" -> ReduceKernels.scale(DType.BF16, x, 4, 0.5);
                    default -> Class.forName(what, true, WithoutModule.class.getClassLoader());
                }
                return "no error";
            }
            catch (final ExceptionInInitializerError ex)
            {
                return ex.getCause().getClass().getSimpleName() + ": " + ex.getCause().getMessage();
            }
            catch (final Throwable ex)
            {
                return ex.getClass().getSimpleName() + ": " + ex.getMessage();
            }
        }

        /** Every op of every scalar dtype, through each entry; the buffers live as long as the JVM. */
        private static Runnable allocationBatch()
        {
            final int n = 4099;
            final Arena arena = Arena.global();
            final long a = Scalar.allocate(arena, 8L * n, 1);
            final long b = Scalar.allocate(arena, 8L * n, 2);
            final long[] srcs = { a, b, b };
            final DType[] dtypes = Digests.SCALAR_TYPES.clone();
            final ReduceOp[] ops = ReduceOp.values();
            return () ->
            {
                KernelAllocationTest.reduceEveryOp(dtypes, ops, a, b, srcs, n);
                ReduceKernels.scale(DType.F32, a, n, 0.5);
                ReduceKernels.scale(DType.F64, a, n, 0.5);
                ReduceKernels.accumulateToF32(ReduceOp.SUM, DType.F32, a, b, n);
            };
        }
    }

    /**
     * The cases both JVMs run, as lines "case NAME DIGEST", in the same order from the same seeds: SHA-256 of each
     * output's bytes, with every F32/F64 NaN made the canonical one (NaN payloads are not specified; ReduceKernelsTest
     * treats them the same way). Buffers start at odd byte offsets; 1000 elements reach the vector lanes.
     */
    static final class Digests
    {
        static final DType[] SCALAR_TYPES = { DType.F32, DType.F64, DType.I32, DType.I64, DType.I8, DType.U8 };
        private static final int[] COUNTS = { 0, 1, 7, 1000 };
        private static final int MAX_SOURCES = 4;

        private final List<String> lines = new ArrayList<>();
        private final Arena arena;
        private final SplittableRandom random = new SplittableRandom(42);

        private Digests(final Arena arena)
        {
            this.arena = arena;
        }

        static List<String> all()
        {
            try (Arena arena = Arena.ofConfined())
            {
                final Digests digests = new Digests(arena);
                for (final DType dtype : SCALAR_TYPES)
                {
                    for (final int n : COUNTS)
                    {
                        digests.reductions(dtype, n);
                        digests.divideAndScale(dtype, n);
                    }
                }
                for (final int n : COUNTS)
                {
                    digests.f32Accumulation(n);
                }
                return digests.lines;
            }
        }

        private void reductions(final DType dtype, final int n)
        {
            for (final ReduceOp op : ReduceOp.values())
            {
                if (!op.supports(dtype))
                {
                    continue;
                }
                final String name = dtype + " " + op + " n=" + n;
                final long a = random(dtype, n, 1);
                final long b = random(dtype, n, 3);
                final long out = Scalar.allocate(arena, (long)n * dtype.bytes(), 5);
                ReduceKernels.reduce(op, dtype, out, a, b, n);
                add(name + " out-of-place", dtype, out, n);
                ReduceKernels.reduce(op, dtype, a, b, n);
                add(name + " in-place", dtype, a, n);
                for (int k = 1; k <= MAX_SOURCES; k++)
                {
                    final long[] srcs = new long[k];
                    for (int j = 0; j < k; j++)
                    {
                        srcs[j] = random(dtype, n, 2 * j + 1);
                    }
                    ReduceKernels.reduceAll(op, dtype, out, srcs, n);
                    add(name + " reduceAll k=" + k, dtype, out, n);
                    ReduceKernels.reduceAll(op, dtype, srcs[k - 1], srcs, n);
                    add(name + " reduceAll k=" + k + " into the last source", dtype, srcs[k - 1], n);
                }
            }
        }

        private void divideAndScale(final DType dtype, final int n)
        {
            for (final int divisor : new int[]{ 1, 3, 7 })
            {
                final long x = random(dtype, n, 7);
                ReduceKernels.divide(dtype, x, n, divisor);
                add(dtype + " divide by " + divisor + " n=" + n, dtype, x, n);
            }
            if (dtype.isFloatingPoint())
            {
                final long x = random(dtype, n, 5);
                ReduceKernels.scale(dtype, x, n, 0.1);
                add(dtype + " scale n=" + n, dtype, x, n);
            }
        }

        /** The F32 case of the accumulator entries, which the BF16/F16 ones share. */
        private void f32Accumulation(final int n)
        {
            final long acc = Scalar.allocate(arena, 4L * n, 3);
            final long out = Scalar.allocate(arena, 4L * n, 1);
            ReduceKernels.widenToF32(DType.F32, acc, random(DType.F32, n, 5), n);
            for (final ReduceOp op : new ReduceOp[]{ ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX })
            {
                ReduceKernels.accumulateToF32(op, DType.F32, acc, random(DType.F32, n, 7), n);
            }
            ReduceKernels.roundFromF32(DType.F32, out, acc, n);
            add("F32 widen, accumulate, round n=" + n, DType.F32, out, n);
        }

        private long random(final DType dtype, final int n, final int misalign)
        {
            final long address = Scalar.allocate(arena, (long)n * dtype.bytes(), misalign);
            Scalar.fillRandom(dtype, address, n, random);
            return address;
        }

        private void add(final String name, final DType dtype, final long address, final int n)
        {
            final MessageDigest sha;
            try
            {
                sha = MessageDigest.getInstance("SHA-256");
            }
            catch (final NoSuchAlgorithmException ex)
            {
                throw new AssertionError(ex);
            }
            for (int i = 0; i < n; i++)
            {
                long bits = Scalar.get(dtype, address, i);
                if (dtype == DType.F32 && Float.isNaN(Float.intBitsToFloat((int)bits)))
                {
                    bits = Float.floatToIntBits(Float.NaN);
                }
                else if (dtype == DType.F64 && Double.isNaN(Double.longBitsToDouble(bits)))
                {
                    bits = Double.doubleToLongBits(Double.NaN);
                }
                for (int byteIndex = 0; byteIndex < dtype.bytes(); byteIndex++)
                {
                    sha.update((byte)(bits >>> (8 * byteIndex)));
                }
            }
            lines.add(CASE + name.replace(' ', '_') + " " + HexFormat.of().formatHex(sha.digest()));
        }
    }
}
