package mpi;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;

/**
 * A send or receive in flight. A receive completes when its Ringfold receive has: into the user's array itself,
 * or into a packed copy ({@link #message}) then unpacked; an OBJECT receive, whose size nobody knows in advance,
 * matches when it is tested or waited for (probe, then receive). A request whose completion a Wait or Test call has
 * reported becomes the null request ({@link #Is_null}), as in MPI and mpiJava; a persistent request becomes
 * inactive instead, until its next Start.
 */
public class Request
{
    /** Receives not yet completed: a rank that waits advances them, so OBJECT receives (matched when tested) move. */
    private static final List<Request> OPEN_RECEIVES = new ArrayList<>();

    Comm comm;
    dev.ringfold.mpi.Request data;
    boolean receive;
    boolean lazyObject;
    Object buf;
    int offset;
    int count;
    Datatype type;
    byte[] message;
    int source;
    int tag;
    Status status;
    boolean complete;
    /** The mpjbuf.Buffer an MPI.PACKED receive fills, told its size on completion. */
    mpjbuf.Buffer packedInto;
    /** An operation whose completion no Wait or Test has reported yet; false for the null request. */
    boolean live;

    Request()
    {
        this(false);
    }

    Request(final boolean isNull)
    {
        this.live = !isNull;
        this.complete = isNull;
        this.status = isNull ? Status.empty(MPI.PROC_NULL) : null;
    }

    /** A request already complete (sends to PROC_NULL, buffered sends). */
    static Request completed(final Status status)
    {
        final Request r = new Request();
        r.finish(status);
        return r;
    }

    void reset()
    {
        data = null;
        receive = false;
        lazyObject = false;
        message = null;
        packedInto = null;
        status = null;
        complete = false;
    }

    void finish(final Status s)
    {
        status = s;
        complete = true;
        if (packedInto != null && receive)
        {
            Comm.packedArrived(packedInto, s);
        }
        if (receive)
        {
            OPEN_RECEIVES.remove(this);
        }
    }

    void open()
    {
        OPEN_RECEIVES.add(this);
    }

    /** Advances without blocking; true once complete. */
    boolean advance()
    {
        if (complete)
        {
            return true;
        }
        try
        {
            if (lazyObject)
            {
                final dev.ringfold.mpi.Status found = comm.p2p().iprobe(source, tag);
                if (found == null)
                {
                    return false;
                }
                final int src = found.source();
                final int t = found.tag();
                final byte[] m = new byte[found.count()];
                final dev.ringfold.mpi.Status got = comm.p2p().recv(m, 0, m.length, src, t);
                finish(comm.delivered(m, got.count(), got.source(), got.tag(), buf, offset, count, type));
                return true;
            }
            if (data != null && !data.test())
            {
                return false;
            }
            if (receive)
            {
                final dev.ringfold.mpi.Status got = data.status();
                finish(message == null ? new Status(comm.fromP2p(got.source()), got.tag(), got.count()) :
                    comm.delivered(message, got.count(), got.source(), got.tag(), buf, offset, count, type));
            }
            else
            {
                finish(new Status(source, tag, 0));
            }
            return true;
        }
        catch (final MPIException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new MPIException(ex);
        }
    }

    /** Waits for completion; while OBJECT receives are open, it keeps this rank's receives moving meanwhile. */
    public Status Wait() throws MPIException
    {
        if (!live)
        {
            return nullStatus();
        }
        if (!complete && !lazyObject && data != null && !objectReceivesOpen())
        {
            try
            {
                data.await();
            }
            catch (final RuntimeException ex)
            {
                throw new MPIException(ex);
            }
        }
        final IdleStrategy idle = new BackoffIdleStrategy();
        while (!advance())
        {
            idle.idle(advanceOpenReceives(this));
        }
        return reported();
    }

    /**
     * Whether OBJECT receives are open here: they match only when advanced, so a wait (a send's by rendezvous
     * above all, whose peer may be waiting the same way) must keep advancing them rather than block.
     */
    static boolean objectReceivesOpen()
    {
        for (final Request r : OPEN_RECEIVES)
        {
            if (r.lazyObject)
            {
                return true;
            }
        }
        return false;
    }

