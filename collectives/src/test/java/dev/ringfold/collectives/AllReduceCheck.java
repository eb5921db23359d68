package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;

import java.util.Arrays;

/**
 * A rank of {@link RingAllReduceProcessTest}: all-reduces float and double vectors of several lengths and compares
 * every element, bit for bit, with a scalar reference computed in the documented order (chunk c summed from rank
 * c round the ring). Prints one "ok" line per case with a hash of the result, so the test can also see that all
 * ranks hold the same bits; exits 1 on the first mismatch.
 */
public final class AllReduceCheck
{
    static final int[] COUNTS = {0, 1, 7, 1000, 100_003};
    /** The vector sits at this offset between guard elements, which must come back untouched. */
    private static final int GUARD = 3;

    private AllReduceCheck()
    {
    }

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final int n = world.size();
            final int me = world.rank();
            final RingAllReduce allReduce = new RingAllReduce(world);
            for (final int count : COUNTS)
            {
                final float[] f = new float[count + 2 * GUARD];
                final double[] d = new double[count + 2 * GUARD];
                Arrays.fill(f, -7f);
                Arrays.fill(d, -7.0);
                for (int i = 0; i < count; i++)
                {
                    f[GUARD + i] = floatInput(me, i);
                    d[GUARD + i] = doubleInput(me, i);
                }
                allReduce.sum(f, GUARD, count);
                allReduce.sum(d, GUARD, count);
                final int[] fBits = new int[count];
                final long[] dBits = new long[count];
                for (int i = 0; i < count; i++)
                {
                    final int first = firstRankOf(i, count, n);
                    float fRef = floatInput(first, i);
                    double dRef = doubleInput(first, i);
                    for (int k = 1; k < n; k++)
                    {
                        fRef = fRef + floatInput((first + k) % n, i);
                        dRef = dRef + doubleInput((first + k) % n, i);
                    }
                    fBits[i] = Float.floatToRawIntBits(f[GUARD + i]);
                    dBits[i] = Double.doubleToRawLongBits(d[GUARD + i]);
                    if (fBits[i] != Float.floatToRawIntBits(fRef) || dBits[i] != Double.doubleToRawLongBits(dRef))
                    {
                        fail(me, "count=" + count + " element " + i + ": float " + f[GUARD + i] + " (expected " + fRef +
                            "), double " + d[GUARD + i] + " (expected " + dRef + ")");
                    }
                }
                for (int g = 0; g < GUARD; g++)
                {
                    if (f[g] != -7f || f[GUARD + count + g] != -7f || d[g] != -7.0 || d[GUARD + count + g] != -7.0)
                    {
                        fail(me, "count=" + count + ": an element outside [offset, offset + count) was changed");
                    }
                }
                System.out.println("ok float count=" + count + " hash=" + Arrays.hashCode(fBits));
                System.out.println("ok double count=" + count + " hash=" + Arrays.hashCode(dBits));
            }
            world.barrier();
        }
    }

    /** The rank whose input starts the sum of element i: the index of the chunk holding i. */
    static int firstRankOf(final int i, final int count, final int n)
    {
        final int base = count / n;
        final int longer = count % n; // the first `longer` chunks have base + 1 elements
        return i < longer * (base + 1) ? i / (base + 1) : longer + (i - longer * (base + 1)) / base;
    }

    /**
     * Full-precision values of either sign with magnitudes spread over [2^-8, 2^8): partial sums round, so a
     * reference summing in any other order than the documented one would differ in the last bits.
     */
    static float floatInput(final int rank, final int i)
    {
        final long z = mix(rank, i);
        final float mantissa = (float)((z & 0x7FFFFF) | 0x800000);
        return Math.scalb((z & (1L << 40)) != 0 ? -mantissa : mantissa, (int)((z >>> 32) & 15) - 8 - 23);
    }

    static double doubleInput(final int rank, final int i)
    {
        final long z = mix(rank, i);
        final double mantissa = (double)((z & 0xFFFFFFFFFFFFFL) | 0x10000000000000L);
        return Math.scalb((z & (1L << 61)) != 0 ? -mantissa : mantissa, (int)((z >>> 56) & 15) - 8 - 52);
    }

    private static long mix(final long rank, final long i)
    {
        long z = rank * 0x9E3779B97F4A7C15L + i * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        return z ^ (z >>> 29);
    }

    private static void fail(final int rank, final String what)
    {
        System.out.println("MISMATCH on rank " + rank + ": " + what);
        System.out.flush();
        System.exit(1);
    }
}
