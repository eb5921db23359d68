package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Completion;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.TransferWithdrawnException;
import dev.ringfold.mpi.Progressable;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.internal.CommunicatorInternals;
import dev.ringfold.mpi.trace.Counters;
import dev.ringfold.mpi.trace.Tracer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One collective in flight on one rank: a state machine over non-blocking point-to-point on the communicator's
 * collective context. While active it is a progress hook, so it advances whenever the rank waits on anything;
 * the blocking and non-blocking forms of a collective are the same code. Instances are reused for blocking calls,
 * so that after warm-up a collective allocates nothing.
 */
abstract class Operation implements Progressable, Completion
{
    protected final Communicator comm;
    protected final int rank;
    protected final int size;
    protected int tag;
    /** The call this operation serves ({@link Call#stamp()}), carried by its messages; 0 for none. */
    protected long stamp;
    private final Mismatches mismatches;
    /** The requests this run of the operation has posted, withdrawn if it fails or is abandoned. */
    private Request[] posted = new Request[4];
    private int postedCount;
    private int idleRounds;
    /** Started as a call of its own (not a step of another, not inside a check): looks for notices as it ends. */
    private boolean ownCall;
    private boolean active;
    private boolean complete = true;
    private RuntimeException error;
    private UnsafeBuffer scratch;
    private final int traceName;
    private long traceStart;
    private long tracedBytes;

    Operation(final Communicator comm)
    {
        this.comm = comm;
        this.rank = comm.rank();
        this.size = comm.size();
        this.traceName = Tracer.ON ? Tracer.intern(getClass().getSimpleName()) : 0;
        this.mismatches = Mismatches.of(comm);
    }

    /** The call this operation will serve at its next starts (a persistent one's, kept for all of them). */
    final Operation stamp(final long stamp)
    {
        this.stamp = stamp;
        return this;
    }

    /** Starts a step of a larger collective, on behalf of the call {@code stamp}. */
    final void start(final int tag, final long stamp)
    {
        this.stamp = stamp;
        start(tag);
    }

    /**
     * Starts the operation as a user's call with the tag its sequence number gives: when its part is done it also
     * raises a mismatch other ranks found in it, or in an earlier call this rank had finished ({@link Mismatches}).
     */
    final void startCall(final int tag)
    {
        launch(tag, true);
    }

    final boolean isActive()
    {
        return active;
    }

    /** Starts the prepared collective with the tag its sequence number gives (a step, a check's inner call). */
    final void start(final int tag)
    {
        launch(tag, false);
    }

    private void launch(final int tag, final boolean ownCall)
    {
        this.tag = tag;
        this.ownCall = ownCall;
        complete = false;
        error = null;
        active = true;
        postedCount = 0;
        idleRounds = 0;
        if (Tracer.ON)
        {
            traceStart = Tracer.now();
            tracedBytes = 0;
        }
        try
        {
            begin();
        }
        catch (final RuntimeException ex)
        {
            fail(ex);
            return;
        }
        if (!complete) // an operation with nothing to exchange finished inside begin()
        {
            CommunicatorInternals.addProgressHook(comm, this);
            doWork();
        }
    }

    @Override
    public final int doWork()
    {
        if (complete)
        {
            return 0;
        }
        try
        {
            final int work = advance();
            if (work != 0)
            {
                idleRounds = 0;
            }
            else if (!complete && (++idleRounds & 63) == 0)
            {
                // now and then while stalled (not every round: a spinning wait's reaction to its message matters
                // more): has a rank that called something else said so, or sent this call?
                if (stamp != 0)
                {
                    final RuntimeException mismatch = mismatches.look(tag, stamp);
                    if (mismatch != null)
                    {
                        throw mismatch;
                    }
                }
                // if a member died, what it still owed may be owed to another member this rank waits on
                final int dead = CommunicatorInternals.deadMember(comm);
                if (dead >= 0)
                {
                    throw memberFailed(dead);
                }
            }
            return work;
        }
        catch (final RuntimeException ex)
        {
            fail(ex);
            return 1;
        }
    }

    @Override
    public String stallDetail()
    {
        return "to see which ranks have entered it, check calls (RINGFOLD_CHECK_COLLECTIVES=1)";
    }

    /** Sets up and posts what can be posted at once. */
    abstract void begin();

    /** Advances without waiting; calls {@link #done()} when finished. Returns the work done. */
    abstract int advance();

    protected final void done()
    {
        postedCount = 0;
        complete = true;
        active = false;
        CommunicatorInternals.removeProgressHook(comm, this);
        ended();
        if (ownCall && stamp != 0)
        {
            try
            {
                // this rank's part is done and nothing of it is pending: a mismatch found elsewhere fails the call
                error = mismatches.afterFinishing(tag, stamp);
            }
            catch (final RuntimeException ex)
            {
                error = ex;
            }
        }
        if (Tracer.ON)
        {
            trace();
        }
    }

    private PeerFailedException memberFailed(final int dead)
    {
        return new PeerFailedException(dead, "rank " + rank + " of " + comm.name() + ": " + describe() +
            " cannot finish: world rank " + dead + " has failed (" + CommunicatorInternals.failureOf(comm, dead) + ")");
    }

