package mpi;

/**
 * An inter-communicator between two disjoint groups. Its point-to-point names ranks of the remote group; the
 * messages travel on one Ringfold communicator of both groups ({@link dev.ringfold.mpi.Communicator#joinGroup}),
 * where the remote group sits after or before the local one, so a remote rank is an offset away.
 */
public class Intercomm extends Comm
{
    private final Comm local;
    private final Group remote;
    /** Where the remote group starts among the ranks of the joint communicator. */
    private final int remoteStart;

    Intercomm(final Comm local, final Comm peer, final int localLeader, final int remoteLeader, final int tag)
    {
        super(joint(local, peer, localLeader, remoteLeader, tag));
        this.local = local;
        // the local group first: its ranks are the same in the joint communicator
        this.remoteStart = p2p().rank() == local.Rank() ? local.Size() : 0;
        final int[] theirs = new int[p2p().size() - local.Size()];
        for (int r = 0; r < theirs.length; r++)
        {
            theirs[r] = p2p().worldRank(remoteStart + r);
        }
        this.remote = new Group(theirs);
    }

    private static dev.ringfold.mpi.Communicator joint(final Comm local, final Comm peer, final int localLeader,
        final int remoteLeader, final int tag)
    {
        local.checkOpen("Create_intercomm");
        peer.checkOpen("Create_intercomm");
        try
        {
            return local.p2p().joinGroup(peer.p2p(), localLeader, remoteLeader, peer.tag(tag, false));
        }
        catch (final RuntimeException ex)
        {
            throw ex instanceof MPIException e ? e : new MPIException("Create_intercomm: " + ex.getMessage());
        }
    }

    @Override
    int peers()
    {
        return remote.world.length;
    }

    @Override
    int toP2p(final int rank)
    {
        return remoteStart + rank;
    }

    @Override
    int fromP2p(final int rank)
    {
        return rank - remoteStart;
    }

    @Override
    public int Size() throws MPIException
    {
        return local.Size();
    }

    @Override
    public int Rank() throws MPIException
    {
        return local.Rank();
    }

    @Override
    public Group Group() throws MPIException
    {
        return local.Group();
    }

    @Override
    public boolean Test_inter() throws MPIException
    {
        return true;
    }

    public int Remote_size() throws MPIException
    {
        return remote.world.length;
    }

    public Group Remote_group() throws MPIException
    {
        return remote;
    }

    /**
     * The intra-communicator of both groups: the group that passes high = false first (if both pass the same, the
     * group holding the lower world rank), each in its rank order. Collective over both groups.
     */
    public Intracomm Merge(final boolean high) throws MPIException
    {
        checkOpen("Merge");
        return new Intracomm(p2p().split(0, (high ? p2p().size() : 0) + p2p().rank()));
    }

    @Override
    public Object clone() throws MPIException
    {
        throw new MPIException("Intercomm.clone is not supported; Merge and clone the intra-communicator");
    }
}
