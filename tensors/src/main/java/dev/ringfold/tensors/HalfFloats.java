package dev.ringfold.tensors;

/**
 * Conversions between float and the two 16-bit floating formats, as raw 16-bit patterns. Float to 16 bits rounds
 * to nearest, ties to even (as IEEE 754 and the ML frameworks do); 16 bits to float is exact.
 */
public final class HalfFloats
{
    private HalfFloats()
    {
    }

    /** bfloat16: the top half of an IEEE float (8-bit exponent, 7-bit mantissa). */
    public static short toBFloat16(final float value)
    {
        final int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
        {
            // NaN: truncating could clear every mantissa bit left and make it infinity; keep it a quiet NaN
            return (short)((bits >>> 16) | 0x0040);
        }
        // add just under half an ulp of the result, plus one when the kept part is odd: ties go to even
        final int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short)(rounded >>> 16);
    }

    public static float fromBFloat16(final short bits)
    {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** IEEE 754 binary16 (5-bit exponent, 10-bit mantissa); the JDK's conversion rounds to nearest even. */
    public static short toFloat16(final float value)
    {
        return Float.floatToFloat16(value);
    }

    public static float fromFloat16(final short bits)
    {
        return Float.float16ToFloat(bits);
    }
}
