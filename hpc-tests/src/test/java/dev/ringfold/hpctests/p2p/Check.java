package dev.ringfold.hpctests.p2p;

/** Assertions inside rank programs: a failed check throws, the rank exits non-zero, the launcher names it. */
public final class Check
{
    private Check()
    {
    }

    public static void that(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError(what);
        }
    }

    public static void equal(final long expected, final long actual, final String what)
    {
        if (expected != actual)
        {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual);
        }
    }

    /** Runs the call and returns the exception it must throw, failing if it throws nothing or something else. */
    public static <T extends Throwable> T raises(final Class<T> type, final Runnable call, final String what)
    {
        try
        {
            call.run();
        }
        catch (final Throwable t)
        {
            if (type.isInstance(t))
            {
                return type.cast(t);
            }
            throw new AssertionError(what + ": expected " + type.getSimpleName() + " but got " + t, t);
        }
        throw new AssertionError(what + ": expected " + type.getSimpleName() + " but nothing was thrown");
    }
}
