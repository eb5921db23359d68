package dev.ringfold.training.data;

/**
 * The one {@link DataParallel.NoSync} object of a data-parallel instance: whether a noSync() scope is open, so that
 * step() inside one, or a second one inside the first, fails with a clear message.
 */
final class AccumulationScope implements DataParallel.NoSync
{
    private final String where;
    private boolean open;

    AccumulationScope(final String where)
    {
        this.where = where;
    }

    AccumulationScope enter()
    {
        if (open)
        {
            throw new IllegalStateException(where + ": noSync() while a noSync() scope is open");
        }
        open = true;
        return this;
    }

    boolean isOpen()
    {
        return open;
    }

    /** For step(): gradients may only be agreed on outside the scope. */
    void checkClosed()
    {
        if (open)
        {
            throw new IllegalStateException(where + ": step() inside a noSync() scope; close the scope first");
        }
    }

    @Override
    public void close()
    {
        open = false;
    }
}
