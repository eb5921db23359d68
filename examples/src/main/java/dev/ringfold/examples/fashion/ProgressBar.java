package dev.ringfold.examples.fashion;

import java.io.PrintStream;

/**
 * One epoch's progress: a bar with the running loss, accuracy and samples per second. On a terminal it redraws one
 * line in place; into a pipe (under mpjrun) it prints a line at every tenth of the epoch, so logs stay readable.
 */
final class ProgressBar
{
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final int epochs;
    private final boolean inPlace;
    private int nextTenth;
    private long lastDraw;
    /** Elastic training: the replicas training now, shown at the end of each line so a change shows; 0: not shown. */
    private int width;

    ProgressBar(final PrintStream out, final int epochs, final boolean inPlace)
    {
        this.out = out;
        this.epochs = epochs;
        this.inPlace = inPlace;
    }

    /** The replicas training from now on (elastic training), shown on every line from here. */
    void width(final int replicas)
    {
        this.width = replicas;
    }

    void start()
    {
        nextTenth = 1;
        lastDraw = 0;
    }

    void update(final int epoch, final int step, final int steps, final double loss, final double accuracy,
        final double samplesPerSecond)
    {
        if (inPlace)
        {
            final long now = System.nanoTime();
            if (now - lastDraw >= REDRAW_NANOS)
            {
                lastDraw = now;
                out.print("\r" + line(epoch, step, steps, loss, accuracy, samplesPerSecond));
                out.flush();
            }
        }
        else if (step * 10L >= (long)nextTenth * steps && step < steps)
        {
            nextTenth = (int)(step * 10L / steps) + 1;
            out.println(line(epoch, step, steps, loss, accuracy, samplesPerSecond));
        }
    }

    void finish(final int epoch, final int steps, final double loss, final double accuracy,
        final double samplesPerSecond, final double seconds, final double testAccuracy)
    {
        out.println((inPlace ? "\r" : "") + line(epoch, steps, steps, loss, accuracy, samplesPerSecond) +
            String.format(" | %.1f s, test accuracy %.4f", seconds, testAccuracy));
    }

    private String line(final int epoch, final int step, final int steps, final double loss, final double accuracy,
        final double samplesPerSecond)
    {
        final int filled = (int)((long)WIDTH * step / Math.max(steps, 1));
        return String.format("epoch %" + digits(epochs) + "d/%d [%s%s] %3d%% loss %.4f acc %.4f %,.0f samples/s",
            epoch, epochs, "=".repeat(filled), " ".repeat(WIDTH - filled), 100L * step / Math.max(steps, 1), loss,
            accuracy, samplesPerSecond) + (width > 0 ? ", " + width + " replicas" : "");
    }

    private static int digits(final int n)
    {
        return Integer.toString(n).length();
    }
}
