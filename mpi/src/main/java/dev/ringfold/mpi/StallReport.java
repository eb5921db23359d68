package dev.ringfold.mpi;

/**
 * Not thrown: handed to the runtime's error handler ({@link Ringfold#errorHandler}) when a wait has lasted longer
 * than RINGFOLD_STALL_MS, once per wait, while the wait goes on. Its message says what the rank waits for, in the
 * words of the call (barrier, receive with its tag), and which messages already wait unreceived from the peer it
 * waits on. It carries no stack trace.
 */
public final class StallReport extends RingfoldException
{
    private static final long serialVersionUID = 1L;

    public StallReport(final String message)
    {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace()
    {
        return this;
    }
}