    /** The status of a completion now reported to the program: the request turns into the null request. */
    private Status reported()
    {
        live = false;
        return status;
    }

    /** What Wait and Test give for the null request or an inactive persistent one: MPI's empty status. */
    private static Status nullStatus()
    {
        return Status.empty(MPI.ANY_SOURCE);
    }

    static int advanceOpenReceives(final Request except)
    {
        int done = 0;
        for (final Request r : OPEN_RECEIVES.toArray(new Request[0]))
        {
            if (r != except && r.advance())
            {
                done++;
            }
        }
        return done;
    }

    public Status Test() throws MPIException
    {
        if (!live)
        {
            return nullStatus();
        }
        return advance() ? reported() : null;
    }

    /** True for the null request: MPI.REQUEST_NULL, or a request whose completion Wait or Test reported. */
    public boolean Is_null() throws MPIException
    {
        return !live;
    }

    /**
     * Cancels a receive that has not matched yet where that can be done without Ringfold's help (OBJECT receives,
     * which match only when tested); for others the request completes as usual and Test_cancelled says false.
     */
    public void Cancel() throws MPIException
    {
        if (!complete && lazyObject)
        {
            final Status s = Status.empty(MPI.ANY_SOURCE);
            s.cancelled = true;
            finish(s);
        }
    }

    public void finalize() throws MPIException
    {
        // kept for the mpiJava signature
    }

    public static Status[] Waitall(final Request[] requests) throws MPIException
    {
        final Status[] statuses = new Status[requests.length];
        for (int i = 0; i < requests.length; i++)
        {
            statuses[i] = requests[i] == null ? null : requests[i].Wait();
        }
        return statuses;
    }

    /**
     * Waits for one of the requests, reports it (with its index) and makes it the null request; the null requests
     * in the array are skipped, and if all are null the status's index is MPI.UNDEFINED.
     */
    public static Status Waitany(final Request[] requests) throws MPIException
    {
        final IdleStrategy idle = new BackoffIdleStrategy();
        while (true)
        {
            final Status s = Testany(requests);
            if (s != null)
            {
                return s;
            }
            idle.idle(advanceOpenReceives(null));
        }
    }

    /** One completed request, now null, with its index; null if none has completed; index UNDEFINED if all are null. */
    public static Status Testany(final Request[] requests) throws MPIException
    {
        boolean anyLive = false;
        for (int i = 0; i < requests.length; i++)
        {
            final Request r = requests[i];
            if (r != null && r.live)
            {
                anyLive = true;
                if (r.advance())
                {
                    return r.reported().withIndex(i);
                }
            }
        }
        return anyLive ? null : nullStatus().withIndex(MPI.UNDEFINED);
    }

    /** Every status (MPI's empty status for null requests) once all have completed, all then null; else null. */
    public static Status[] Testall(final Request[] requests) throws MPIException
    {
        boolean all = true;
        for (final Request r : requests)
        {
            all &= r == null || !r.live || r.advance();
        }
        if (!all)
        {
            return null;
        }
        final Status[] statuses = new Status[requests.length];
        for (int i = 0; i < requests.length; i++)
        {
            final Request r = requests[i];
            statuses[i] = r == null ? null : r.live ? r.reported() : nullStatus();
        }
        return statuses;
    }

    /** Waits until at least one request completes, then reports every completed one (now null); none if all are null. */
    public static Status[] Waitsome(final Request[] requests) throws MPIException
    {
        final IdleStrategy idle = new BackoffIdleStrategy();
        while (true)
        {
            final Status[] some = Testsome(requests);
            if (some.length > 0 || !anyLive(requests))
            {
                return some;
            }
            idle.idle(advanceOpenReceives(null));
        }
    }

    public static Status[] Testsome(final Request[] requests) throws MPIException
    {
        final List<Status> done = new ArrayList<>();
        for (int i = 0; i < requests.length; i++)
        {
            final Request r = requests[i];
            if (r != null && r.live && r.advance())
            {
                done.add(r.reported().withIndex(i));
            }
        }
        return done.toArray(new Status[0]);
    }

    private static boolean anyLive(final Request[] requests)
    {
        for (final Request r : requests)
        {
            if (r != null && r.live)
            {
                return true;
            }
        }
        return false;
    }
}
