package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.internal.CommunicatorInternals;
import dev.ringfold.tensors.DType;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * How a communicator's ranks sit on nodes, for the hierarchical collectives: this rank's node communicator (the ranks
 * sharing its memory, with their shared-memory region), the communicator of node leaders (each node's lowest rank;
 * null elsewhere), and every rank's leader. Built collectively once per communicator, when first needed, and
 * closed with it: the region, then the leaders' and the node's communicators (and what is attached to them).
 */
final class Hierarchy implements AutoCloseable
{
    final Communicator node;
    final Communicator leaders;
    final NodeScratch nodeScratch;
    /** Hierarchical operations in flight together use the node's region one after another, in call order. */
    final CallOrder order = new CallOrder();
    private final int[] leaderOf;

    private Hierarchy(final Communicator node, final Communicator leaders, final NodeScratch nodeScratch,
        final int[] leaderOf)
    {
        this.node = node;
        this.leaders = leaders;
        this.nodeScratch = nodeScratch;
        this.leaderOf = leaderOf;
    }

    /** Collective over {@code comm}; {@code collectives} (comm's) gathers every rank's leader. */
    static Hierarchy build(final Communicator comm, final Collectives collectives)
    {
        final Communicator node = comm.splitByNode();
        final Communicator leaders = comm.split(node.rank() == 0 ? 0 : Communicator.UNDEFINED, comm.rank());
        int myLeader = -1;
        for (int r = 0; r < comm.size() && myLeader < 0; r++)
        {
            if (comm.worldRank(r) == node.worldRank(0))
            {
                myLeader = r; // the node communicator keeps comm's order: its rank 0 is the node's lowest rank
            }
        }
        final UnsafeBuffer all = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4 * (comm.size() + 1), 64));
        all.putInt(4 * comm.size(), myLeader);
        collectives.allGather(all.addressOffset() + 4L * comm.size(), all.addressOffset(), 1, DType.I32);
        final int[] leaderOf = new int[comm.size()];
        for (int r = 0; r < leaderOf.length; r++)
        {
            leaderOf[r] = all.getInt(4 * r);
        }
        final NodeScratch scratch =
            node.size() > 1 ? NodeScratch.map(node, CommunicatorInternals.FIRST_COLLECTIVE_TAG) : null;
        return new Hierarchy(node, leaders, scratch, leaderOf);
    }

    @Override
    public void close()
    {
        try
        {
            if (nodeScratch != null)
            {
                nodeScratch.close();
            }
            if (leaders != null)
            {
                leaders.close();
            }
        }
        finally
        {
            node.close();
        }
    }

    /** The comm rank of the leader of {@code rank}'s node. */
    int leaderOf(final int rank)
    {
        return leaderOf[rank];
    }

    /** The rank in the leaders' communicator of the leader {@code leader} (a comm rank). */
    int leaderIndex(final int leader)
    {
        int index = 0;
        for (int r = 0; r < leader; r++)
        {
            if (leaderOf[r] == r)
            {
                index++;
            }
        }
        return index;
    }

    /** The rank in its node communicator of {@code rank} (a comm rank). */
    int nodeRankOf(final int rank)
    {
        int index = 0;
        for (int r = 0; r < rank; r++)
        {
            if (leaderOf[r] == leaderOf[rank])
            {
                index++;
            }
        }
        return index;
    }
}
