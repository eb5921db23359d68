package dev.ringfold.hpctests.bench;

/**
 * One row of output: the time per message and the bandwidth of one size of one operation.
 *
 * @param op      the operation ("latency", "bw").
 * @param np      ranks in the job.
 * @param dev     the transport measured ("shm" or "tcp").
 * @param bytes   message size.
 * @param iters   timed iterations (ping-pongs, windows, ...).
 * @param usec    median time per message in microseconds (latency: one way; bw: window time / window).
 * @param minUsec fastest iteration, same unit.
 * @param p99Usec 99th percentile iteration, same unit.
 */
public record Measurement(String op, int np, String dev, long bytes, int iters, double usec, double minUsec,
    double p99Usec)
{
    /** Decimal GB/s (1e9 bytes per second) at the median: bytes / usec / 1000. */
    public double gbps()
    {
        return bytes / usec / 1000.0;
    }

    /**
     * Builds a row from per-iteration samples (sorted here): an iteration's time divided by
     * {@code perIterationDivisor} is the time per message (2 for a round trip reported one way, W for a window of
     * W messages).
     */
    public static Measurement of(final String op, final int np, final String dev, final long bytes,
        final Samples samples, final double perIterationDivisor)
    {
        samples.sort();
        final double toUsec = 1e-3 / perIterationDivisor;
        return new Measurement(op, np, dev, bytes, samples.count(), samples.medianNs() * toUsec,
            samples.minNs() * toUsec, samples.percentileNs(99) * toUsec);
    }
}
