package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.CommunicatorClosedException;
import dev.ringfold.mpi.transport.mpinative.MpiCollectives;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything the collectives keep for one communicator, attached to it ({@link Communicator#attached}) so that it
 * lives exactly as long as the communicator: the {@link Collectives} facade, the selection table, the call sequence,
 * one idle state machine per algorithm for blocking calls, and the resources made on first use (the node region,
 * the hierarchy with its node and leader communicators, MPI's communicator). {@link #close()}, called by the
 * communicator's close, releases the resources, the last made first, and refuses every later call.
 */
final class CommunicatorState implements AutoCloseable
{
    final Communicator comm;
    final SelectionTable table;
    final CallSequence calls;
    final Collectives collectives;
    private final Operation[] idle = new Operation[Algorithm.values().length];
    private final List<AutoCloseable> resources = new ArrayList<>();
    private NodeScratch nodeScratch;
    private Hierarchy hierarchy;
    private MpiCollectives mpi;
    private boolean closed;

    CommunicatorState(final Communicator comm)
    {
        this.comm = comm;
        this.table = new SelectionTable(comm, MpiCollectives.available(comm));
        this.calls = new CallSequence(this);
        this.collectives = new Collectives(this);
    }

    /**
     * A state machine of {@code algorithm}, not in flight: for a blocking call ({@code reuse}) the one kept for it,
     * so that a warm blocking call allocates nothing; for a non-blocking or persistent one, a new one, which may be
     * in flight together with others.
     */
    Operation operation(final Algorithm algorithm, final boolean reuse)
    {
        checkOpen();
        if (!reuse)
        {
            return algorithm.create(this);
        }
        Operation o = idle[algorithm.ordinal()];
        if (o == null || o.isActive())
        {
            o = algorithm.create(this);
            idle[algorithm.ordinal()] = o;
        }
        return o;
    }

    /** The node region of the shared-memory algorithms, mapped on first use (collective). */
    NodeScratch nodeScratch(final String op)
    {
        if (!table.isOneNode())
        {
            throw new IllegalArgumentException("rank " + comm.rank() + " of " + comm.name() + ": " + op +
                ": SHARED_MEMORY needs every rank of " + comm.name() + " on one node (rank " + comm.rank() +
                " reaches some over tcp); use HIERARCHICAL");
        }
        if (nodeScratch == null && comm.size() > 1)
        {
            agree();
            nodeScratch = own(NodeScratch.map(comm, calls.nextTag()));
        }
        return nodeScratch;
    }

    /** Node and leader communicators with the node's region, built on first use (collective). */
    Hierarchy hierarchy()
    {
        if (hierarchy == null)
        {
            agree();
            hierarchy = own(Hierarchy.build(comm, collectives));
        }
        return hierarchy;
    }

    /**
     * Before a set-up every rank must join (the first call through the node region or the hierarchy): a barrier
     * whose messages carry the stamp of the call being made, so that a rank which called something else (another
     * count can pick another algorithm) raises {@link CollectiveMismatchException} with the others, instead of
     * leaving them in the set-up's exchanges. Once per communicator and resource.
     */
    private void agree()
    {
        if (comm.size() == 1)
        {
            return;
        }
        final Operation barrier = new DisseminationBarrier(comm).stamp(calls.stamp());
        barrier.start(calls.nextTag());
        if (!barrier.isComplete())
        {
            barrier.await();
        }
        if (barrier.error() != null)
        {
            throw barrier.error();
        }
    }

    /** MPI's communicator of the same ranks, made on first use (collective: every rank gets here together). */
    MpiCollectives mpi()
    {
        if (mpi == null)
        {
            mpi = MpiCollectives.of(comm);
        }
        return mpi;
    }

    private <T extends AutoCloseable> T own(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    void checkOpen()
    {
        if (closed || comm.isClosed())
        {
            throw new CommunicatorClosedException("rank " + comm.rank() + ": communicator " + comm.name() +
                " has been closed; its collectives can no longer be used");
        }
    }

    @Override
    public void close() throws Exception
    {
        closed = true;
        java.util.Arrays.fill(idle, null);
        Exception failure = null;
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            try
            {
                resources.get(i).close();
            }
            catch (final Exception ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        resources.clear();
        nodeScratch = null;
        hierarchy = null;
        mpi = null;
        if (failure != null)
        {
            throw failure;
        }
    }

    @Override
    public String toString()
    {
        return "the collectives of " + comm.name();
    }
}
