package dev.ringfold.bench;

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
 * @param buffers collectives: "shared" (node-shared tensors, --shared) or "private" (plain off-heap buffers);
 *                null for other rows.
 */
public record Measurement(String op, int np, String dev, long bytes, int iters, double usec, double minUsec,
    double p99Usec, String algo, double busFactor, double gflops, String buffers)
{
    public Measurement(final String op, final int np, final String dev, final long bytes, final int iters,
        final double usec, final double minUsec, final double p99Usec, final String algo, final double busFactor)
    {
        this(op, np, dev, bytes, iters, usec, minUsec, p99Usec, algo, busFactor, Double.NaN, null);
    }

    /** A compute row (GEMM): {@code n} is the matrix size, the rate is GFLOP/s. */
    public static Measurement ofCompute(final String op, final long n, final int iters, final double usec,
        final double minUsec, final double gflops)
    {
        return new Measurement(op, 1, "cpu", n, iters, usec, minUsec, usec, null, 1.0, gflops, null);
    }

    public boolean isCompute()
    {
        return !Double.isNaN(gflops);
    }

    /** A point-to-point row: no algorithm, bus bandwidth = bandwidth. */
    public Measurement(final String op, final int np, final String dev, final long bytes, final int iters,
        final double usec, final double minUsec, final double p99Usec)
    {
        this(op, np, dev, bytes, iters, usec, minUsec, p99Usec, null, 1.0);
    }

    /** Whether this row is a collective's (printed with algorithm, algbw and busbw, nccl-tests style). */
    public boolean isCollective()
    {
        return algo != null;
    }

    /** nccl-tests' bus bandwidth: algbw times the operation's factor (2(n-1)/n for all-reduce, ...). */
    public double busGbps()
    {
        return gbps() * busFactor;
    }

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

    /** A collective's row: per-iteration times are already the slowest rank's. */
    public static Measurement ofCollective(final String op, final int np, final String dev, final String algo,
        final long bytes, final Samples samples, final double busFactor, final String buffers)
    {
        samples.sort();
        return new Measurement(op, np, dev, bytes, samples.count(), samples.medianNs() * 1e-3,
            samples.minNs() * 1e-3, samples.percentileNs(99) * 1e-3, algo, busFactor, Double.NaN, buffers);
    }
}