    private void fail(final RuntimeException ex)
    {
        // a peer that withdrew its side gave up because a member died (or its own deadline passed): where a
        // member is known dead, that is what this rank reports, with the withdrawal as the cause
        final int dead = ex instanceof TransferWithdrawnException ? CommunicatorInternals.deadMember(comm) : -1;
        if (dead >= 0)
        {
            final PeerFailedException failed = memberFailed(dead);
            failed.initCause(ex);
            error = failed;
        }
        else
        {
            error = ex;
        }
        complete = true;
        active = false;
        CommunicatorInternals.removeProgressHook(comm, this);
        withdraw();
        ended();
        if (Tracer.ON)
        {
            trace();
        }
    }

    /** One timeline event: the algorithm's name, and the bytes this rank sent and received for it. */
    private void trace()
    {
        Tracer.record(traceName, Tracer.ROW_COLLECTIVE, -1, tag, tracedBytes, traceStart, Tracer.now());
    }

    /**
     * Abandons the operation while in flight (a deadline passed while the caller waited, or the caller cancelled
     * it): withdraws every request it has posted, so that no byte of the caller's buffers is read or written
     * afterwards, and fails it with {@code cause}. Does nothing if it has ended.
     */
    final void abandon(final RuntimeException cause)
    {
        if (!complete)
        {
            fail(cause);
        }
    }

    /**
     * Waits (driving progress) until the operation ends; if the wait ends first (a deadline), abandons it, so that
     * nothing touches the caller's buffers after the exception and the communicator stays usable.
     */
    final void await()
    {
        try
        {
            comm.await(this);
        }
        catch (final RuntimeException ex)
        {
            abandon(ex);
            throw ex;
        }
    }

    /** Withdraws what this run has posted and not finished (see {@link Request#cancel()}); steps' too. */
    void withdraw()
    {
        for (int i = 0; i < postedCount; i++)
        {
            final Request r = posted[i];
            if (!r.isComplete())
            {
                try
                {
                    r.cancel();
                }
                catch (final RuntimeException ex)
                {
                    // a peer gone meanwhile: its side is over, the request with it
                }
            }
            posted[i] = null;
        }
        postedCount = 0;
    }

    /** Gives back what the operation held while in flight (a turn on a shared region), done or failed. */
    void ended()
    {
    }

    @Override
    public final boolean isComplete()
    {
        return complete;
    }

    final RuntimeException error()
    {
        return error;
    }

    /**
     * Whether a request has finished; rethrows its failure (a dead peer, say) so the collective fails with it. A
     * message from a rank that called something else (its stamp differs) fails the collective with
     * {@link CollectiveMismatchException}, here and, by notice, on every other rank: even if it was truncated.
     */
    protected final boolean finished(final Request r)
    {
        if (!r.isComplete())
        {
            return false;
        }
        final long theirs = CommunicatorInternals.stamp(r);
        if (theirs != stamp && theirs != 0 && stamp != 0)
        {
            throw mismatches.found(tag, stamp, r.status().source(), theirs);
        }
        final RuntimeException failure = r.failure();
        if (failure != null)
        {
            throw failure;
        }
        return true;
    }

    protected final Request send(final long address, final long bytes, final int dest, final Request into)
    {
        tracedBytes += bytes;
        return posted(CommunicatorInternals.isendCollective(comm, address, (int)bytes, dest, tag, stamp, into));
    }

    protected final Request recv(final long address, final long bytes, final int source, final Request into)
    {
        tracedBytes += bytes;
        return posted(CommunicatorInternals.irecvCollective(comm, address, (int)bytes, source, tag, into));
    }

    /**
     * Throws {@link CollectiveMismatchException} (here, and by notice on every other rank) if rank {@code peer}
     * said, through shared memory, that it called {@code theirs} rather than this call.
     */
    protected final void checkCall(final int peer, final long theirs)
    {
        if (peer >= 0 && stamp != 0 && theirs != stamp)
        {
            throw mismatches.found(tag, stamp, peer, theirs);
        }
    }

    /**
     * As {@link #checkCall} for every rank of a shared-memory collective: the stamps they published with their
     * intents for the call whose first chunk of {@code region} is {@code g} (once every rank's intent is there).
     */
    protected final void checkCalls(final NodeScratch region, final long g)
    {
        final int other = region.otherCall(g, stamp);
        checkCall(other, other < 0 ? 0 : region.stampOf(other, g));
    }

    /** Keeps a request posted by this run, to withdraw it if the run fails ({@link #withdraw()}). */
    protected final Request posted(final Request r)
    {
        if (postedCount == posted.length)
        {
            posted = java.util.Arrays.copyOf(posted, 2 * postedCount);
        }
        posted[postedCount++] = r;
        return r;
    }

    /**
     * Node-shared traffic of this call, moved without messages: {@code read} bytes of peers' data and
     * {@code written} bytes for peers, on the collectives context as its messages would be. Call only under
     * {@code if (Counters.ON)}.
     */
    protected final void countShared(final long read, final long written)
    {
        Counters.shared(comm.context() + 1, read, written);
    }

    /** Off-heap scratch of at least {@code bytes}, kept between calls (grown, never shrunk). */
    protected final long scratch(final long bytes)
    {
        if (scratch == null || scratch.capacity() < bytes)
        {
            scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)Math.max(64, bytes), 64));
        }
        return scratch.addressOffset();
    }

    protected static Request[] requests(final int n)
    {
        final Request[] r = new Request[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = new Request();
        }
        return r;
    }
}
