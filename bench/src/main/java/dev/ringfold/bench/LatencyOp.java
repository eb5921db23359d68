package dev.ringfold.bench;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Status;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Ping-pong between ranks 0 and 1 (osu_latency; the anchors' pingpong.c): rank 0 sends, rank 1 receives and sends
 * the message back into rank 0's buffer. Every round trip is timed on rank 0; one-way latency = round trip / 2,
 * median over the timed iterations after warm-up. Other ranks wait in a barrier.
 *
 * <p>Checks: the first round trip of each size carries the full pattern, checked on both sides after the receiver
 * cleared its buffer; every later message carries its own stamp (round trip k: ping {@code 2k}, pong {@code 2k+1})
 * at both ends, checked on receipt, and its byte count.
 */
public final class LatencyOp extends TwoRankOp
{
    private static final int TAG = 11;

    private UnsafeBuffer buffer;

    @Override
    public String name()
    {
        return "latency";
    }

    @Override
    public String summary()
    {
        return "latency: ping-pong rank 0 <-> 1, one-way = round trip / 2";
    }

    @Override
    public void setUp(final BenchContext ctx, final int maxBytes)
    {
        buffer = Payload.allocate(maxBytes, ctx.options().heap());
        samples = new Samples(ctx.options().iters());
    }

    @Override
    int timedIterations(final BenchContext ctx, final int n)
    {
        return ctx.options().timedIterations(n);
    }

    @Override
    double messagesPerSample()
    {
        return 2.0;
    }

    @Override
    long timeOnRankZero(final Communicator w, final int n, final int warm, final int timed)
    {
        final UnsafeBuffer b = buffer;
        long bad = 0;
        // round trip 0, untimed: the full pattern both ways
        Payload.fillPattern(b, n);
        Payload.stamp(b, n, 0);
        w.send(b, 0, n, 1, TAG);
        Payload.clear(b, n);
        bad += check(w.recv(b, 0, n, 1, TAG), b, n, 1) + Payload.patternErrors(b, n);
        for (int k = 1; k <= warm + timed; k++)
        {
            Payload.stamp(b, n, 2L * k);
            final long t0 = Samples.now();
            w.send(b, 0, n, 1, TAG);
            final Status s = w.recv(b, 0, n, 1, TAG);
            final long t1 = Samples.now();
            if (k > warm)
            {
                samples.add(t1 - t0);
            }
            bad += check(s, b, n, 2L * k + 1);
        }
        return bad;
    }

    @Override
    long answerOnRankOne(final Communicator w, final int n, final int rounds)
    {
        final UnsafeBuffer b = buffer;
        long bad = 0;
        Payload.clear(b, n);
        for (int k = 0; k <= rounds; k++)
        {
            final Status s = w.recv(b, 0, n, 0, TAG);
            bad += check(s, b, n, 2L * k);
            if (k == 0)
            {
                bad += Payload.patternErrors(b, n);
            }
            Payload.stamp(b, n, 2L * k + 1);
            w.send(b, 0, n, 0, TAG);
        }
        return bad;
    }
}
