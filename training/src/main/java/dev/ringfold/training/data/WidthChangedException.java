package dev.ringfold.training.data;

/**
 * Thrown by an {@link ElasticAllReduce} call once the replicas that survived a death have agreed on a new width:
 * the step under way was not applied anywhere; redo it from {@link #completedSteps()}, at the new width, with this
 * replica's new share of the global batch.
 */
public final class WidthChangedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int from;
    private final int to;
    private final long completedSteps;

    WidthChangedException(final String message, final int from, final int to, final long completedSteps,
        final RuntimeException cause)
    {
        super(message, cause);
        this.from = from;
        this.to = to;
        this.completedSteps = completedSteps;
    }

    /** Replicas before the failure. */
    public int from()
    {
        return from;
    }

    /** Replicas now. */
    public int to()
    {
        return to;
    }

    /** Steps every survivor has applied: the next step to run has this index. */
    public long completedSteps()
    {
        return completedSteps;
    }
}
