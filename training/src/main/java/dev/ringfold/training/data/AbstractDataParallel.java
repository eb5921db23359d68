package dev.ringfold.training.data;

/**
 * What every data-parallel mode shares: the name its errors begin with (rank, communicator and mode) and its life.
 * {@link #close()} releases once, however often it is called (a try-with-resources and an error path both close);
 * any other call after it is an error naming the instance.
 */
abstract class AbstractDataParallel implements DataParallel
{
    /** How errors name this instance: "rank r of comm: mode". */
    final String where;
    private boolean closed;

    AbstractDataParallel(final String where)
    {
        this.where = where;
    }

    @Override
    public final void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        release();
    }

    /** Gives back what the mode holds (requests in flight finished first); runs once, at the first close. */
    abstract void release();

    /** Throws unless the instance is open. */
    void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(where + ": closed");
        }
    }
}
