package dev.ringfold.mpi;

import dev.ringfold.mpi.transport.FrameHandler;
import dev.ringfold.mpi.transport.Transport;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

import java.util.Locale;

/**
 * What happens between two rounds of progress while a rank waits: it idles (the runtime's idle strategy), checks
 * its peers' liveness every 100 ms, raises {@link DeadlineExceededException} once the wait's deadline has passed,
 * and reports a stall, once per wait, to the error handler. Nothing here allocates until a deadline or a stall.
 */
final class Waits
{
    static final long LIVENESS_PERIOD_NS = 100_000_000L;
    /**
     * The first idle rounds of a wait that leave the clock alone: the default idle strategies begin a wait with more
     * spins than this, a wait for an answer that comes within them (a small message's) should poll its rings and
     * nothing else, and a profile of the 8 B all-reduce found the clock's reads above the rings' polls. From the
     * next round on, the clock is read on every idle round, so deadlines and stall reports keep their precision.
     */
    private static final int ROUNDS_WITHOUT_CLOCK = 16;

    private final int worldRank;
    private final IdleStrategy idle;
    private final Transport[] transports;
    private final FrameHandler liveness;
    private final MatchingQueues matching;
    private final long stallNs;
    private long nextLivenessCheck;
    private long nextPolledCheck;
    private boolean stallReported;
    private int roundsWithoutClock;
    private ErrorHandler errorHandler = Waits::print;

    Waits(final int worldRank, final IdleStrategy idle, final Transport[] transports, final FrameHandler liveness,
        final MatchingQueues matching, final long stallNs)
    {
        this.worldRank = worldRank;
        this.idle = idle;
        this.transports = transports;
        this.liveness = liveness;
        this.matching = matching;
        this.stallNs = stallNs;
    }

    /** Starts a wait: returns its start time (System.nanoTime) for {@link #idle}. */
    long begin()
    {
        idle.reset();
        stallReported = false;
        roundsWithoutClock = 0;
        return System.nanoTime();
    }

    /** Starts a wait nested in another (a withdrawal inside a wait): the outer wait's stall report stands. */
    long beginNested()
    {
        idle.reset();
        roundsWithoutClock = 0;
        return System.nanoTime();
    }

    /** After a round of progress that did {@code work}: idles, and when there was none, does the rare checks. */
    void idle(final int work, final long start, final Completion waitingFor, final long timeoutNs)
    {
        idle.idle(work);
        if (work == 0 && roundsWithoutClock < ROUNDS_WITHOUT_CLOCK)
        {
            roundsWithoutClock++; // never reset within a wait: a wait that keeps doing other work still checks
        }
        else if (work == 0)
        {
            final long now = System.nanoTime();
            if (now - nextLivenessCheck >= 0)
            {
                nextLivenessCheck = now + LIVENESS_PERIOD_NS;
                checkLiveness();
                final long waited = now - start;
                // the stall first: a check that comes late (the thread was not scheduled) and finds both passed
                // still reports the stall before the deadline ends the wait
                if (stallNs > 0 && waited > stallNs && !stallReported)
                {
                    stallReported = true;
                    reportStall(waitingFor, waited);
                }
                if (timeoutNs > 0 && waited > timeoutNs)
                {
                    throw new DeadlineExceededException("rank " + worldRank + ": timed out after " +
                        (timeoutNs / 1_000_000) + " ms waiting on " + waitingFor.describe() +
                        "; allow longer with Communicator.timeout(Duration), Request.await(Duration) or " +
                        "RINGFOLD_TIMEOUT_MS (0 for no deadline)");
                }
            }
        }
    }

    /**
     * Looks for dead peers if the last such look was a liveness period ago: for ranks that poll (test, iprobe)
     * without ever idling in a wait; its own clock, so that a wait's deadline checks keep theirs.
     */
    void checkLivenessIfDue()
    {
        final long now = System.nanoTime();
        if (now - nextPolledCheck >= 0)
        {
            nextPolledCheck = now + LIVENESS_PERIOD_NS;
            checkLiveness();
        }
    }

    /** Asks every transport whether its peers are still there. */
    void checkLiveness()
    {
        for (final Transport t : transports)
        {
            t.checkLiveness(liveness);
        }
    }

    /** Idles once outside any wait (closing): the strategy only, no checks. */
    void pause(final int work)
    {
        idle.idle(work);
    }

    /** Once per wait, without stopping it: a rank stuck somewhere says where, before any deadline passes. */
    private void reportStall(final Completion waitingFor, final long waitedNs)
    {
        String detail = waitingFor.stallDetail();
        if (detail == null && waitingFor instanceof Request r && !r.isSend)
        {
            detail = matching.waitingFrom(r.ctx, r.peer);
        }
        errorHandler.onError(new StallReport("stall: rank " + worldRank + " has waited " +
            String.format(Locale.ROOT, "%.1f", waitedNs / 1e9) + " s on " + waitingFor.describe() +
            (detail == null ? "" : "; " + detail) + " (reported once; RINGFOLD_STALL_MS sets when)"));
    }

    /** Where stall reports and errors no call can throw go; by default, one line on standard error. */
    void report(final Throwable error)
    {
        errorHandler.onError(error);
    }

    void errorHandler(final ErrorHandler handler)
    {
        this.errorHandler = handler;
    }

    private static void print(final Throwable error)
    {
        if (error instanceof RingfoldException)
        {
            System.err.println("ringfold: " + error.getMessage());
        }
        else
        {
            error.printStackTrace();
        }
    }
}
