package dev.ringfold.bench;

/** A benchmark saw a wrong payload (or could not run as asked); {@link OsuBench} exits 1 with the message. */
public final class BenchFailure extends RuntimeException
{
    public BenchFailure(final String message)
    {
        super(message);
    }
}
