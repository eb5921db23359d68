package dev.ringfold.mpi.trace;

import dev.ringfold.mpi.RuntimeSettings;

/**
 * This rank's traffic as the runtime moved it, kept when {@code RINGFOLD_COUNTERS=1} is set: bytes and messages
 * sent and received per communication context (a communicator's point-to-point context and, one above it, its
 * collectives' context), and the time the rank spent blocked in a wait for any of them.
 * <p>
 * A message counts once, when its request completes successfully, with the payload bytes it carried (a send: its
 * length; a receive: the bytes that arrived), whatever transport or copy path moved it; frame headers and the
 * runtime's own control frames (rendezvous, acknowledgements) are not payload and are not counted. Waiting is the
 * time inside the runtime's blocking waits (wait, waitAny, probe, the waits of collectives), measured from entry
 * to return.
 * <p>
 * The node-shared collectives move data through shared memory without messages, so they count it themselves
 * ({@link #shared}): the bytes this rank read of memory another rank of the node filled or offered (a peer's
 * source, or the region buffer a peer staged into), and the bytes it wrote for another rank to read (into a peer's
 * destination, or into its own region buffer from which peers read), on the communicator's collectives context.
 * A byte moved between two ranks counts once on the side that moved it, so these are not a sent/received pair: a
 * message's byte counts once as sent and once as received, a shared-memory byte once, as read or as written.
 * <p>
 * Like {@link Tracer}, counting is {@link #ON}-guarded at every call site: a static final the JIT folds, so with
 * counters off the cost is that one branch; the arrays are preallocated, so counting allocates nothing. One rank is
 * one process and its engine is single-threaded; read the counters from the thread that communicates.
 */
public final class Counters
{
    public static final String VARIABLE = "RINGFOLD_COUNTERS";

    /** Whether this process counts; read once, so every guarded call site folds to nothing when unset. */
    public static final boolean ON = on(RuntimeSettings.SWITCHES.counters());

    /** Contexts counted one by one; traffic on higher contexts is counted in the last slot. */
    public static final int CONTEXTS = 4096;

    private static final int SLOTS = ON ? CONTEXTS : 0;
    private static final long[] SENT_BYTES = new long[SLOTS];
    private static final long[] SENT_MESSAGES = new long[SLOTS];
    private static final long[] RECEIVED_BYTES = new long[SLOTS];
    private static final long[] RECEIVED_MESSAGES = new long[SLOTS];
    private static final long[] SHARED_READ_BYTES = new long[SLOTS];
    private static final long[] SHARED_WRITTEN_BYTES = new long[SLOTS];
    private static long waitNanos;
    private static long waits;

    private Counters()
    {
    }

    /** A message finished: call only under {@code if (Counters.ON)}. */
    public static void completed(final boolean send, final int context, final long bytes)
    {
        final int slot = Math.min(Math.max(context, 0), SLOTS - 1);
        if (send)
        {
            SENT_BYTES[slot] += bytes;
            SENT_MESSAGES[slot]++;
        }
        else
        {
            RECEIVED_BYTES[slot] += bytes;
            RECEIVED_MESSAGES[slot]++;
        }
    }

    /**
     * A node-shared collective moved bytes without messages: {@code readBytes} of peers' data read and
     * {@code writtenBytes} written for peers to read. Call only under {@code if (Counters.ON)}.
     */
    public static void shared(final int context, final long readBytes, final long writtenBytes)
    {
        final int slot = Math.min(Math.max(context, 0), SLOTS - 1);
        SHARED_READ_BYTES[slot] += readBytes;
        SHARED_WRITTEN_BYTES[slot] += writtenBytes;
    }

    /** A blocking wait that began at {@code startNanos} (System.nanoTime) returned: call under {@code ON}. */
    public static void waited(final long startNanos)
    {
        waitNanos += System.nanoTime() - startNanos;
        waits++;
    }

    /** Payload bytes sent on every context; 0 when counters are off. */
    public static long sentBytes()
    {
        return sum(SENT_BYTES, 0, SLOTS);
    }

    public static long sentMessages()
    {
        return sum(SENT_MESSAGES, 0, SLOTS);
    }

    public static long receivedBytes()
    {
        return sum(RECEIVED_BYTES, 0, SLOTS);
    }

    public static long receivedMessages()
    {
        return sum(RECEIVED_MESSAGES, 0, SLOTS);
    }

    /**
     * Payload bytes sent on a communicator's two contexts (point-to-point and collectives): pass its
     * {@code context()}. 0 when counters are off.
     */
    public static long sentBytes(final int context)
    {
        return sum(SENT_BYTES, context, context + 2);
    }

    public static long sentMessages(final int context)
    {
        return sum(SENT_MESSAGES, context, context + 2);
    }

    public static long receivedBytes(final int context)
    {
        return sum(RECEIVED_BYTES, context, context + 2);
    }

    public static long receivedMessages(final int context)
    {
        return sum(RECEIVED_MESSAGES, context, context + 2);
    }

    /** Bytes of peers' data read through node-shared memory, every context; 0 when counters are off. */
    public static long sharedReadBytes()
    {
        return sum(SHARED_READ_BYTES, 0, SLOTS);
    }

    /** Bytes written through node-shared memory for peers to read, every context; 0 when counters are off. */
    public static long sharedWrittenBytes()
    {
        return sum(SHARED_WRITTEN_BYTES, 0, SLOTS);
    }

    /** Node-shared bytes read on a communicator's collectives: pass its {@code context()}. */
    public static long sharedReadBytes(final int context)
    {
        return sum(SHARED_READ_BYTES, context, context + 2);
    }

    public static long sharedWrittenBytes(final int context)
    {
        return sum(SHARED_WRITTEN_BYTES, context, context + 2);
    }

    /** Nanoseconds spent in blocking waits. */
    public static long waitNanos()
    {
        return waitNanos;
    }

    /** How many blocking waits there were. */
    public static long waits()
    {
        return waits;
    }

    private static long sum(final long[] counts, final int from, final int to)
    {
        long total = 0;
        for (int i = Math.max(from, 0); i < Math.min(to, counts.length); i++)
        {
            total += counts[i];
        }
        return total;
    }

    static boolean on(final String value)
    {
        if (value == null || value.isBlank() || value.equals("0"))
        {
            return false;
        }
        if (value.equals("1"))
        {
            return true;
        }
        throw new IllegalArgumentException(VARIABLE + "=" + value + ": expected 1 (count) or 0 (do not)");
    }
}
