package dev.ringfold.training.pipeline;

/**
 * Where one stage's time went: per micro-batch of the last step, the forward and backward compute and the time spent
 * waiting in point-to-point (for an activation or gradient to arrive, and for a send to finish before its buffer is
 * reused); over all recorded steps, the totals. Idle is step time minus compute: the bubble plus transfer waits.
 * Recording is a few {@code System.nanoTime()} calls per operation into arrays made once.
 */
public final class StageTimeline
{
    private final int stage;
    private final int stages;
    private final int microBatches;
    private final long[] forwardNanos;
    private final long[] backwardNanos;
    private final long[] receiveWaitNanos;
    private final long[] sendWaitNanos;
    private long stepNanos;
    private long steps;
    private long totalStepNanos;
    private long totalComputeNanos;
    private long totalReceiveWaitNanos;
    private long totalSendWaitNanos;

    StageTimeline(final int stage, final int stages, final int microBatches)
    {
        this.stage = stage;
        this.stages = stages;
        this.microBatches = microBatches;
        this.forwardNanos = new long[microBatches];
        this.backwardNanos = new long[microBatches];
        this.receiveWaitNanos = new long[microBatches];
        this.sendWaitNanos = new long[microBatches];
    }

    void startStep()
    {
        java.util.Arrays.fill(forwardNanos, 0);
        java.util.Arrays.fill(backwardNanos, 0);
        java.util.Arrays.fill(receiveWaitNanos, 0);
        java.util.Arrays.fill(sendWaitNanos, 0);
    }

    void forward(final int microBatch, final long nanos)
    {
        forwardNanos[microBatch] += nanos;
    }

    void backward(final int microBatch, final long nanos)
    {
        backwardNanos[microBatch] += nanos;
    }

    void receiveWait(final int microBatch, final long nanos)
    {
        receiveWaitNanos[microBatch] += nanos;
    }

    void sendWait(final int microBatch, final long nanos)
    {
        sendWaitNanos[microBatch] += nanos;
    }

    void endStep(final long nanos)
    {
        stepNanos = nanos;
        steps++;
        totalStepNanos += nanos;
        for (int i = 0; i < microBatches; i++)
        {
            totalComputeNanos += forwardNanos[i] + backwardNanos[i];
            totalReceiveWaitNanos += receiveWaitNanos[i];
            totalSendWaitNanos += sendWaitNanos[i];
        }
    }

    /** Forgets the totals (after warm-up steps). */
    public void reset()
    {
        steps = 0;
        totalStepNanos = 0;
        totalComputeNanos = 0;
        totalReceiveWaitNanos = 0;
        totalSendWaitNanos = 0;
    }

    public int stage()
    {
        return stage;
    }

    public int microBatches()
    {
        return microBatches;
    }

    /** Last step: forward compute of micro-batch i, in nanoseconds. */
    public long forwardNanos(final int microBatch)
    {
        return forwardNanos[microBatch];
    }

    public long backwardNanos(final int microBatch)
    {
        return backwardNanos[microBatch];
    }

    /** Last step: time waiting for micro-batch i's activation (forward) or gradient (backward) to arrive. */
    public long receiveWaitNanos(final int microBatch)
    {
        return receiveWaitNanos[microBatch];
    }

    /** Last step: time waiting for micro-batch i's sends to finish. */
    public long sendWaitNanos(final int microBatch)
    {
        return sendWaitNanos[microBatch];
    }

    public long lastStepNanos()
    {
        return stepNanos;
    }

    public long steps()
    {
        return steps;
    }

    public double meanStepSeconds()
    {
        return steps == 0 ? 0 : totalStepNanos * 1e-9 / steps;
    }

    public double meanComputeSeconds()
    {
        return steps == 0 ? 0 : totalComputeNanos * 1e-9 / steps;
    }

    /** Mean time per micro-batch waiting for receives. */
    public double receiveWaitPerMicroBatchSeconds()
    {
        return steps == 0 ? 0 : totalReceiveWaitNanos * 1e-9 / (steps * microBatches);
    }

    /** Mean time per micro-batch waiting for sends to complete. */
    public double sendWaitPerMicroBatchSeconds()
    {
        return steps == 0 ? 0 : totalSendWaitNanos * 1e-9 / (steps * microBatches);
    }

    /** 1 - compute / step time over the recorded steps: the measured bubble (and transfer waits). */
    public double idleFraction()
    {
        return totalStepNanos == 0 ? 0 : 1.0 - (double)totalComputeNanos / totalStepNanos;
    }

    /** GPipe's bubble fraction with equal stages and free transfers: (p - 1) / (m + p - 1). */
    public static double theoreticalBubble(final int stages, final int microBatches)
    {
        return (stages - 1.0) / (microBatches + stages - 1.0);
    }

    /** One line: step, compute, waits, idle against the theory. */
    public String summary()
    {
        return String.format("stage %d/%d, m=%d, %d steps: step %.3f ms, compute %.3f ms, wait per micro-batch " +
            "%.3f ms receiving + %.3f ms sending, idle %.1f%% (GPipe theory %.1f%%)", stage, stages, microBatches,
            steps, meanStepSeconds() * 1e3, meanComputeSeconds() * 1e3, receiveWaitPerMicroBatchSeconds() * 1e3,
            sendWaitPerMicroBatchSeconds() * 1e3, idleFraction() * 100,
            theoreticalBubble(stages, microBatches) * 100);
    }

    @Override
    public String toString()
    {
        return summary();
    }
}
