package dev.ringfold.bench;

import java.util.Arrays;

/**
 * Per-iteration times in nanoseconds, recorded into a preallocated array (nothing is allocated while timing),
 * and their order statistics once the loop is done.
 */
public final class Samples
{
    private long[] ns;
    private int count;

    public Samples(final int capacity)
    {
        ns = new long[Math.max(1, capacity)];
    }

    /** Forgets earlier samples; grows (outside any timed loop) to hold {@code capacity}. */
    public void reset(final int capacity)
    {
        if (ns.length < capacity)
        {
            ns = new long[capacity];
        }
        count = 0;
    }

    /** The clock every op times with. */
    public static long now()
    {
        return System.nanoTime();
    }

    public void add(final long nanos)
    {
        ns[count++] = nanos;
    }

    public int count()
    {
        return count;
    }

    /** Sorts the samples in place; call once after the timed loop, before the statistics below. */
    public Samples sort()
    {
        Arrays.sort(ns, 0, count);
        return this;
    }

    public double medianNs()
    {
        requireSamples();
        final int mid = count / 2;
        return (count & 1) == 1 ? ns[mid] : 0.5 * (ns[mid - 1] + ns[mid]);
    }

    public double minNs()
    {
        requireSamples();
        return ns[0];
    }

    /** Nearest-rank percentile, {@code 0 < p <= 100}. */
    public double percentileNs(final double p)
    {
        requireSamples();
        final int rank = (int)Math.ceil(p / 100.0 * count);
        return ns[Math.min(count, Math.max(1, rank)) - 1];
    }

    private void requireSamples()
    {
        if (count == 0)
        {
            throw new IllegalStateException("no samples");
        }
    }
}
