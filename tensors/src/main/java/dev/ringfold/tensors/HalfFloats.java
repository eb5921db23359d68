package dev.ringfold.tensors;

/**
 * Conversions between float and the two 16-bit floating formats, as raw 16-bit patterns: float to 16 bits rounds
 * to nearest, ties to even; 16 bits to float is exact. One implementation serves the whole project, the
 * kernels' ({@link dev.ringfold.tensors.kernels.HalfFloats}, which also has the vectorised forms); see it for
 * what happens to NaN payloads.
 */
public final class HalfFloats
{
    private HalfFloats()
    {
    }

    /** bfloat16: the top half of an IEEE float (8-bit exponent, 7-bit mantissa). */
    public static short toBFloat16(final float value)
    {
        return dev.ringfold.tensors.kernels.HalfFloats.floatToBf16(value);
    }

    public static float fromBFloat16(final short bits)
    {
        return dev.ringfold.tensors.kernels.HalfFloats.bf16ToFloat(bits);
    }

    /** IEEE 754 binary16 (5-bit exponent, 10-bit mantissa). */
    public static short toFloat16(final float value)
    {
        return dev.ringfold.tensors.kernels.HalfFloats.floatToF16(value);
    }

    public static float fromFloat16(final short bits)
    {
        return dev.ringfold.tensors.kernels.HalfFloats.f16ToFloat(bits);
    }
}
