package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.internal.CommunicatorInternals;

/**
 * Runs a communicator's collective calls in sequence: every call, blocking, non-blocking or a persistent request's
 * start, takes the next sequence number, which becomes its message tag (so that collectives in flight together never
 * mix), and, with call checks on ({@link Collectives#checkCalls}), goes through a {@link CheckedOperation} that
 * compares its fingerprint ({@link #next}) with every other rank's before it moves data.
 */
final class CallSequence
{
    /** The tag a checked call's own operation starts with; its messages use {@link CheckedOperation#FINGERPRINT_TAG}. */
    private static final int CHECKED_START = CheckedOperation.FINGERPRINT_TAG;

    private final CommunicatorState state;
    private final Communicator comm;
    /** The fingerprint of the call being made; set by the facade before it prepares the operation. */
    final Call next = new Call();
    private final CallOrder checkedOrder = new CallOrder();
    private CheckedOperation checked;
    private int sequence;
    private boolean checkCalls;
    /** RINGFOLD_COLLECTIVE_STAMPS: off only to measure what the stamps cost (mismatches then go unnoticed). */
    private final boolean stamps;

    CallSequence(final CommunicatorState state)
    {
        this.state = state;
        this.comm = state.comm;
        this.checkCalls = comm.settings().collectives().checkCalls();
        this.stamps = comm.settings().collectives().stamps();
    }

    /** The stamp the messages of the call being made carry ({@link Call#stamp()}); 0 (none) with stamps off. */
    long stamp()
    {
        return stamps ? next.stamp() : 0L;
    }

    void checkCalls(final boolean check)
    {
        checkCalls = check;
    }

    boolean checksCalls()
    {
        return checkCalls;
    }

    /** A blocking call: runs the operation to the end, or throws what it failed with. */
    void run(final Operation op)
    {
        op.stamp(stamp());
        final Operation o = checkCalls ? checked(op) : op;
        begin(o);
        if (!o.isComplete())
        {
            o.await();
        }
        final RuntimeException error = o.error();
        if (error != null)
        {
            throw error;
        }
    }

    /** A non-blocking call: starts the operation and returns its request. */
    CollectiveRequest start(final Operation op)
    {
        op.stamp(stamp());
        final Operation o = checkCalls ? new CheckedOperation(comm, checkedOrder).wrap(next, op) : op;
        begin(o);
        return new CollectiveRequest(o, comm, null);
    }

    /**
     * A persistent request over {@code op}, not started: its check (with call checks on) and its operation are made
     * here once, and every {@link CollectiveRequest#start()} runs them again ({@link #restart}).
     */
    CollectiveRequest persistent(final Operation op)
    {
        op.stamp(stamp()); // every start carries the call it was made for
        final Operation o = checkCalls ? new CheckedOperation(comm, checkedOrder).wrap(next, op) : op;
        return new CollectiveRequest(o, comm, this);
    }

    /** Starts a persistent request's operation (or its check) again, with the next sequence number. */
    void restart(final Operation o)
    {
        state.checkOpen();
        begin(o);
    }

    /** Starts a call with the next sequence number: a checked one exchanges fingerprints first. */
    private void begin(final Operation o)
    {
        if (o instanceof CheckedOperation c)
        {
            c.renumber(sequence, nextTag());
            o.start(CHECKED_START);
        }
        else
        {
            o.startCall(nextTag());
        }
    }

    /** The blocking call wrapped in its (kept) check, with the tag and sequence number it would have had unchecked. */
    private CheckedOperation checked(final Operation op)
    {
        if (checked == null || checked.isActive())
        {
            checked = new CheckedOperation(comm, checkedOrder);
        }
        return checked.wrap(next, op);
    }

    int nextTag()
    {
        return CommunicatorInternals.FIRST_COLLECTIVE_TAG + (sequence++ & 0x3FFF_FFFF);
    }

    /** The sequence number the next call will take (its place in the order every rank calls in). */
    int sequence()
    {
        return sequence;
    }
}
