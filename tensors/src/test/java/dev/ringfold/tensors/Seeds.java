package dev.ringfold.tensors;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.util.stream.LongStream;

/**
 * Seeds for the randomized property tests: a fixed base, so every run tries the same cases, overridable with
 * {@code -Dringfold.seed=N} (and {@code -Dringfold.tries=N}) to explore. A failing case's seed is in its display
 * name ("seed 20261127"); rerun it alone with that base and one try.
 */
final class Seeds
{
    static final long BASE = Long.getLong("ringfold.seed", 20261127L);
    static final int TRIES = Integer.getInteger("ringfold.tries", 150);

    private Seeds()
    {
    }

    static LongStream seeds()
    {
        return LongStream.range(BASE, BASE + TRIES);
    }

    /** Puts the case's display name ("seed N") and how to rerun it in front of any failure. */
    static final class Report implements TestExecutionExceptionHandler
    {
        @Override
        public void handleTestExecutionException(final ExtensionContext context, final Throwable failure)
            throws Throwable
        {
            if (!context.getDisplayName().startsWith("seed "))
            {
                throw failure; // not a seeded case
            }
            throw new AssertionError(context.getDisplayName() + " (rerun: -Dringfold.seed=N -Dringfold.tries=1): " +
                failure, failure);
        }
    }
}
