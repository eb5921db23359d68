package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;

/**
 * A broadcast's state machine: the message ({@code bytes} at {@code address}) and its root, set for each call by
 * {@link #broadcast}, are the same for every algorithm; how the message travels is the subclass's.
 */
abstract class BroadcastOperation extends Operation implements Broadcaster
{
    protected long address;
    protected long bytes;
    protected int root;

    BroadcastOperation(final Communicator comm)
    {
        super(comm);
    }

    @Override
    public BroadcastOperation broadcast(final long address, final long bytes, final int root)
    {
        this.address = address;
        this.bytes = bytes;
        this.root = root;
        return this;
    }

    /** The start of a stall report: which broadcast, by {@code algorithm}, of what, from where. */
    protected final String describe(final String algorithm)
    {
        return "broadcast (" + algorithm + ") of " + bytes + " bytes from rank " + root + " on " + comm.name();
    }
}
