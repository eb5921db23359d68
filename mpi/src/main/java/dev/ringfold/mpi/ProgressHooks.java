package dev.ringfold.mpi;

import java.util.Arrays;

/**
 * The collectives in flight that every round of progress advances, in the order they started. A hook may remove
 * itself while it runs (a collective that has finished): the round goes backwards, so no other hook is skipped or
 * run twice.
 */
final class ProgressHooks
{
    private Progressable[] hooks = new Progressable[8];
    private int count;

    void add(final Progressable hook)
    {
        if (count == hooks.length)
        {
            hooks = Arrays.copyOf(hooks, hooks.length * 2);
        }
        hooks[count++] = hook;
    }

    void remove(final Progressable hook)
    {
        for (int i = 0; i < count; i++)
        {
            if (hooks[i] == hook)
            {
                System.arraycopy(hooks, i + 1, hooks, i, count - i - 1); // keeps the others in start order
                hooks[--count] = null;
                return;
            }
        }
    }

    /** Runs every hook once; returns the work they did. */
    int doWork()
    {
        int work = 0;
        for (int i = count - 1; i >= 0; i--)
        {
            if (i < count)
            {
                work += hooks[i].doWork();
            }
        }
        return work;
    }
}
