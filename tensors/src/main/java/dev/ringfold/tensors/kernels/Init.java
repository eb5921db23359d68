package dev.ringfold.tensors.kernels;

import static dev.ringfold.tensors.kernels.Memory.checkCount;
import static dev.ringfold.tensors.kernels.Memory.putFloat;

/**
 * Seeded random initialisation of F32 regions, deterministic across ranks, runs, JVMs and machines.
 *
 * <p>The generator is counter-based: element {@code i} of a logical tensor is a pure function of {@code (seed, i)}
 * (SplitMix64: {@code mix64(seed + (i + 1) * 0x9e3779b97f4a7c15)}, which is the i-th {@code nextLong()} of
 * {@code new SplittableRandom(seed)}). So a rank that initialises a shard, starting at {@code firstIndex}, writes
 * exactly the values the whole tensor would have there, and the order or number of calls does not matter.
 * Gaussians use Box-Muller on the pair of counters {@code (2 * (i / 2), 2 * (i / 2) + 1)} with
 * {@link StrictMath}, whose results are specified to the bit, unlike {@link Math}'s.
 */
public final class Init
{
    private static final long GOLDEN_GAMMA = 0x9e37_79b9_7f4a_7c15L;
    private static final double TWO_PI = 2.0 * Math.PI;

    private Init()
    {
    }

    /** 64 random bits for element {@code index} of the stream {@code seed}. */
    public static long bits(final long seed, final long index)
    {
        long z = seed + (index + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xbf58_476d_1ce4_e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d0_49bb_1331_11ebL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 random bits (every float of the form k * 2^-24). */
    public static float uniform01(final long seed, final long index)
    {
        return (bits(seed, index) >>> 40) * 0x1.0p-24f;
    }

    /** Standard normal for element {@code index} (Box-Muller, pairs of elements share two counters). */
    public static double gaussian(final long seed, final long index)
    {
        final long pair = index & ~1L;
        final double u1 = ((bits(seed, pair) >>> 11) + 1) * 0x1.0p-53; // (0, 1]: log never sees 0
        final double u2 = (bits(seed, pair + 1) >>> 11) * 0x1.0p-53;
        final double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        // The angle 2 pi u2 as a quarter turn q plus phi in [-pi/4, pi/4] (u2 - q/4 is exact): StrictMath's sin and
        // cos allocate a scratch array for arguments beyond pi/4, and init should allocate nothing.
        final long quarter = Math.round(4.0 * u2);
        final double phi = TWO_PI * (u2 - quarter * 0.25);
        final double sin = StrictMath.sin(phi);
        final double cos = StrictMath.cos(phi);
        final boolean even = (index & 1) == 0;
        return r * switch ((int)(quarter & 3))
        {
            case 0 -> even ? cos : sin;
            case 1 -> even ? -sin : cos;
            case 2 -> even ? -cos : -sin;
            default -> even ? sin : -cos;
        };
    }

    /** dst[i] = low + (high - low) * u, u uniform in [0, 1), for logical elements firstIndex .. firstIndex+count-1. */
    public static void uniform(
        final long seed, final long firstIndex, final long dst, final long count, final float low, final float high)
    {
        checkCount(count);
        final float width = high - low;
        for (long i = 0; i < count; i++)
        {
            putFloat(dst + 4L * i, low + width * uniform01(seed, firstIndex + i));
        }
    }

    /** dst[i] = mean + std * N(0, 1), rounded to float once. */
    public static void normal(
        final long seed, final long firstIndex, final long dst, final long count, final float mean, final float std)
    {
        checkCount(count);
        for (long i = 0; i < count; i++)
        {
            putFloat(dst + 4L * i, (float)(mean + std * gaussian(seed, firstIndex + i)));
        }
    }

    /** He (Kaiming) normal init for layers followed by ReLU: N(0, 2 / fanIn). */
    public static void he(final long seed, final long firstIndex, final long dst, final long count, final int fanIn)
    {
        checkFan(fanIn);
        normal(seed, firstIndex, dst, count, 0.0f, (float)StrictMath.sqrt(2.0 / fanIn));
    }

    /** Xavier (Glorot) uniform init: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)). */
    public static void xavier(
        final long seed, final long firstIndex, final long dst, final long count, final int fanIn, final int fanOut)
    {
        checkFan(fanIn);
        checkFan(fanOut);
        final float a = (float)StrictMath.sqrt(6.0 / ((double)fanIn + fanOut));
        uniform(seed, firstIndex, dst, count, -a, a);
    }

    private static void checkFan(final int fan)
    {
        if (fan <= 0)
        {
            throw new IllegalArgumentException("fan must be positive: " + fan);
        }
    }
}
