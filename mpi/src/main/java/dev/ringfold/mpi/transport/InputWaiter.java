package dev.ringfold.mpi.transport;

import java.util.concurrent.locks.LockSupport;

/**
 * A transport that can put the rank to sleep until input may have arrived: the kernel wakes it when a peer's bytes
 * come in (or when a full connection has room again), where a timed sleep would wake blind, late or for nothing.
 * Only useful where every peer is on it, so that nothing can arrive another way.
 */
public interface InputWaiter
{
    /**
     * Returns when input may be ready or room has opened, or after about {@code timeoutNs} (at least 1 ms unless
     * {@link #waitsBriefly()}).
     */
    void awaitInput(long timeoutNs);

    /**
     * Sleeps about {@code ns} whether or not input comes: a back-off's short park, before its waits on input. A
     * transport may make such parks more precise than the platform's default timer slack.
     */
    default void pause(final long ns)
    {
        LockSupport.parkNanos(ns);
    }

    /**
     * Whether waits shorter than a millisecond are honoured, so that a waiter can stand in for the timed parks of a
     * back-off (a rank may also wait on things no peer announces, such as counters in a node region).
     */
    default boolean waitsBriefly()
    {
        return false;
    }
}
