package mpi;

/**
 * An inter-communicator between two disjoint groups. The leaders exchange their groups through the peer
 * communicator; Remote_size, Remote_group and Merge work. Point-to-point on the inter-communicator itself is not
 * provided: Merge it into an intra-communicator and talk there.
 */
public class Intercomm extends Comm
{
    private final Comm local;
    private final Group remote;

    Intercomm(final Comm local, final Comm peer, final int localLeader, final int remoteLeader, final int tag)
    {
        super(null);
        this.local = local;
        final int[] mine = local.Group().world;
        final int[] size = new int[1];
        int[] theirs = null;
        final Intracomm localIntra = (Intracomm)local;
        if (local.Rank() == localLeader)
        {
            peer.Sendrecv(new int[] {mine.length}, 0, 1, MPI.INT, remoteLeader, tag, size, 0, 1, MPI.INT,
                remoteLeader, tag);
            theirs = new int[size[0]];
            peer.Sendrecv(mine, 0, mine.length, MPI.INT, remoteLeader, tag, theirs, 0, theirs.length, MPI.INT,
                remoteLeader, tag);
        }
        localIntra.Bcast(size, 0, 1, MPI.INT, localLeader);
        if (theirs == null)
        {
            theirs = new int[size[0]];
        }
        localIntra.Bcast(theirs, 0, theirs.length, MPI.INT, localLeader);
        this.remote = new Group(theirs);
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
     * The intra-communicator of both groups, the low group first. Built by splitting MPI.COMM_WORLD, so every
     * process of COMM_WORLD must call Merge (on an inter-communicator or, with the others, as bystanders are not
     * possible): both groups together must be the whole world.
     */
    public Intracomm Merge(final boolean high) throws MPIException
    {
        if (local.Size() + remote.world.length != MPI.COMM_WORLD.Size())
        {
            throw new MPIException("Intercomm.Merge: supported when the two groups make up all of COMM_WORLD (" +
                local.Size() + " + " + remote.world.length + " of " + MPI.COMM_WORLD.Size() + ")");
        }
        return MPI.COMM_WORLD.Split(0, (high ? MPI.COMM_WORLD.Size() : 0) + MPI.COMM_WORLD.Rank());
    }

    @Override
    public Object clone() throws MPIException
    {
        throw new MPIException("Intercomm.clone is not supported; Merge and clone the intra-communicator");
    }
}
