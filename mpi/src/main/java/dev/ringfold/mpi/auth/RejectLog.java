package dev.ringfold.mpi.auth;

import java.io.PrintStream;

/**
 * One stderr line per rejected connection, but at most {@link #LINES_PER_WINDOW} lines per
 * {@link #WINDOW_MS}: a port scan or a flood must not bury the program's own output or cost more than a counter.
 * What is held back is counted and reported with the next line that is printed.
 */
public final class RejectLog
{
    static final int LINES_PER_WINDOW = 5;
    static final long WINDOW_MS = 10_000;

    private static final RejectLog STDERR = new RejectLog(System.err);

    private final PrintStream out;
    private long windowStartMs = Long.MIN_VALUE;
    private int printed;
    private long suppressed;

    RejectLog(final PrintStream out)
    {
        this.out = out;
    }

    public static RejectLog stderr()
    {
        return STDERR;
    }

    /**
     * @param where  who rejects, e.g. "rank 2 TCP" or "rendezvous".
     * @param from   the remote address.
     * @param reason why, one line.
     */
    public void reject(final String where, final Object from, final String reason)
    {
        final String line;
        synchronized (this)
        {
            final long now = System.currentTimeMillis();
            if (now - windowStartMs >= WINDOW_MS)
            {
                windowStartMs = now;
                printed = 0;
            }
            if (printed >= LINES_PER_WINDOW)
            {
                suppressed++;
                return;
            }
            printed++;
            line = "ringfold: " + where + ": rejected connection from " + from + ": " + reason +
                (suppressed > 0 ? " (" + suppressed + " earlier rejections not shown)" : "");
            suppressed = 0;
        }
        out.println(line);
    }
}
