package mpi;

import dev.ringfold.mpi.Communicator;

/**
 * An inter-communicator. Ringfold's communicators are intra-communicators only, so there is no way to make one
 * yet: {@link Comm#createIntercomm} and {@link #getParent} raise MPI_ERR_UNSUPPORTED_OPERATION naming what is
 * missing (docs/openmpi-java.md).
 */
public final class Intercomm extends Comm
{
    private Intercomm(final Communicator p2p)
    {
        super(p2p, "");
    }

    static Intercomm create(final Comm peer, final Comm local, final int localLeader, final int remoteLeader,
        final int tag) throws MPIException
    {
        throw Errors.raise(peer, MPI.ERR_UNSUPPORTED_OPERATION, "MPI_Intercomm_create", "Ringfold has no " +
            "inter-communicators; exchange between the groups on a communicator that holds both (the peer " +
            "communicator), with group-local ranks mapped by Group.translateRanks");
    }

    int remoteSize()
    {
        return p2p.size();
    }

    @Override
    Intercomm make(final Communicator communicator)
    {
        return new Intercomm(communicator);
    }

    @Override
    public Intercomm clone()
    {
        return (Intercomm)super.clone();
    }

    @Override
    public Intercomm dup() throws MPIException
    {
        return (Intercomm)super.dup();
    }

    @Override
    public Intercomm iDup() throws MPIException
    {
        return (Intercomm)super.iDup();
    }

    @Override
    public Intercomm dupWithInfo(final Info info) throws MPIException
    {
        return (Intercomm)super.dupWithInfo(info);
    }

    public int getRemoteSize() throws MPIException
    {
        open("MPI_Comm_remote_size");
        return remoteSize();
    }

    public Group getRemoteGroup() throws MPIException
    {
        open("MPI_Comm_remote_group");
        return Group.of(p2p);
    }

    public Intracomm merge(final boolean high) throws MPIException
    {
        open("MPI_Intercomm_merge");
        return derived(new Intracomm(p2p.dup(), ""));
    }

    /** Always MPI_COMM_NULL (null): Ringfold's ranks are never spawned by another job. */
    public static Intercomm getParent() throws MPIException
    {
        MPI.check();
        return null;
    }
}
