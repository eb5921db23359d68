package dev.ringfold.bench;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Streaming uni-directional bandwidth rank 0 -> rank 1 (osu_bw; the anchors' pingpong.c streaming table): rank 0
 * starts a window of {@link #WINDOW} isends of the same off-heap buffer, rank 1 has as many irecvs posted into
 * distinct buffers, then rank 1 answers with a 4-byte ack. Rank 0 times each window (first isend to ack);
 * bandwidth = WINDOW * bytes / window time, median over windows; the time per message is window time / WINDOW.
 * Requests are reused: nothing is allocated while timing. Other ranks wait in a barrier.
 *
 * <p>Checks: every received message carries its window's stamp at both ends and the right byte count; the last
 * window's messages are checked byte by byte against the pattern.
 */
public final class BandwidthOp extends TwoRankOp
{
    /** Messages in flight per window, as osu_bw and the anchors (W = 8). */
    public static final int WINDOW = 8;
    private static final int TAG = 21;
    private static final int ACK_TAG = 22;

    private final Request[] requests = new Request[WINDOW];
    private final UnsafeBuffer[] windowBuffers = new UnsafeBuffer[WINDOW];
    private UnsafeBuffer sendBuffer;
    private UnsafeBuffer ack;

    @Override
    public String name()
    {
        return "bw";
    }

    @Override
    public String summary()
    {
        return "bw: streaming bandwidth rank 0 -> 1, windows of " + WINDOW + " isends + 4-byte ack";
    }

    @Override
    public void setUp(final BenchContext ctx, final int maxBytes)
    {
        for (int i = 0; i < WINDOW; i++)
        {
            requests[i] = new Request();
        }
        ack = Payload.allocate(Integer.BYTES);
        if (ctx.rank() == 0)
        {
            sendBuffer = Payload.allocate(maxBytes, ctx.options().heap());
        }
        else if (ctx.rank() == 1)
        {
            for (int i = 0; i < WINDOW; i++)
            {
                windowBuffers[i] = Payload.allocate(maxBytes, ctx.options().heap());
            }
        }
        samples = new Samples(ctx.options().iters());
    }

    @Override
    int timedIterations(final BenchContext ctx, final int n)
    {
        return Math.max(5, ctx.options().timedIterations((long)n * WINDOW));
    }

    @Override
    double messagesPerSample()
    {
        return WINDOW;
    }

    @Override
    long timeOnRankZero(final Communicator w, final int n, final int warm, final int timed)
    {
        final UnsafeBuffer b = sendBuffer;
        final Request[] rq = requests;
        Payload.fillPattern(b, n);
        for (int k = 0; k < warm + timed; k++)
        {
            Payload.stamp(b, n, k + 1); // the buffer is not touched again until every send of the window is done
            final long t0 = Samples.now();
            for (int i = 0; i < WINDOW; i++)
            {
                w.isend(b, 0, n, 1, TAG, rq[i]);
            }
            Request.waitAll(rq);
            w.recv(ack, 0, Integer.BYTES, 1, ACK_TAG);
            final long t1 = Samples.now();
            if (k >= warm)
            {
                samples.add(t1 - t0);
            }
        }
        return 0; // what it receives is the 4-byte acks, which carry nothing to check
    }

    @Override
    long answerOnRankOne(final Communicator w, final int n, final int windows)
    {
        final Request[] rq = requests;
        long bad = 0;
        for (int i = 0; i < WINDOW; i++)
        {
            Payload.clear(windowBuffers[i], n);
        }
        for (int k = 0; k < windows; k++)
        {
            for (int i = 0; i < WINDOW; i++)
            {
                w.irecv(windowBuffers[i], 0, n, 0, TAG, rq[i]);
            }
            Request.waitAll(rq);
            w.send(ack, 0, Integer.BYTES, 0, ACK_TAG);
            for (int i = 0; i < WINDOW; i++)
            {
                bad += check(rq[i].status(), windowBuffers[i], n, k + 1, i);
            }
        }
        for (int i = 0; i < WINDOW; i++)
        {
            final long wrong = Payload.patternErrors(windowBuffers[i], n);
            if (wrong != 0)
            {
                report(n, "last window, message " + i + ": " + wrong + " bytes differ from what was sent");
            }
            bad += wrong;
        }
        return bad;
    }
}
