package dev.ringfold.examples.fashion;

/**
 * A replacement's account of its start, for issue 16's "back at full width within JVM start-up + 1 s": wall-clock
 * marks, each printed as ms from the JVM's start (the exec by mpjrun, {@code ProcessHandle.info().startInstant()}),
 * so that a timing script can tell the JVM's own start-up from the program's and the join's phases.
 */
final class StartTimeline
{
    private final long jvmStartMs;
    private final StringBuilder marks = new StringBuilder();

    StartTimeline(final long fallbackMs)
    {
        this.jvmStartMs = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(fallbackMs);
    }

    /** Phase {@code name} ended at wall-clock {@code atMs}; 0: it did not end (cut short), no mark. */
    StartTimeline mark(final String name, final long atMs)
    {
        if (atMs == 0)
        {
            return this;
        }
        marks.append(marks.isEmpty() ? "" : ", ").append(name).append(' ').append(atMs - jvmStartMs);
        return this;
    }

    long jvmStartMs()
    {
        return jvmStartMs;
    }

    /** "name ms, name ms, ...", each from the JVM's start. */
    @Override
    public String toString()
    {
        return marks.toString();
    }
}
