package dev.ringfold.launch;

/** A started rank as the supervisor tracks it. */
final class RankProcess
{
    static final int STILL_RUNNING = Integer.MIN_VALUE;

    private final int rank;
    private final Process process;
    private final Thread[] pumps;
    private volatile boolean stoppedByLauncher;
    private volatile boolean announced;
    private volatile int exitValue = STILL_RUNNING;

    RankProcess(final int rank, final Process process, final Thread... pumps)
    {
        this.rank = rank;
        this.process = process;
        this.pumps = pumps;
    }

    int rank()
    {
        return rank;
    }

    Process process()
    {
        return process;
    }

    /** "rank 2 (pid 12345)". */
    String label()
    {
        return "rank " + rank + " (pid " + process.pid() + ")";
    }

    /** Its end has been reported as it happened: the summary does not repeat it. */
    void markAnnounced()
    {
        announced = true;
    }

    boolean announced()
    {
        return announced;
    }

    void markStoppedByLauncher()
    {
        stoppedByLauncher = true;
    }

    /** Takes the exit value once the process has ended. */
    int recordExit()
    {
        exitValue = process.exitValue();
        return exitValue;
    }

    boolean exitRecorded()
    {
        return exitValue != STILL_RUNNING;
    }

    int exitValue()
    {
        return exitValue;
    }

    /** Waits for the rest of the rank's output, at most until the deadline (System.nanoTime()). */
    void awaitOutput(final long deadlineNanos) throws InterruptedException
    {
        for (final Thread pump : pumps)
        {
            final long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000L;
            if (leftMs > 0)
            {
                pump.join(leftMs);
            }
        }
    }

    /** How the rank ended, for the summary after a failed job. */
    String outcome()
    {
        if (!exitRecorded())
        {
            return process.isAlive() ? "is still running; could not stop it" : "ended, exit value unknown";
        }
        if (stoppedByLauncher)
        {
            return "stopped by mpjrun";
        }
        return ExitStatus.describe(exitValue);
    }
}
