package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.internal.CommunicatorInternals;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A collective that first makes sure every rank called the same one: each rank sends its {@link Call} fingerprint
 * to every other and compares what it receives before the wrapped operation moves any data. A mismatch is raised on
 * every rank of the call, naming both calls and ranks, instead of a hang or silent corruption; and while the
 * fingerprints are outstanding, a stalled wait can say which ranks have entered the call and which have not.
 * Fingerprints travel with one fixed tag, so that the k-th fingerprint from a peer meets this rank's k-th call even
 * when one rank skipped a call (their sequence numbers then differ, and the message says so).
 */
final class CheckedOperation extends Operation
{
    static final int FINGERPRINT_TAG = Integer.MAX_VALUE - 1;

    private final UnsafeBuffer fingerprints;
    private final Request[] sends;
    private final Request[] recvs;
    private final Call call = new Call();
    private final CallOrder.Turn turn;
    private Operation inner;
    private long sequence;
    private int innerTag;
    private boolean exchanging;

    /** {@code order}: the communicator's checked calls start their operations in call order, as unchecked ones do. */
    CheckedOperation(final Communicator comm, final CallOrder order)
    {
        super(comm);
        this.turn = new CallOrder.Turn(order);
        fingerprints = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(64, size * Call.BYTES), 64));
        sends = requests(size);
        recvs = requests(size);
    }

    /**
     * Wraps the call {@code fingerprint} describes, which runs {@code operation}; {@link #renumber} gives it its
     * place in the sequence before each start.
     */
    CheckedOperation wrap(final Call fingerprint, final Operation operation)
    {
        call.set(fingerprint.kind, fingerprint.count, fingerprint.dtype, fingerprint.root, fingerprint.op);
        this.inner = operation;
        return this;
    }

    /** The sequence number and the tag the wrapped operation would have had unchecked. */
    CheckedOperation renumber(final long sequence, final int innerTag)
    {
        this.sequence = sequence;
        this.innerTag = innerTag;
        return this;
    }

    @Override
    void begin()
    {
        exchanging = true;
        turn.take();
        final int mine = rank * Call.BYTES;
        Call.write(fingerprints, mine, sequence, call, inner.getClass().getSimpleName());
        for (int r = 0; r < size; r++)
        {
            if (r != rank)
            {
                CommunicatorInternals.irecvCollective(comm, fingerprints.addressOffset() + (long)r * Call.BYTES,
                    Call.BYTES, r, FINGERPRINT_TAG, recvs[r]);
            }
        }
        for (int r = 0; r < size; r++)
        {
            if (r != rank)
            {
                CommunicatorInternals.isendCollective(comm, fingerprints.addressOffset() + mine, Call.BYTES, r,
                    FINGERPRINT_TAG, sends[r]);
            }
        }
        if (size == 1 && turn.acquire())
        {
            startInner();
        }
    }

    @Override
    int advance()
    {
        if (exchanging)
        {
            for (int r = 0; r < size; r++)
            {
                if (r != rank && (!finished(recvs[r]) || !finished(sends[r])))
                {
                    return 0;
                }
            }
            if (!turn.acquire())
            {
                return 0; // an earlier call's fingerprints are still out: operations start in call order
            }
            compare();
            startInner();
            return 1;
        }
        if (inner.isComplete())
        {
            final RuntimeException error = inner.error();
            if (error != null)
            {
                throw error;
            }
            done();
            return 1;
        }
        return 0;
    }

    private void compare()
    {
        final int mine = rank * Call.BYTES;
        for (int r = 0; r < size; r++)
        {
            if (r != rank && !Call.matches(fingerprints, mine, fingerprints, r * Call.BYTES))
            {
                exchanging = false;
                throw new CollectiveMismatchException("rank " + rank + " of " + comm.name() +
                    ": collective calls do not match: this rank called " + Call.describe(fingerprints, mine) +
                    " but rank " + r + " called " + Call.describe(fingerprints, r * Call.BYTES) +
                    "; every rank must make the same collective calls in the same order");
            }
        }
    }

    private void startInner()
    {
        exchanging = false;
        inner.start(innerTag);
        turn.release(); // its place on shared resources is taken: the next call may start
        if (inner.isComplete())
        {
            final RuntimeException error = inner.error();
            if (error != null)
            {
                throw error;
            }
            done();
        }
    }

    @Override
    void withdraw()
    {
        for (int r = 0; r < size; r++)
        {
            if (r != rank)
            {
                sends[r].cancel();
                recvs[r].cancel();
            }
        }
        if (!exchanging)
        {
            inner.abandon(error());
        }
    }

    @Override
    void ended()
    {
        turn.release(); // a mismatch ends the call in its turn: the next may start
    }

    @Override
    public String describe()
    {
        return exchanging ? "the start of " + call.kind.call + " on " + comm.name() +
            " (waiting for every rank to call it)" : inner.describe();
    }

    @Override
    public String stallDetail()
    {
        if (!exchanging)
        {
            return "every rank has entered it";
        }
        final StringBuilder entered = new StringBuilder();
        final StringBuilder missing = new StringBuilder();
        for (int r = 0; r < size; r++)
        {
            final StringBuilder to = r == rank || recvs[r].isComplete() ? entered : missing;
            to.append(to.isEmpty() ? "" : ",").append(r);
        }
        return "ranks that have entered it: [" + entered + "], not yet: [" + missing + "]";
    }
}
