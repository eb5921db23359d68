package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

final class HalfFloatsTest
{
    @Test
    void f16WideningIsExactForEveryBitPatternAndKeepsNaNPayloads()
    {
        for (int h = 0; h < 0x10000; h++)
        {
            final int expected = Float.floatToRawIntBits(Float.float16ToFloat((short)h));
            final int actual = Float.floatToRawIntBits(HalfFloats.f16ToFloat((short)h));
            // The JDK quiets signalling NaNs (so does the x86 instruction behind it); ours keep their bits.
            final int quiet = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0 ? 0x0040_0000 : 0;
            if ((expected | quiet) != (actual | quiet))
            {
                fail("f16 " + Integer.toHexString(h) + ": expected " + Integer.toHexString(expected) + " was " +
                    Integer.toHexString(actual));
            }
        }
    }

    @Test
    void f16NarrowingMatchesTheJdkForNonNaN()
    {
        // Every float whose exponent is in or next to F16's range, in steps that hit both halves of every
        // rounding boundary (the step is odd, so low mantissa bits all occur), plus a sparse sweep of the rest.
        for (long bits = 0x3000_0000L; bits <= 0x4800_0000L; bits += 7)
        {
            checkF16((int)bits);
            checkF16((int)bits | 0x8000_0000);
        }
        for (long bits = 0; bits <= 0xffff_ffffL; bits += 65_537)
        {
            checkF16((int)bits);
        }
        for (final float f : new float[]{ 65504f, 65519.99f, 65520f, 65536f, Float.MAX_VALUE, Float.MIN_VALUE,
            0x1.0p-24f, 0x1.0p-25f, 0x1.8p-25f, 0x1.0p-14f, 0x1.ffcp-15f, 0x1.ffep-15f, 0f, -0f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY })
        {
            checkF16(Float.floatToRawIntBits(f));
        }
    }

    private static void checkF16(final int bits)
    {
        final float f = Float.intBitsToFloat(bits);
        final short actual = HalfFloats.floatToF16(f);
        if (Float.isNaN(f))
        {
            assertTrue(Float.isNaN(Float.float16ToFloat(actual)));
            assertEquals(bits < 0, actual < 0);
            return;
        }
        final short expected = Float.floatToFloat16(f);
        if (expected != actual)
        {
            fail("f32 " + Integer.toHexString(bits) + ": expected " + Integer.toHexString(expected & 0xffff) +
                " was " + Integer.toHexString(actual & 0xffff));
        }
    }

    @Test
    void bf16NarrowingRoundsToNearestEven()
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++)
        {
            final int bits = i < 100_000 ? random.nextInt() : (random.nextInt() & 0xffff_8000) | 0x8000;
            final float f = Float.intBitsToFloat(bits);
            final short expected = Scalar.HalfFloatsReference.bf16(f);
            final short actual = HalfFloats.floatToBf16(f);
            assertEquals(expected, actual, () -> "f32 " + Integer.toHexString(bits));
            if (!Float.isNaN(f))
            {
                assertEquals(actual, HalfFloats.floatToBf16(HalfFloats.bf16ToFloat(actual)), "round trip");
            }
        }
        assertEquals((short)0x7f80, HalfFloats.floatToBf16(Float.MAX_VALUE));
        assertEquals((short)0x7f7f, HalfFloats.floatToBf16(Float.intBitsToFloat(0x7f7f7fff)));
        assertEquals((short)0x3f80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808000)));
        assertEquals((short)0x3f82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f818000)));
    }

    @Test
    void vectorConversionsGiveTheScalarBits()
    {
        final SplittableRandom random = new SplittableRandom(11);
        final int n = 4099;
        try (Arena arena = Arena.ofConfined())
        {
            for (final DType dtype : new DType[]{ DType.BF16, DType.F16 })
            {
                final long f32 = Scalar.allocate(arena, n * 4L, 1);
                final long half = Scalar.allocate(arena, n * 2L, 3);
                final long back = Scalar.allocate(arena, n * 2L, 0);
                final long wide = Scalar.allocate(arena, n * 4L, 2);
                for (int i = 0; i < n; i++)
                {
                    // Any bits at all: NaNs with payloads, subnormals, values beyond the 16-bit range.
                    final int bits = i % 3 == 0 ? random.nextInt() : Float.floatToRawIntBits(
                        (float)(random.nextGaussian() * Math.pow(2, random.nextInt(-30, 20))));
                    Scalar.put(DType.F32, f32, i, bits);
                }
                ReduceKernels.roundFromF32(dtype, half, f32, n);
                ReduceKernels.widenToF32(dtype, wide, half, n);
                for (int i = 0; i < n; i++)
                {
                    final float f = Float.intBitsToFloat((int)Scalar.get(DType.F32, f32, i));
                    final short h = (short)Scalar.get(dtype, half, i);
                    final short expected = dtype == DType.BF16 ? HalfFloats.floatToBf16(f) : HalfFloats.floatToF16(f);
                    assertEquals(expected, h, dtype + " narrowing of " + Float.floatToRawIntBits(f));
                    final float w = dtype == DType.BF16 ? HalfFloats.bf16ToFloat(h) : HalfFloats.f16ToFloat(h);
                    assertEquals(Float.floatToRawIntBits(w), (int)Scalar.get(DType.F32, wide, i), dtype + " widening");
                }
                // Widening is exact, so narrowing what was widened gives the same bits (NaNs are already quiet).
                ReduceKernels.roundFromF32(dtype, back, wide, n);
                for (int i = 0; i < n; i++)
                {
                    assertEquals(Scalar.get(dtype, half, i), Scalar.get(dtype, back, i), dtype + " round trip");
                }
            }
        }
    }
}
