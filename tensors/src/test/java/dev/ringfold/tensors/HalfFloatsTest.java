package dev.ringfold.tensors;

import dev.ringfold.tensors.kernels.HalfFloats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(Seeds.Report.class)
class HalfFloatsTest
{
    static LongStream seeds()
    {
        return Seeds.seeds();
    }

    @Test
    void everyHalfPatternSurvivesARoundTrip()
    {
        for (int bits = 0; bits < 65536; bits++)
        {
            final short h = (short)bits;
            final float f16 = HalfFloats.f16ToFloat(h);
            final float bf16 = HalfFloats.bf16ToFloat(h);
            if (!Float.isNaN(f16))
            {
                assertEquals(h, HalfFloats.floatToF16(f16), () -> "f16 " + Integer.toHexString(h & 0xFFFF));
            }
            if (!Float.isNaN(bf16))
            {
                assertEquals(h, HalfFloats.floatToBf16(bf16), () -> "bf16 " + Integer.toHexString(h & 0xFFFF));
            }
            else
            {
                assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(bf16))));
            }
        }
    }

    /** Round to nearest, ties to even, checked against the two bfloat16 neighbours of each float. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void bfloat16RoundsToNearestEven(final long seed)
    {
        final Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++)
        {
            // random bit patterns, with exact halfway cases made often
            int bits = random.nextInt();
            if (random.nextInt(4) == 0)
            {
                bits = (bits & 0xFFFF_0000) | 0x8000;
            }
            final float f = Float.intBitsToFloat(bits);
            final short got = HalfFloats.floatToBf16(f);
            if (Float.isNaN(f))
            {
                assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(got)), () -> "NaN stays NaN: " + f);
                continue;
            }
            final short down = (short)(bits >>> 16);             // toward zero
            final short up = (short)((bits >>> 16) + 1);         // away from zero (may be infinity)
            final double low = HalfFloats.bf16ToFloat(down);
            final double high = HalfFloats.bf16ToFloat(up);
            final double dLow = Math.abs(f - low);
            final double dHigh = Float.isInfinite((float)high) ? Double.POSITIVE_INFINITY : Math.abs(high - f);
            final short expected;
            if ((bits & 0xFFFF) == 0)
            {
                expected = down;
            }
            else if (Float.isInfinite((float)high) && (bits & 0x7FFF_FFFF) >= 0x7F7F_8000)
            {
                expected = up; // past the largest bfloat16 by half an ulp or more: IEEE rounds to infinity
            }
            else if (dLow != dHigh)
            {
                expected = dLow < dHigh ? down : up;
            }
            else
            {
                expected = (down & 1) == 0 ? down : up;
            }
            final int b = bits;
            assertEquals(expected, got, () -> "float bits " + Integer.toHexString(b));
        }
    }

    /** The F16 result is never farther from the float than either binary16 neighbour. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void float16IsNearest(final long seed)
    {
        final Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++)
        {
            final float f = (float)(random.nextGaussian() * Math.pow(2, random.nextInt(40) - 26));
            final short got = HalfFloats.floatToF16(f);
            final float g = HalfFloats.f16ToFloat(got);
            if (Float.isInfinite(g))
            {
                assertTrue(Math.abs(f) >= 65520f, () -> f + " became infinite");
                continue;
            }
            final double err = Math.abs((double)g - f);
            for (final int delta : new int[] {-1, 1})
            {
                final float n = HalfFloats.f16ToFloat((short)(got + delta));
                if (Float.isFinite(n) && Math.signum(n) == Math.signum(g))
                {
                    assertTrue(err <= Math.abs((double)n - f), () -> f + " -> " + g + " but " + n + " is nearer");
                }
            }
        }
    }
}
