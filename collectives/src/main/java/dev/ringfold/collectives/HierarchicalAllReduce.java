package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

/**
 * Node-aware all-reduce for ranks on several nodes: an all-reduce inside each node through shared memory
 * ({@link SharedMemoryAllReduce}), a ring all-reduce across the node leaders, then a shared-memory broadcast from
 * each leader to its node. Only the leaders' ring crosses the network, with each node's data once.
 *
 * <p>BF16/F16 sums and AVG run the three steps on an F32 (or, for AVG, a SUM) copy and round or divide once at the
 * end, so a value is rounded once whatever the number of nodes. Reduction order, the same on every rank and run for
 * a given placement: each node's sum in node rank order, then the ring's order over the leaders' sums
 * (RingAllReduce); every rank ends with the leader's bits.
 */
final class HierarchicalAllReduce extends ReducingOperation implements Steps.Plan, AllReducer
{
    private final Hierarchy hierarchy;
    private final Steps steps;
    private final SharedMemoryAllReduce nodeReduce;
    private final RingAllReduce leaderRing;
    private final SharedMemoryBroadcast nodeBroadcast;
    private int stage;
    private boolean direct;
    private long buffer;
    private DType carried;
    private ReduceOp carriedOp;

    HierarchicalAllReduce(final Communicator comm, final Hierarchy hierarchy)
    {
        super(comm);
        this.hierarchy = hierarchy;
        this.steps = new Steps(hierarchy.order, this);
        this.nodeReduce = new SharedMemoryAllReduce(hierarchy.node, hierarchy.nodeScratch);
        this.leaderRing = hierarchy.leaders == null ? null : new RingAllReduce(hierarchy.leaders);
        this.nodeBroadcast = new SharedMemoryBroadcast(hierarchy.node, hierarchy.nodeScratch);
    }

    public ReducingOperation allReduce(final long src, final long dst, final long count, final DType dtype,
        final ReduceOp op)
    {
        return set(src, dst, count, dtype, op);
    }

    @Override
    public String describe()
    {
        return describe("allReduce", "hierarchical") + ", step " + stage + steps.describe();
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
        working = Precision.working(dtype, op);
        direct = working == dtype && op != ReduceOp.AVG;
        carried = working;
        carriedOp = op == ReduceOp.AVG ? ReduceOp.SUM : op;
        stage = 0;
        if (direct && hierarchy.node.size() == 1 && leaderRing != null && hierarchy.leaders.size() > 1)
        {
            // alone on its node: nothing to combine through shared memory, and the ring reads src itself (the
            // node step's copy of src into dst cost 1.5 of 7.8 ms at 16 MiB, np 2 over TCP)
            buffer = dst;
            stage = 1;
            steps.start(leaderRing.allReduce(src, dst, count, dtype, op));
            return;
        }
        if (direct)
        {
            buffer = dst;
            nodeReduce.allReduce(src, dst, count, dtype, op);
        }
        else
        {
            buffer = scratch(count * working.bytes());
            Precision.load(dtype, working, buffer, src, count);
            nodeReduce.allReduce(buffer, buffer, count, carried, carriedOp);
        }
        steps.start(nodeReduce);
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
        if (stage == 1 && leaderRing != null && hierarchy.leaders.size() > 1)
        {
            steps.start(leaderRing.allReduce(buffer, buffer, count, carried, carriedOp));
            return;
        }
        if (stage <= 2)
        {
            stage = 2;
            steps.start(nodeBroadcast.broadcast(buffer, count * carried.bytes(), 0));
            return;
        }
        if (!direct)
        {
            Precision.store(op, size, dtype, working, dst, buffer, count);
        }
        done();
    }
}
