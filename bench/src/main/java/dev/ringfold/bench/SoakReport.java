package dev.ringfold.bench;

/**
 * What a soak run did, for the whole job: operations (identical on every rank), of which non-blocking and
 * point-to-point, bytes (every rank's operations' sizes added up), wrong elements across all ranks, and resources
 * on rank 0 before and after, with the largest growth any rank saw ({@code worstGrowth}, after minus before).
 */
public record SoakReport(int np, String dev, long seed, double seconds, long operations, long nonBlocking,
    long pointToPoint, long bytes, long errors, ResourceSnapshot before, ResourceSnapshot after,
    ResourceSnapshot worstGrowth)
{
    private static final String[] NAMES = {"allocator_bytes", "open_fds", "shm_files", "threads", "direct_bytes"};

    /** One JSON object. */
    public String json()
    {
        final StringBuilder b = new StringBuilder(512);
        b.append("{\"op\":\"soak\",\"np\":").append(np).append(",\"dev\":").append(ResultPrinter.string(dev))
            .append(",\"seed\":").append(seed).append(",\"seconds\":").append(ResultPrinter.number(seconds))
            .append(",\"operations\":").append(operations).append(",\"nonblocking\":").append(nonBlocking)
            .append(",\"p2p\":").append(pointToPoint).append(",\"bytes\":").append(bytes)
            .append(",\"errors\":").append(errors);
        final long[] from = before.toArray();
        final long[] to = after.toArray();
        final long[] growth = worstGrowth.toArray();
        for (int i = 0; i < NAMES.length; i++)
        {
            b.append(",\"").append(NAMES[i]).append("\":{\"before\":").append(from[i]).append(",\"after\":")
                .append(to[i]).append(",\"worst_growth\":").append(growth[i]).append('}');
        }
        return b.append('}').toString();
    }

    /** Lines for people. */
    public String table()
    {
        final StringBuilder b = new StringBuilder(512);
        b.append(String.format(java.util.Locale.ROOT,
            "# soak: np=%d, dev=%s, seed=%d, %.1f s, every result checked%n" +
            "operations   %d (non-blocking %d, point-to-point %d)%n" +
            "bytes        %d (%s)%n" +
            "errors       %d%n" +
            "%-16s %14s %14s %14s%n",
            np, dev, seed, seconds, operations, nonBlocking, pointToPoint, bytes, String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0), errors,
            "resource (rank 0)", "before", "after", "worst growth"));
        final long[] from = before.toArray();
        final long[] to = after.toArray();
        final long[] growth = worstGrowth.toArray();
        for (int i = 0; i < NAMES.length; i++)
        {
            b.append(String.format(java.util.Locale.ROOT, "%-16s %14d %14d %14d%n", NAMES[i], from[i], to[i],
                growth[i]));
        }
        return b.toString();
    }
}
