package dev.ringfold.mpi;

import dev.ringfold.mpi.trace.Tracer;

/**
 * A non-blocking send or receive in flight. Completes while the rank drives progress (any wait, test or blocking
 * call); {@link #await()} drives it with the runtime's idle strategy. A request may be passed back into
 * {@code isend/irecv(..., Request)} once complete, so a steady loop allocates nothing.
 */
public final class Request implements Completion
{
    static final byte IDLE = 0;
    static final byte PENDING = 1;
    static final byte DONE = 2;

    // where the request stands in the protocol
    static final byte QUEUED = 0;      // send: not yet on the wire; recv: posted, unmatched
    static final byte AWAIT_CTS = 1;   // send: RTS sent, waiting for the receiver
    static final byte STREAMING = 2;   // send: pushing DATA frames; recv: taking them
    static final byte WITHDRAWING = 3; // a cancel is out and the buffer is still the peer's until it answers
    static final byte TOMBSTONE = 4;   // not a request: holds a withdrawn transfer's slot until the peer's last word

    byte state = IDLE;
    byte phase;
    boolean isSend;
    boolean synchronous; // send: by rendezvous whatever its size, so that it completes once matched
    Communicator comm;
    int ctx;
    int peer;            // world rank: destination, or the source asked for (ANY_SOURCE allowed)
    int tag;
    Object base;         // the array for heap memory, null off-heap
    long address;        // absolute address off-heap, or the array offset of the first byte
    int length;
    int transferred;
    int slot = -1;       // index in the engine's table while a rendezvous is in flight
    int remoteSlot;
    int sourceWorld = -1;
    long stamp;          // send: what its frames carry; receive: what the matched message carried (Frames)
    boolean exposed;     // send: its RTS gave a receiver that pulls from peer memory the address to read from
    boolean byAddress;   // the channel moves its bytes by address (CTSA given or taken)
    boolean cancelSent;  // a CANS/CANR for it is out: its slot waits for the answer (GONE) before reuse
    int owed;            // tombstone: events (GONE, the end of a move) still to come before its slot is free
    String operation;    // the user's call this request serves when it is not a plain send or receive ("barrier")
    Request next;
    Request prev;
    RuntimeException error;
    long traceStart;     // System.nanoTime() at start, kept only while tracing (RINGFOLD_TRACE)
    final Status status = new Status();

    /** An inactive request, for the forms of isend/irecv that reuse one (waiting on it returns at once). */
    public Request()
    {
    }

    /** Clears what an earlier transfer left, as a send or a receive starts: pending, queued, nothing moved yet. */
    void begin()
    {
        state = PENDING;
        phase = QUEUED;
        error = null;
        transferred = 0;
        byAddress = false;
        cancelSent = false;
        operation = null;
        if (Tracer.ON)
        {
            traceStart = Tracer.now();
        }
    }

    /**
     * Drives progress once and says whether the request has completed (true for an inactive request, as MPI_Test
     * says of a null one); throws its error if it failed.
     */
    public boolean test()
    {
        if (state == PENDING)
        {
            comm.engine().progress();
        }
        if (state == PENDING)
        {
            return false;
        }
        throwIfFailed();
        return true;
    }

    /** Waits (driving progress) until the request completes; returns its status, or throws its error. */
    public Status await()
    {
        if (state == PENDING)
        {
            comm.engine().await(this, comm.timeoutNanos());
        }
        throwIfFailed();
        return status;
    }

    /**
     * As {@link #await()} with a deadline for this wait alone; when it passes, the request is withdrawn (see
     * {@link #cancel()}) and {@link DeadlineExceededException} says what it waited for; if it completes while being
     * withdrawn, that outcome stands. Zero waits without limit.
     */
    public Status await(final java.time.Duration timeout)
    {
        if (state == PENDING)
        {
            comm.engine().await(this, comm.nanos(timeout));
        }
        throwIfFailed();
        return status;
    }

