package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;

/**
 * Node-aware broadcast for ranks on several nodes: a shared-memory broadcast from the root inside the root's node,
 * then a broadcast across the node leaders from the root's leader (binomial tree for small messages, pipelined chain
 * for large), then a shared-memory broadcast from each other node's leader to its node.
 */
final class HierarchicalBroadcast extends BroadcastOperation implements Steps.Plan
{
    private final Hierarchy hierarchy;
    private final Steps steps;
    private final SharedMemoryBroadcast nodeBroadcast;
    private final BinomialBroadcast leaderTree;
    private final ChainBroadcast leaderChain;
    private int stage;

    HierarchicalBroadcast(final Communicator comm, final Hierarchy hierarchy)
    {
        super(comm);
        this.hierarchy = hierarchy;
        this.steps = new Steps(hierarchy.order, this);
        this.nodeBroadcast = new SharedMemoryBroadcast(hierarchy.node, hierarchy.nodeScratch);
        this.leaderTree = hierarchy.leaders == null ? null : new BinomialBroadcast(hierarchy.leaders);
        this.leaderChain = hierarchy.leaders == null ? null : new ChainBroadcast(hierarchy.leaders);
    }

    @Override
    public String describe()
    {
        return describe("hierarchical") + ", step " + stage + steps.describe();
    }

    private boolean onRootsNode()
    {
        return hierarchy.leaderOf(rank) == hierarchy.leaderOf(root);
    }

    @Override
    void begin()
    {
        steps.begin();
    }

    @Override
    void withdraw()
    {
        steps.abandon();
    }

    @Override
    void ended()
    {
        steps.end();
    }

    /** Runs once this operation's turn on the node's region has come (it keeps it to the end). */
    @Override
    public void enter()
    {
        stage = 0;
        if (onRootsNode())
        {
            steps.start(nodeBroadcast.broadcast(address, bytes, hierarchy.nodeRankOf(root)));
        }
        else
        {
            next(); // nothing to do on this node before the leaders' broadcast
        }
    }

    @Override
    int advance()
    {
        return steps.advance();
    }

    /** Runs when the step in flight has finished. */
    @Override
    public void next()
    {
        stage++;
        if (stage == 1)
        {
            if (hierarchy.leaders != null && hierarchy.leaders.size() > 1)
            {
                final int from = hierarchy.leaderIndex(hierarchy.leaderOf(root));
                steps.start(bytes < SelectionTable.SMALL_BROADCAST_BYTES ? leaderTree.broadcast(address, bytes, from) :
                    leaderChain.broadcast(address, bytes, from));
                return;
            }
            stage = 2;
        }
        if (stage == 2 && !onRootsNode())
        {
            steps.start(nodeBroadcast.broadcast(address, bytes, 0));
            return;
        }
        done();
    }
}
