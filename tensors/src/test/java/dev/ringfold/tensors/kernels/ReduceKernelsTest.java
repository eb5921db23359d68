package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static dev.ringfold.tensors.kernels.Scalar.get;
import static dev.ringfold.tensors.kernels.Scalar.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property tests: every kernel against a plain scalar loop, for every dtype and op, lengths around the vector
 * widths (64 bytes is 16 floats or 64 bytes), and buffers misaligned by different amounts.
 */
final class ReduceKernelsTest
{
    private static final int[] LENGTHS = { 0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 255, 1000, 4099 };
    private static final int[][] MISALIGN = { { 0, 0, 0 }, { 1, 3, 5 }, { 2, 0, 7 }, { 3, 6, 1 } };

    @ParameterizedTest
    @EnumSource(DType.class)
    void inPlaceAndOutOfPlaceMatchScalar(final DType dtype)
    {
        final SplittableRandom random = new SplittableRandom(dtype.ordinal());
        for (final ReduceOp op : ReduceOp.values())
        {
            if (!op.supports(dtype))
            {
                continue;
            }
            for (final int n : LENGTHS)
            {
                for (final int[] mis : MISALIGN)
                {
                    try (Arena arena = Arena.ofConfined())
                    {
                        final long bytes = (long)n * dtype.bytes();
                        final long a = Scalar.allocate(arena, bytes, mis[0]);
                        final long b = Scalar.allocate(arena, bytes, mis[1]);
                        final long out = Scalar.allocate(arena, bytes, mis[2]);
                        Scalar.fillRandom(dtype, a, n, random);
                        Scalar.fillRandom(dtype, b, n, random);
                        final long[] expected = new long[n];
                        for (int i = 0; i < n; i++)
                        {
                            expected[i] = step(op, dtype, get(dtype, a, i), get(dtype, b, i));
                        }

                        ReduceKernels.reduce(op, dtype, out, a, b, n);
                        check(dtype, expected, out, op + " out of place, n=" + n);

                        ReduceKernels.reduce(op, dtype, a, b, n);
                        check(dtype, expected, a, op + " in place, n=" + n);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void outOfPlaceIntoSecondOperand(final DType dtype)
    {
        final SplittableRandom random = new SplittableRandom(100 + dtype.ordinal());
        final ReduceOp op = dtype.isInteger() ? ReduceOp.BXOR : ReduceOp.MAX;
        final int n = 1037;
        try (Arena arena = Arena.ofConfined())
        {
            final long a = Scalar.allocate(arena, (long)n * dtype.bytes(), 1);
            final long b = Scalar.allocate(arena, (long)n * dtype.bytes(), 2);
            Scalar.fillRandom(dtype, a, n, random);
            Scalar.fillRandom(dtype, b, n, random);
            final long[] expected = new long[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = step(op, dtype, get(dtype, a, i), get(dtype, b, i));
            }
            ReduceKernels.reduce(op, dtype, b, a, b, n);
            check(dtype, expected, b, "dst == b");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reduceAllMatchesScalarInSourceOrderAndRoundsOnce(final DType dtype)
    {
        final SplittableRandom random = new SplittableRandom(200 + dtype.ordinal());
        for (final ReduceOp op : ReduceOp.values())
        {
            if (!op.supports(dtype))
            {
                continue;
            }
            for (final int k : new int[]{ 1, 2, 3, 5 })
            {
                for (final int n : new int[]{ 0, 1, 17, 64, 65, 333, 2051 })
                {
                    try (Arena arena = Arena.ofConfined())
                    {
                        final long bytes = (long)n * dtype.bytes();
                        final long[] srcs = new long[k];
                        for (int j = 0; j < k; j++)
                        {
                            srcs[j] = Scalar.allocate(arena, bytes, (j * 3) % 8);
                            Scalar.fillRandom(dtype, srcs[j], n, random);
                        }
                        final long[] expected = new long[n];
                        for (int i = 0; i < n; i++)
                        {
                            expected[i] = multiStep(op, dtype, srcs, i);
                        }
                        final long dst = Scalar.allocate(arena, bytes, 5);
                        ReduceKernels.reduceAll(op, dtype, dst, srcs, n);
                        check(dtype, expected, dst, op + " reduceAll k=" + k + " n=" + n);

                        // The shared-memory all-reduce writes the result over one of its inputs.
                        ReduceKernels.reduceAll(op, dtype, srcs[k - 1], srcs, n);
                        check(dtype, expected, srcs[k - 1], op + " reduceAll into last source k=" + k + " n=" + n);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = { "F32", "BF16", "F16" })
    void f32AccumulationRoundsOnceAtTheEnd(final DType dtype)
    {
        final SplittableRandom random = new SplittableRandom(300 + dtype.ordinal());
        final int n = 1001;
        final int k = 4;
        for (final ReduceOp op : new ReduceOp[]{ ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX })
        {
            try (Arena arena = Arena.ofConfined())
            {
                final long[] srcs = new long[k];
                for (int j = 0; j < k; j++)
                {
                    srcs[j] = Scalar.allocate(arena, (long)n * dtype.bytes(), j + 1);
                    Scalar.fillRandom(dtype, srcs[j], n, random);
                }
                final long acc = Scalar.allocate(arena, n * 4L, 3);
                final long dst = Scalar.allocate(arena, (long)n * dtype.bytes(), 1);
                ReduceKernels.widenToF32(dtype, acc, srcs[0], n);
                for (int j = 1; j < k; j++)
                {
                    ReduceKernels.accumulateToF32(op, dtype, acc, srcs[j], n);
                }
                ReduceKernels.roundFromF32(dtype, dst, acc, n);
                final long[] expected = new long[n];
                for (int i = 0; i < n; i++)
                {
                    expected[i] = multiStep(op, dtype, srcs, i);
                }
                check(dtype, expected, dst, op + " via F32 accumulator");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void compiledLoopsGiveTheSameBits(final DType dtype)
    {
        // The checks above run mostly interpreted; repeating one call lets C2 compile the vector loops (and the
        // Vector API's intrinsics), whose results must be the same bits.
        final SplittableRandom random = new SplittableRandom(600 + dtype.ordinal());
        final int n = 2051;
        for (final ReduceOp op : ReduceOp.values())
        {
            if (!op.supports(dtype))
            {
                continue;
            }
            try (Arena arena = Arena.ofConfined())
            {
                final long bytes = (long)n * dtype.bytes();
                final long[] srcs = { Scalar.allocate(arena, bytes, 1), Scalar.allocate(arena, bytes, 2),
                    Scalar.allocate(arena, bytes, 3) };
                for (final long src : srcs)
                {
                    Scalar.fillRandom(dtype, src, n, random);
                }
                final long out = Scalar.allocate(arena, bytes, 0);
                final long all = Scalar.allocate(arena, bytes, 7);
                for (int rep = 0; rep < 400; rep++)
                {
                    ReduceKernels.reduce(op, dtype, out, srcs[0], srcs[1], n);
                    ReduceKernels.reduceAll(op, dtype, all, srcs, n);
                }
                final long[] pair = new long[n];
                final long[] three = new long[n];
                for (int i = 0; i < n; i++)
                {
                    pair[i] = step(op, dtype, get(dtype, srcs[0], i), get(dtype, srcs[1], i));
                    three[i] = multiStep(op, dtype, srcs, i);
                }
                check(dtype, pair, out, op + " compiled");
                check(dtype, three, all, op + " compiled reduceAll");
            }
        }
    }

    @Test
    void lowPrecisionMultiSourceSumIsMoreAccurateThanPairwiseRounding()
    {
        // 1 + 64 * 2^-8: BF16 has 8 significant bits, so every pairwise step rounds the small term away.
        final int k = 65;
        try (Arena arena = Arena.ofConfined())
        {
            final long[] srcs = new long[k];
            for (int j = 0; j < k; j++)
            {
                srcs[j] = Scalar.allocate(arena, 2, 0);
                put(DType.BF16, srcs[j], 0, Scalar.narrow(DType.BF16, j == 0 ? 1.0f : 0x1.0p-8f));
            }
            final long dst = Scalar.allocate(arena, 2, 0);
            ReduceKernels.reduceAll(ReduceOp.SUM, DType.BF16, dst, srcs, 1);
            assertEquals(1.25f, Scalar.widen(DType.BF16, get(DType.BF16, dst, 0)));

            ReduceKernels.reduce(ReduceOp.SUM, DType.BF16, dst, srcs[0], srcs[1], 1);
            for (int j = 2; j < k; j++)
            {
                ReduceKernels.reduce(ReduceOp.SUM, DType.BF16, dst, srcs[j], 1);
            }
            assertEquals(1.0f, Scalar.widen(DType.BF16, get(DType.BF16, dst, 0)));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void divideFinishesAnAverage(final DType dtype)
    {
        final SplittableRandom random = new SplittableRandom(400 + dtype.ordinal());
        for (final int n : new int[]{ 1, 63, 64, 65, 1000 })
        {
            for (final long divisor : new long[]{ 1, 3, 7 })
            {
                try (Arena arena = Arena.ofConfined())
                {
                    final long x = Scalar.allocate(arena, (long)n * dtype.bytes(), 3);
                    Scalar.fillRandom(dtype, x, n, random);
                    final long[] expected = new long[n];
                    for (int i = 0; i < n; i++)
                    {
                        expected[i] = divided(dtype, get(dtype, x, i), divisor);
                    }
                    ReduceKernels.divide(dtype, x, n, divisor);
                    check(dtype, expected, x, "divide by " + divisor + " n=" + n);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = { "F32", "F64", "BF16", "F16" })
    void scaleMultipliesInTheComputeType(final DType dtype)
    {
        final SplittableRandom random = new SplittableRandom(500 + dtype.ordinal());
        final int n = 777;
        final double factor = 0.3;
        try (Arena arena = Arena.ofConfined())
        {
            final long x = Scalar.allocate(arena, (long)n * dtype.bytes(), 1);
            Scalar.fillRandom(dtype, x, n, random);
            final long[] expected = new long[n];
            for (int i = 0; i < n; i++)
            {
                final long bits = get(dtype, x, i);
                expected[i] = dtype == DType.F64
                    ? Double.doubleToRawLongBits(Double.longBitsToDouble(bits) * factor)
                    : Scalar.narrow(dtype, Scalar.widen(dtype, bits) * (float)factor);
            }
            ReduceKernels.scale(dtype, x, n, factor);
            check(dtype, expected, x, "scale");
        }
    }

    @Test
    void integerAverageTruncatesTowardZeroAndU8IsUnsigned()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final long a = Scalar.allocate(arena, 8, 0);
            final long b = Scalar.allocate(arena, 8, 0);
            put(DType.I32, a, 0, -7);
            put(DType.I32, b, 0, 0);
            put(DType.I32, a, 1, 7);
            put(DType.I32, b, 1, 0);
            ReduceKernels.reduce(ReduceOp.AVG, DType.I32, a, b, 2);
            ReduceKernels.divide(DType.I32, a, 2, 2);
            assertEquals(-3, (int)get(DType.I32, a, 0));
            assertEquals(3, (int)get(DType.I32, a, 1));

            put(DType.U8, a, 0, 200);
            put(DType.U8, b, 0, 100);
            ReduceKernels.reduce(ReduceOp.MAX, DType.U8, a, b, 1);
            assertEquals(200, get(DType.U8, a, 0) & 0xff);
            ReduceKernels.divide(DType.U8, a, 1, 2);
            assertEquals(100, get(DType.U8, a, 0) & 0xff);
        }
    }

    @Test
    void rejectsWhatIsNotDefined()
    {
        assertThrows(IllegalArgumentException.class, () -> ReduceKernels.reduce(ReduceOp.BXOR, DType.F32, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ReduceKernels.reduce(ReduceOp.SUM, DType.F32, 0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> ReduceKernels.reduceBytes(ReduceOp.SUM, DType.F32, 0, 0, 6));
        assertThrows(IllegalArgumentException.class,
            () -> ReduceKernels.reduceAll(ReduceOp.SUM, DType.F32, 0, new long[0], 1));
        assertThrows(IllegalArgumentException.class,
            () -> ReduceKernels.accumulateToF32(ReduceOp.SUM, DType.I32, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ReduceKernels.divide(DType.F32, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ReduceKernels.scale(DType.I8, 0, 1, 2.0));
    }

    @Test
    void reduceBytesCoversExactlyTheRange()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int n = 40;
            final long a = Scalar.allocate(arena, n * 4L, 1);
            final long b = Scalar.allocate(arena, n * 4L, 2);
            for (int i = 0; i < n; i++)
            {
                put(DType.I32, a, i, i);
                put(DType.I32, b, i, 1000);
            }
            // A middle chunk, as a collective reduces it: elements 5..24.
            ReduceKernels.reduceBytes(ReduceOp.SUM, DType.I32, a + 20, b + 20, 80);
            for (int i = 0; i < n; i++)
            {
                assertEquals(i >= 5 && i < 25 ? i + 1000 : i, (int)get(DType.I32, a, i), "element " + i);
            }
        }
    }

    static long step(final ReduceOp op, final DType dtype, final long x, final long y)
    {
        if (dtype == DType.BF16 || dtype == DType.F16)
        {
            return Scalar.narrow(dtype, Scalar.op(op, Scalar.widen(dtype, x), Scalar.widen(dtype, y)));
        }
        return Scalar.op(op, dtype, x, y);
    }

    private static long multiStep(final ReduceOp op, final DType dtype, final long[] srcs, final int i)
    {
        if (dtype == DType.BF16 || dtype == DType.F16)
        {
            float acc = Scalar.widen(dtype, get(dtype, srcs[0], i));
            for (int j = 1; j < srcs.length; j++)
            {
                acc = Scalar.op(op, acc, Scalar.widen(dtype, get(dtype, srcs[j], i)));
            }
            return Scalar.narrow(dtype, acc);
        }
        long acc = get(dtype, srcs[0], i);
        for (int j = 1; j < srcs.length; j++)
        {
            acc = Scalar.op(op, dtype, acc, get(dtype, srcs[j], i));
        }
        return acc;
    }

    private static long divided(final DType dtype, final long bits, final long divisor)
    {
        return switch (dtype)
        {
            case F32, BF16, F16 -> Scalar.narrow(dtype, Scalar.widen(dtype, bits) / divisor);
            case F64 -> Double.doubleToRawLongBits(Double.longBitsToDouble(bits) / divisor);
            case I32 -> (int)bits / (int)divisor;
            case I64 -> bits / divisor;
            case I8 -> (byte)(bits / divisor);
            case U8 -> (byte)((bits & 0xff) / divisor);
        };
    }

    static void check(final DType dtype, final long[] expected, final long address, final String what)
    {
        for (int i = 0; i < expected.length; i++)
        {
            final long actual = get(dtype, address, i);
            if (!Scalar.same(dtype, expected[i], actual))
            {
                fail(dtype + " " + what + ": element " + i + " expected bits " + Long.toHexString(expected[i]) +
                    " but was " + Long.toHexString(actual));
            }
        }
    }
}
