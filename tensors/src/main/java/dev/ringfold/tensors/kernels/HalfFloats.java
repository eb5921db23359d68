package dev.ringfold.tensors.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.ORDER;

/**
 * Conversions between F32 and the two 16-bit float formats, scalar and vectorised, bit-identical to each other.
 * <ul>
 *   <li>Widening (BF16/F16 to F32) is exact, NaN payloads included: for F16 the same bits as
 *       {@link Float#float16ToFloat}, except that the JDK quiets a signalling NaN and this keeps it as it is.</li>
 *   <li>Narrowing rounds to nearest, ties to even; overflow gives infinity; F16 subnormals are produced and read
 *       exactly. For every non-NaN input F16 narrowing gives the same bits as {@link Float#floatToFloat16}.</li>
 *   <li>A NaN narrows to a quiet NaN of the same sign: BF16 keeps the top 7 payload bits and sets the quiet bit,
 *       F16 gives {@code 0x7e00} (sign aside). Payloads are not otherwise kept: no reduction promises them.</li>
 * </ul>
 * The vector forms work on {@link #HALF} lanes of 16-bit data against the {@link FloatVector#SPECIES_PREFERRED}
 * lanes of F32: same lane count, half the bits, so one load of halves widens into one float vector.
 */
public final class HalfFloats
{
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    static final VectorSpecies<Short> HALF = VectorSpecies.of(short.class,
        VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));

    /** Bytes of 16-bit data one vector step covers. */
    static final long HALF_STEP = HALF.vectorByteSize();

    // Constants of the F16 conversions (F. Giesen, "half to float done quic": half_to_float_fast2 and
    // float_to_half_fast3_rtne).
    private static final float F16_REBIAS = Float.intBitsToFloat((254 - 15) << 23);
    private static final float F16_WAS_INF_NAN = Float.intBitsToFloat((127 + 16) << 23);
    private static final int F16_MIN_NORMAL_AS_F32 = 113 << 23;
    private static final int F32_INF = 0x7f80_0000;
    private static final int F16_OVERFLOW = (127 + 16) << 23;
    private static final int DENORM_MAGIC = ((127 - 15) + (23 - 10) + 1) << 23;
    private static final float DENORM_MAGIC_FLOAT = Float.intBitsToFloat(DENORM_MAGIC);
    private static final int NORMAL_ROUND = ((15 - 127) << 23) + 0xfff;

    private HalfFloats()
    {
    }

    /** Exact widening of BF16 bits. */
    public static float bf16ToFloat(final short bits)
    {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** BF16 bits of {@code value}, rounded to nearest even. */
    public static short floatToBf16(final float value)
    {
        final int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value))
        {
            return (short)((bits >>> 16) | 0x40);
        }
        return (short)((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** Exact widening of F16 bits (same bits as {@link Float#float16ToFloat} but for signalling NaNs). */
    public static float f16ToFloat(final short bits)
    {
        final int h = bits & 0xffff;
        // Exponent and mantissa moved into place; multiplying by 2^112 rebiases the exponent, and turns F16
        // subnormals into F32 normals, exactly (a power of two). Infinity and NaN then get the all-ones exponent.
        float magnitude = Float.intBitsToFloat((h & 0x7fff) << 13) * F16_REBIAS;
        if (magnitude >= F16_WAS_INF_NAN)
        {
            magnitude = Float.intBitsToFloat(Float.floatToRawIntBits(magnitude) | F32_INF);
        }
        return Float.intBitsToFloat(Float.floatToRawIntBits(magnitude) | ((h & 0x8000) << 16));
    }

    /** F16 bits of {@code value}, rounded to nearest even (same as {@link Float#floatToFloat16} but for NaN). */
    public static short floatToF16(final float value)
    {
        final int bits = Float.floatToRawIntBits(value);
        final int sign = bits & 0x8000_0000;
        final int x = bits ^ sign;
        final int o;
        if (x >= F16_OVERFLOW)
        {
            o = x > F32_INF ? 0x7e00 : 0x7c00;
        }
        else if (x < F16_MIN_NORMAL_AS_F32)
        {
            // Adding 0.5 lines the value up on the 2^-24 grid of F16 subnormals; the FPU rounds it, ties to even.
            o = Float.floatToRawIntBits(Float.intBitsToFloat(x) + DENORM_MAGIC_FLOAT) - DENORM_MAGIC;
        }
        else
        {
            o = (x + NORMAL_ROUND + ((x >>> 13) & 1)) >>> 13;
        }
        return (short)(o | (sign >>> 16));
    }

    static FloatVector loadBf16(final long address)
    {
        final IntVector h = (IntVector)ShortVector.fromMemorySegment(HALF, ALL, address, ORDER)
            .convertShape(VectorOperators.ZERO_EXTEND_S2I, INTS, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static void storeBf16(final FloatVector value, final long address)
    {
        final IntVector bits = value.reinterpretAsInts();
        final IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
        final IntVector rounded = bits.add(0x7fff).add(high.and(1)).lanewise(VectorOperators.LSHR, 16);
        final IntVector result = rounded.blend(high.or(0x40), value.test(VectorOperators.IS_NAN).cast(INTS));
        result.convertShape(VectorOperators.I2S, HALF, 0).intoMemorySegment(ALL, address, ORDER);
    }

    static FloatVector loadF16(final long address)
    {
        final IntVector h = (IntVector)ShortVector.fromMemorySegment(HALF, ALL, address, ORDER)
            .convertShape(VectorOperators.ZERO_EXTEND_S2I, INTS, 0);
        final FloatVector magnitude = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats()
            .mul(F16_REBIAS);
        final IntVector bits = magnitude.reinterpretAsInts();
        return bits.lanewise(VectorOperators.OR, F32_INF, magnitude.compare(VectorOperators.GE, F16_WAS_INF_NAN).cast(INTS))
            .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    static void storeF16(final FloatVector value, final long address)
    {
        final IntVector bits = value.reinterpretAsInts();
        final IntVector sign = bits.and(0x8000_0000);
        final IntVector x = bits.and(0x7fff_ffff);
        final IntVector normal = x.add(NORMAL_ROUND).add(x.lanewise(VectorOperators.LSHR, 13).and(1))
            .lanewise(VectorOperators.LSHR, 13);
        final IntVector subnormal = x.reinterpretAsFloats().add(DENORM_MAGIC_FLOAT).reinterpretAsInts()
            .sub(DENORM_MAGIC);
        final VectorMask<Integer> isNan = x.compare(VectorOperators.GT, F32_INF);
        final IntVector special = IntVector.broadcast(INTS, 0x7c00).blend(0x7e00, isNan);
        final IntVector result = normal
            .blend(subnormal, x.compare(VectorOperators.LT, F16_MIN_NORMAL_AS_F32))
            .blend(special, x.compare(VectorOperators.GE, F16_OVERFLOW))
            .or(sign.lanewise(VectorOperators.LSHR, 16));
        result.convertShape(VectorOperators.I2S, HALF, 0).intoMemorySegment(ALL, address, ORDER);
    }
}