    /**
     * Withdraws the request: once this returns, the runtime reads and writes none of its buffer again, so the
     * buffer may be freed. A request not yet matched simply leaves its queue; a matched one is cancelled with its
     * peer, whose side fails with {@link TransferWithdrawnException}; where the peer may still be copying the
     * buffer itself (a cross-memory pull, a move by address the path cannot redirect) this waits for its answer
     * or for the transfer's end.
     *
     * @return true if withdrawn (the request is then inactive), false if it had completed or failed first (its
     * status or error stand, as {@link #await()} reports).
     */
    public boolean cancel()
    {
        return state == PENDING && comm.engine().withdraw(this);
    }

    @Override
    public boolean isComplete()
    {
        return state != PENDING;
    }

    /** "receive from world rank 1 (tag 5)", for the message when a deadline passes. */
    @Override
    public String describe()
    {
        if (operation != null)
        {
            return operation + (comm == null ? "" : " on " + comm.name()) + " (waiting for " +
                (isSend ? "a send to" : "a message from") + " world rank " + peer + ")";
        }
        return (phase == WITHDRAWING ? "withdrawal of " : "") + (isSend ? "send of " + length + " bytes to" : "receive of up to " + length + " bytes from") +
            (peer == Engine.ANY ? " any rank" : " world rank " + peer) + (tag == Engine.ANY ? "" : " (tag " + tag + ")") +
            (comm == null ? "" : " on " + comm.name());
    }

    /** The error this request completed with, or null; unlike {@link #test()}, drives no progress. */
    public RuntimeException failure()
    {
        return state == PENDING ? null : error;
    }

    /** Whether this request was started and not yet handed out by {@link #waitAny}. */
    public boolean isActive()
    {
        return state != IDLE;
    }

    /** Source, tag and byte count of a completed receive (for a send: the destination, tag and bytes sent). */
    public Status status()
    {
        return status;
    }

    void throwIfFailed()
    {
        if (error != null)
        {
            throw error;
        }
    }

    /**
     * Waits for both (the common send-and-receive pair, without a varargs array), skipping a null one as
     * {@link #waitAll(Request...)} does; throws the first error.
     */
    public static void waitAll(final Request first, final Request second)
    {
        if (first != null && first.state == PENDING)
        {
            first.comm.engine().await(first, first.comm.timeoutNanos());
        }
        if (second != null && second.state == PENDING)
        {
            second.comm.engine().await(second, second.comm.timeoutNanos());
        }
        if (first != null)
        {
            first.throwIfFailed();
        }
        if (second != null)
        {
            second.throwIfFailed();
        }
    }

    /** Waits for all of them; throws the first error after all have completed or failed. */
    public static void waitAll(final Request... requests)
    {
        RuntimeException first = null;
        for (final Request r : requests)
        {
            if (r == null)
            {
                continue;
            }
            if (r.state == PENDING)
            {
                r.comm.engine().await(r, r.comm.timeoutNanos());
            }
            if (first == null)
            {
                first = r.error;
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    /** Waits until one of them completes; returns its index (-1 if none is active). Throws that request's error. */
    public static int waitAny(final Request... requests)
    {
        Engine engine = null;
        for (int i = 0; i < requests.length; i++)
        {
            final Request r = requests[i];
            if (r != null && r.state != IDLE)
            {
                engine = r.comm.engine();
                if (r.state == DONE)
                {
                    return retire(r, i);
                }
            }
        }
        if (engine == null)
        {
            return -1;
        }
        return engine.awaitAny(requests);
    }

    /** waitAny hands each completed request out once: it goes inactive, as MPI_Waitany sets it to null. */
    static int retire(final Request r, final int index)
    {
        r.state = IDLE;
        r.throwIfFailed();
        return index;
    }

    @Override
    public String toString()
    {
        return (isSend ? "send" : "recv") + "{peer=" + peer + ", tag=" + tag + ", bytes=" + length +
            ", state=" + (state == PENDING ? "pending" : state == DONE ? "done" : "idle") + "}";
    }
}
