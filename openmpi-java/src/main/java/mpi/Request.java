package mpi;

import dev.ringfold.collectives.CollectiveRequest;

/**
 * A non-blocking operation: a Ringfold point-to-point or collective request, and what finishes it on this side
 * once it completes (unpacking into a derived type's items, a boolean[]'s write-back, the status). After
 * completion it is MPI_REQUEST_NULL, as in Open MPI ({@link Prequest}s become inactive instead).
 */
public class Request implements Freeable
{
    /** Finishes an operation whose transfer completed; {@code s} is Ringfold's status of it (null for collectives). */
    interface Finish
    {
        Status finish(dev.ringfold.mpi.Status s) throws MPIException;
    }

    Comm comm;
    String call;
    dev.ringfold.mpi.Request p2p;
    CollectiveRequest collective;
    Finish finish;
    /** Made when asked for: a completed plain send or receive keeps its source, tag and bytes in the fields. */
    Status status;
    boolean active;
    boolean persistent;
    private boolean complete;
    private int source;
    private int tag;
    private long bytes;
    private boolean freed;

    Request()
    {
    }

    static Request nullRequest()
    {
        return new Request();
    }

    static Request of(final Comm comm, final String call, final dev.ringfold.mpi.Request p2p, final Finish finish)
    {
        final Request r = new Request();
        r.begin(comm, call, p2p, null, finish);
        return r;
    }

    static Request of(final Comm comm, final String call, final CollectiveRequest collective, final Finish finish)
    {
        final Request r = new Request();
        r.begin(comm, call, null, collective, finish);
        return r;
    }

    /** An operation that completed when it was started (a send to PROC_NULL, a buffered send, a generic path). */
    static Request done(final Comm comm, final String call, final Status status)
    {
        final Request r = new Request();
        r.completeWith(comm, call, status);
        return r;
    }

    /** This request is an operation that completed when it was started, with this status. */
    final void completeWith(final Comm comm, final String call, final Status status)
    {
        this.comm = comm;
        this.call = call;
        this.status = status;
        this.complete = true;
        this.active = true;
    }

    /** A persistent request's run: it takes over the request that {@code run} started. */
    final void takeOver(final String call, final Request run)
    {
        begin(run.comm, call, run.p2p, run.collective, run.finish);
        status = run.status;
        complete = run.complete;
        source = run.source;
        tag = run.tag;
        bytes = run.bytes;
    }

    final void begin(final Comm comm, final String call, final dev.ringfold.mpi.Request p2p,
        final CollectiveRequest collective, final Finish finish)
    {
        this.comm = comm;
        this.call = call;
        this.p2p = p2p;
        this.collective = collective;
        this.finish = finish;
        this.status = null;
        this.complete = false;
        this.active = true;
    }

    /** Whether the operation completed, finishing it if it just did; never blocks. */
    final boolean poll() throws MPIException
    {
        if (complete)
        {
            return true;
        }
        try
        {
            dev.ringfold.mpi.Status s = null;
            if (p2p != null)
            {
                if (!p2p.test())
                {
                    return false;
                }
                s = p2p.await();
            }
            else if (collective != null)
            {
                if (!collective.test())
                {
                    return false;
                }
                collective.await();
            }
            if (finish != null)
            {
                status = finish.finish(s);
            }
            else if (s != null)
            {
                source = s.source();
                tag = s.tag();
                bytes = s.count();
            }
            else
            {
                source = MPI.ANY_SOURCE;
                tag = MPI.ANY_TAG;
                bytes = 0;
            }
            complete = true;
            return true;
        }
        catch (final RuntimeException ex)
        {
            active = false;
            throw Errors.raise(comm, call, ex);
        }
    }

    /** Blocks until the operation completed and is finished. */
    final void block() throws MPIException
    {
        if (complete)
        {
            return;
        }
        try
        {
            if (p2p != null)
            {
                p2p.await();
            }
            else if (collective != null)
            {
                collective.await();
            }
        }
        catch (final RuntimeException ex)
        {
            active = false;
            throw Errors.raise(comm, call, ex);
        }
        poll();
    }

    /** The status of the completed operation. */
    private Status status()
    {
        if (status == null)
        {
            status = new Status(source, tag, bytes);
        }
        return status;
    }

    /** What a completed wait or test hands out: the status, and this request turns null (or inactive). */
    Status retire()
    {
        final Status s = status();
        retireQuietly();
        return s;
    }

    /** The request turns null (or inactive); its finished Ringfold request may serve a later call. */
    private void retireQuietly()
    {
        active = false;
        if (p2p != null)
        {
            comm.contiguous.giveBack(p2p);
            p2p = null;
        }
        collective = null;
    }

    /** The request is left to complete by itself (MPI_Request_free). */
    public void free() throws MPIException
    {
        MPI.check();
        active = false;
        freed = true;
    }

    /** Not provided: Ringfold's requests cannot be withdrawn once posted (see docs/openmpi-java.md). */
    public final void cancel() throws MPIException
    {
        MPI.check();
        throw Errors.raise(comm, MPI.ERR_UNSUPPORTED_OPERATION, "MPI_Cancel",
            "Ringfold cannot cancel a posted operation; complete it (wait or test) instead");
    }

