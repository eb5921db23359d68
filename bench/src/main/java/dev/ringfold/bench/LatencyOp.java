package dev.ringfold.bench;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Status;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * Ping-pong between ranks 0 and 1 (osu_latency; the anchors' pingpong.c): rank 0 sends, rank 1 receives and sends
 * the message back into rank 0's buffer. Every round trip is timed on rank 0; one-way latency = round trip / 2,
 * median over the timed iterations after warm-up. Other ranks wait in a barrier.
 *
 * <p>Checks: the first round trip of each size carries the full pattern, checked on both sides after the receiver
 * cleared its buffer; every later message carries its own stamp (round trip k: ping {@code 2k}, pong {@code 2k+1})
 * at both ends, checked on receipt, and its byte count.
 */
public final class LatencyOp implements SizedOp
{
    private static final int TAG = 11;

    private UnsafeBuffer buffer;
    private Samples samples;
    private int reported;

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
    public List<Measurement> measure(final BenchContext ctx, final int n)
    {
        final Communicator w = ctx.world();
        final int timed = ctx.options().timedIterations(n);
        final int warm = BenchOptions.warmupIterations(timed);
        samples.reset(timed);
        reported = 0;
        long bad = 0;
        w.barrier();
        if (ctx.rank() == 0)
        {
            bad = ping(w, n, warm, timed);
        }
        else if (ctx.rank() == 1)
        {
            bad = pong(w, n, warm + timed);
        }
        w.barrier();
        ctx.verdict(bad, name() + " " + Sizes.label(n));
        return ctx.rank() == 0 ? List.of(Measurement.of(name(), ctx.np(), ctx.dev(), n, samples, 2.0)) : List.of();
    }

    private long ping(final Communicator w, final int n, final int warm, final int timed)
    {
        final UnsafeBuffer b = buffer;
        long bad = 0;
        // round trip 0, untimed: the full pattern both ways
        Payload.fillPattern(b, n);
        Payload.stamp(b, n, 0);
        w.send(b, 0, n, 1, TAG);
        Payload.clear(b, n);
        bad += check(w.recv(b, 0, n, 1, TAG), n, 1) + Payload.patternErrors(b, n);
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
            bad += check(s, n, 2L * k + 1);
        }
        return bad;
    }

    private long pong(final Communicator w, final int n, final int rounds)
    {
        final UnsafeBuffer b = buffer;
        long bad = 0;
        Payload.clear(b, n);
        for (int k = 0; k <= rounds; k++)
        {
            final Status s = w.recv(b, 0, n, 0, TAG);
            bad += check(s, n, 2L * k);
            if (k == 0)
            {
                bad += Payload.patternErrors(b, n);
            }
            Payload.stamp(b, n, 2L * k + 1);
            w.send(b, 0, n, 0, TAG);
        }
        return bad;
    }

    private long check(final Status s, final int n, final long stamp)
    {
        if (s.count() == n && Payload.hasStamp(buffer, n, stamp))
        {
            return 0;
        }
        if (reported++ < 3)
        {
            System.err.println("latency " + Sizes.label(n) + ": expected " + n + " bytes stamped " + stamp +
                ", received " + s.count() + " bytes" + (s.count() == n ? " without that stamp" : ""));
        }
        return 1;
    }
}
