package dev.ringfold.mpi;

/**
 * Work that advances whenever the rank drives progress, registered with
 * {@link dev.ringfold.mpi.internal.CommunicatorInternals#addProgressHook} (internal to Ringfold's modules): how
 * non-blocking collectives move while the program waits on anything. Called from inside progress: it may start
 * sends and receives and look at requests'
 * {@link Request#isComplete()}, but must not wait or call {@link Request#test()}.
 */
@FunctionalInterface
public interface Progressable
{
    /** Advances as far as possible without waiting; returns how much work was done (0 for none). */
    int doWork();
}