    public final boolean isNull()
    {
        return freed || !persistent && !active;
    }

    public final Status waitStatus() throws MPIException
    {
        MPI.check();
        if (!active)
        {
            return Status.empty(MPI.ANY_SOURCE);
        }
        block();
        return retire();
    }

    public final void waitFor() throws MPIException
    {
        MPI.check();
        if (active)
        {
            block();
            retireQuietly();
        }
    }

    public final Status testStatus() throws MPIException
    {
        MPI.check();
        if (!active)
        {
            return Status.empty(MPI.ANY_SOURCE);
        }
        return poll() ? retire() : null;
    }

    /** The status if complete, without retiring the request (MPI_Request_get_status); null if not yet. */
    public final Status getStatus() throws MPIException
    {
        MPI.check();
        if (!active)
        {
            return Status.empty(MPI.ANY_SOURCE);
        }
        return poll() ? status() : null;
    }

    public final boolean test() throws MPIException
    {
        MPI.check();
        if (active)
        {
            if (!poll())
            {
                return false;
            }
            retireQuietly();
        }
        return true;
    }

    public static Status waitAnyStatus(final Request[] requests) throws MPIException
    {
        while (true)
        {
            final Status s = testAnyStatus(requests);
            if (s != null)
            {
                return s;
            }
            Thread.onSpinWait();
        }
    }

    public static int waitAny(final Request[] requests) throws MPIException
    {
        return waitAnyStatus(requests).getIndex();
    }

    public static Status testAnyStatus(final Request[] requests) throws MPIException
    {
        MPI.check();
        boolean any = false;
        for (int i = 0; i < requests.length; i++)
        {
            final Request r = requests[i];
            if (r != null && r.active)
            {
                any = true;
                if (r.poll())
                {
                    return r.retire().withIndex(i);
                }
            }
        }
        return any ? null : Status.empty(MPI.ANY_SOURCE).withIndex(MPI.UNDEFINED);
    }

    public static int testAny(final Request[] requests) throws MPIException
    {
        final Status s = testAnyStatus(requests);
        return s == null ? MPI.UNDEFINED : s.getIndex();
    }

    public static Status[] waitAllStatus(final Request[] requests) throws MPIException
    {
        MPI.check();
        final Status[] out = new Status[requests.length];
        for (int i = 0; i < requests.length; i++)
        {
            out[i] = requests[i] == null ? Status.empty(MPI.ANY_SOURCE) : requests[i].waitStatus();
        }
        return out;
    }

    public static void waitAll(final Request[] requests) throws MPIException
    {
        MPI.check();
        for (final Request r : requests)
        {
            if (r != null)
            {
                r.waitFor();
            }
        }
    }

    /** The statuses when every request completed (all are retired then), else null (none is). */
    public static Status[] testAllStatus(final Request[] requests) throws MPIException
    {
        MPI.check();
        for (final Request r : requests)
        {
            if (r != null && r.active && !r.poll())
            {
                return null;
            }
        }
        final Status[] out = new Status[requests.length];
        for (int i = 0; i < requests.length; i++)
        {
            final Request r = requests[i];
            out[i] = r != null && r.active ? r.retire() : Status.empty(MPI.ANY_SOURCE);
        }
        return out;
    }

    public static boolean testAll(final Request[] requests) throws MPIException
    {
        MPI.check();
        for (final Request r : requests)
        {
            if (r != null && r.active && !r.poll())
            {
                return false;
            }
        }
        for (final Request r : requests)
        {
            if (r != null && r.active)
            {
                r.retireQuietly();
            }
        }
        return true;
    }

    public static Status[] waitSomeStatus(final Request[] requests) throws MPIException
    {
        MPI.check();
        while (true)
        {
            final Status[] done = testSomeStatus(requests);
            if (done == null || done.length > 0)
            {
                return done;
            }
            Thread.onSpinWait();
        }
    }

    public static int[] waitSome(final Request[] requests) throws MPIException
    {
        return indices(waitSomeStatus(requests));
    }

    /** The statuses of the requests that completed now (retired), an empty array if none, null if none is active. */
    public static Status[] testSomeStatus(final Request[] requests) throws MPIException
    {
        MPI.check();
        final java.util.List<Status> done = new java.util.ArrayList<>();
        boolean any = false;
        for (int i = 0; i < requests.length; i++)
        {
            final Request r = requests[i];
            if (r != null && r.active)
            {
                any = true;
                if (r.poll())
                {
                    done.add(r.retire().withIndex(i));
                }
            }
        }
        return any ? done.toArray(new Status[0]) : null;
    }

    public static int[] testSome(final Request[] requests) throws MPIException
    {
        return indices(testSomeStatus(requests));
    }

    private static int[] indices(final Status[] statuses)
    {
        if (statuses == null)
        {
            return null;
        }
        final int[] out = new int[statuses.length];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = statuses[i].getIndex();
        }
        return out;
    }
}
