package dev.ringfold.training.data;

import java.util.Locale;

/**
 * Per-bucket timestamps of the last step ({@link System#nanoTime()}): when the bucket's last gradient was ready,
 * when its all-reduce started, when this rank saw it finished (at the next progress call after it completed: an
 * upper bound); and when backward ended (the last {@code gradientReady} of the step). Over all steps it sums the
 * communication time (the union of the buckets' [started, finished] intervals) and the part of it before backward
 * ended, which was hidden behind compute: {@link #hiddenFraction()}. It also sums where a step's data-parallel time
 * went on this rank ({@link #phases()}): copying gradients into the buckets, driving progress during backward,
 * completing the buckets after backward (this rank's share of the reductions and the waits for the other ranks,
 * and the copies back), and the update. Recording allocates nothing.
 */
public final class BucketTrace
{
    private final long[] ready;
    private final long[] started;
    private final long[] finished;
    private final long[] bytes;
    private long backwardEnd;
    private long steps;
    private long communicationNanos;
    private long hiddenNanos;
    private long copyInNanos;
    private long progressNanos;
    private long completionNanos;
    private long updateNanos;

    BucketTrace(final long[] bucketBytes)
    {
        this.bytes = bucketBytes.clone();
        this.ready = new long[bucketBytes.length];
        this.started = new long[bucketBytes.length];
        this.finished = new long[bucketBytes.length];
    }

    void ready(final int bucket, final long nanos)
    {
        ready[bucket] = nanos;
    }

    void started(final int bucket, final long nanos)
    {
        started[bucket] = nanos;
        finished[bucket] = 0;
    }

    void finished(final int bucket, final long nanos)
    {
        if (finished[bucket] == 0)
        {
            finished[bucket] = nanos;
        }
    }

    void backwardEnded(final long nanos)
    {
        backwardEnd = nanos;
    }

    void copiedIn(final long nanos)
    {
        copyInNanos += nanos;
    }

    void progressed(final long nanos)
    {
        progressNanos += nanos;
    }

    void completed(final long nanos)
    {
        completionNanos += nanos;
    }

    void updated(final long nanos)
    {
        updateNanos += nanos;
    }

    /** Buckets are started in order, so their intervals come sorted by start. */
    void stepDone()
    {
        communicationNanos += union(Long.MAX_VALUE);
        hiddenNanos += union(backwardEnd);
        steps++;
    }

    /** Length of the union of the intervals [started, min(finished, limit)]. */
    private long union(final long limit)
    {
        long total = 0;
        long from = 0;
        long to = Long.MIN_VALUE;
        for (int b = 0; b < started.length; b++)
        {
            final long s = started[b];
            final long f = Math.min(finished[b], limit);
            if (f <= s)
            {
                continue;
            }
            if (s > to)
            {
                total += to == Long.MIN_VALUE ? 0 : to - from;
                from = s;
                to = f;
            }
            else
            {
                to = Math.max(to, f);
            }
        }
        return total + (to == Long.MIN_VALUE ? 0 : to - from);
    }

    /** Clears the totals (to leave out warm-up steps); the last step's timestamps stay. */
    public void reset()
    {
        steps = 0;
        communicationNanos = 0;
        hiddenNanos = 0;
        copyInNanos = 0;
        progressNanos = 0;
        completionNanos = 0;
        updateNanos = 0;
    }

    public int buckets()
    {
        return started.length;
    }

    public long bucketBytes(final int bucket)
    {
        return bytes[bucket];
    }

    public long readyNanos(final int bucket)
    {
        return ready[bucket];
    }

    public long startedNanos(final int bucket)
    {
        return started[bucket];
    }

    public long finishedNanos(final int bucket)
    {
        return finished[bucket];
    }

    /** When the last gradient of the last step was marked ready. */
    public long backwardEndNanos()
    {
        return backwardEnd;
    }

    public long steps()
    {
        return steps;
    }

    /** Summed over steps: time during which at least one bucket was being all-reduced. */
    public long communicationNanos()
    {
        return communicationNanos;
    }

    /** The part of {@link #communicationNanos()} before backward ended. */
    public long hiddenNanos()
    {
        return hiddenNanos;
    }

    /** Summed over steps: in {@code gradientReady}, copying (or adding) gradients into their buckets. */
    public long copyInNanos()
    {
        return copyInNanos;
    }

    /** Summed over steps: in {@code gradientReady}, driving the buckets in flight after the copy. */
    public long progressNanos()
    {
        return progressNanos;
    }

    /**
     * Summed over steps: in {@code step()} or {@code synchronize()} until every bucket completed (this rank's share
     * of the reductions left, waiting for the other ranks, copies back).
     */
    public long completionNanos()
    {
        return completionNanos;
    }

    /** Summed over steps: in the update ({@code step()} only). */
    public long updateNanos()
    {
        return updateNanos;
    }

    /** Fraction of the communication time hidden behind backward (0 when there was none). */
    public double hiddenFraction()
    {
        return communicationNanos == 0 ? 0 : (double)hiddenNanos / communicationNanos;
    }

    /** The last step, one line per bucket, in microseconds from its first bucket's ready time. */
    public String describeLastStep()
    {
        long t0 = Long.MAX_VALUE;
        for (final long r : ready)
        {
            t0 = Math.min(t0, r);
        }
        final StringBuilder sb = new StringBuilder();
        for (int b = 0; b < started.length; b++)
        {
            sb.append(String.format(Locale.ROOT, "bucket %d (%d bytes): ready %.1f us, all-reduce started %.1f us, " +
                "finished %.1f us%n", b, bytes[b], (ready[b] - t0) / 1e3, (started[b] - t0) / 1e3,
                (finished[b] - t0) / 1e3));
        }
        sb.append(String.format(Locale.ROOT, "backward ended %.1f us", (backwardEnd - t0) / 1e3));
        return sb.toString();
    }

    /** Where a step's data-parallel time went on this rank, averaged over the steps, in microseconds. */
    public String phases()
    {
        final double perStep = Math.max(steps, 1) * 1e3;
        return String.format(Locale.ROOT, "per step: copying into buckets %.1f us, progress during backward %.1f us, " +
            "completing the buckets after backward %.1f us, update %.1f us", copyInNanos / perStep,
            progressNanos / perStep, completionNanos / perStep, updateNanos / perStep);
    }

    /** Totals over all steps. */
    public String summary()
    {
        return String.format(Locale.ROOT, "%d steps, %d buckets: communication %.3f ms, hidden behind backward " +
            "%.3f ms (%.1f%%)", steps, started.length, communicationNanos / 1e6, hiddenNanos / 1e6,
            100 * hiddenFraction());
    }
}
