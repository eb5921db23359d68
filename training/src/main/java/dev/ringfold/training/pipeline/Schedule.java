package dev.ringfold.training.pipeline;

/**
 * The order in which a stage runs the forwards and backwards of a step's m micro-batches.
 * <ul>
 * <li>{@link #GPIPE}: all m forwards, then all m backwards (in the same order, as GPipe's backward pass replays
 * the micro-batches); every stage keeps m micro-batches of activations.</li>
 * <li>{@link #ONE_F_ONE_B}: PipeDream-Flush's one-forward-one-backward: stage s of p runs min(p - s - 1, m)
 * warm-up forwards, then alternates one forward and one backward, then drains the backwards; at most p - s
 * micro-batches of activations are alive on stage s, the same bubble as GPipe.</li>
 * </ul>
 * Both give the same gradients: the micro-batches' gradients are summed, and each stage sums them in micro-batch
 * order.
 */
public enum Schedule
{
    GPIPE,
    ONE_F_ONE_B;

    /** Activation slots stage {@code stage} of {@code stages} needs for {@code m} micro-batches. */
    public int slots(final int stage, final int stages, final int m)
    {
        return this == GPIPE ? m : Math.min(m, stages - stage);
    }

    /**
     * The stage's operations for one step: {@code i + 1} for the forward of micro-batch i, {@code -(i + 1)} for its
     * backward; 2m entries.
     */
    public int[] operations(final int stage, final int stages, final int m)
    {
        final int[] ops = new int[2 * m];
        int n = 0;
        if (this == GPIPE)
        {
            for (int i = 0; i < m; i++)
            {
                ops[n++] = i + 1;
            }
            for (int i = 0; i < m; i++)
            {
                ops[n++] = -(i + 1);
            }
            return ops;
        }
        final int warmUp = Math.min(stages - stage - 1, m);
        int forward = 0;
        int backward = 0;
        while (forward < warmUp)
        {
            ops[n++] = ++forward;
        }
        while (forward < m)
        {
            ops[n++] = ++forward;
            ops[n++] = -(++backward);
        }
        while (backward < m)
        {
            ops[n++] = -(++backward);
        }
        return ops;
    }

    @Override
    public String toString()
    {
        return this == GPIPE ? "GPipe" : "1F1B";
    }
}
