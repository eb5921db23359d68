package dev.ringfold.bench;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Status;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * A measurement between ranks 0 and 1 (latency, bw), the other ranks waiting in a barrier: rank 0 times, both check
 * every message they receive, the first few wrong ones of a size are printed, and the verdict is the job's.
 */
abstract sealed class TwoRankOp implements SizedOp permits LatencyOp, BandwidthOp
{
    /** Wrong messages printed per size: enough to see what goes wrong, not a flood. */
    private static final int PRINTED = 3;

    /** Rank 0's times, made by setUp. */
    Samples samples;
    private int reported;

    @Override
    public final List<Measurement> measure(final BenchContext ctx, final int n)
    {
        final Communicator w = ctx.world();
        final int timed = timedIterations(ctx, n);
        final int warm = BenchOptions.warmupIterations(timed);
        samples.reset(timed);
        reported = 0;
        long bad = 0;
        w.barrier();
        if (ctx.rank() == 0)
        {
            bad = timeOnRankZero(w, n, warm, timed);
        }
        else if (ctx.rank() == 1)
        {
            bad = answerOnRankOne(w, n, warm + timed);
        }
        w.barrier();
        ctx.verdict(bad, name() + " " + Sizes.label(n));
        return ctx.rank() == 0 ?
            List.of(Measurement.of(name(), ctx.np(), ctx.dev(), n, samples, messagesPerSample())) : List.of();
    }

    /** How many times rank 0 times a message of n bytes (after as many warm-up rounds as the options give). */
    abstract int timedIterations(BenchContext ctx, int n);

    /** Rank 0: warm-up rounds, then timed ones into samples; returns the wrong messages it received. */
    abstract long timeOnRankZero(Communicator w, int n, int warm, int timed);

    /** Rank 1: the other side of all rounds; returns the wrong messages it received. */
    abstract long answerOnRankOne(Communicator w, int n, int rounds);

    /** What one sample's time is divided by: the time of one message. */
    abstract double messagesPerSample();

    /** 0 when s says n bytes came into b and b holds stamp at both ends; 1 otherwise, printed. */
    final long check(final Status s, final UnsafeBuffer b, final int n, final long stamp)
    {
        return check(s, b, n, stamp, -1);
    }

    /** {@link #check(Status, UnsafeBuffer, int, long)} for message {@code message} of the window {@code stamp}. */
    final long check(final Status s, final UnsafeBuffer b, final int n, final long stamp, final int message)
    {
        if (s.count() == n && Payload.hasStamp(b, n, stamp))
        {
            return 0;
        }
        report(n, (message < 0 ? "" : "window " + stamp + ", message " + message + ": ") + "expected " + n +
            " bytes stamped " + stamp + ", received " + s.count() + " bytes" +
            (s.count() == n ? " without that stamp" : ""));
        return 1;
    }

    /** Prints what went wrong with a message of n bytes, for the first {@link #PRINTED} of the size. */
    final void report(final int n, final String what)
    {
        if (reported++ < PRINTED)
        {
            System.err.println(name() + " " + Sizes.label(n) + ": " + what);
        }
    }
}
