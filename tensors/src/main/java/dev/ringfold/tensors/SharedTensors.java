package dev.ringfold.tensors;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Status;

import java.util.ArrayList;
import java.util.List;

/**
 * Publishing node-shared tensors to node peers and mapping theirs, through a communicator: a handle (a few
 * dozen bytes: file name, dtype, shape) travels point-to-point, the elements never do. Messages go in the
 * communicator's point-to-point context with the caller's tag; use a tag the program does not use otherwise.
 */
public final class SharedTensors
{
    private SharedTensors()
    {
    }

    /** Sends {@code tensor}'s handle to {@code dest}, which calls {@link #map} with the same tag. */
    public static void publish(final Communicator comm, final Tensor tensor, final int dest, final int tag)
    {
        final byte[] handle = SharedTensorHandle.of(tensor, comm.settings().nodeIdentity()).encode();
        comm.send(handle, 0, handle.length, dest, tag);
    }

    /** Receives a handle from {@code source} (or ANY_SOURCE) and maps that tensor. */
    public static Tensor map(final Communicator comm, final NodeSharedAllocator allocator, final int source,
        final int tag)
    {
        final Status status = comm.probe(source, tag);
        final byte[] bytes = new byte[status.count()];
        comm.recv(bytes, 0, bytes.length, status.source(), tag);
        return allocator.map(SharedTensorHandle.decode(bytes));
    }

    /**
     * Collective over {@code nodeComm}: every rank offers its tensor and maps everyone else's. Returns one tensor
     * per rank of the communicator, this rank's own as a view; close them all. Ranks must be node peers
     * ({@link Communicator#splitByNode}).
     */
    public static Tensor[] exchange(final Communicator nodeComm, final NodeSharedAllocator allocator,
        final Tensor mine, final int tag)
    {
        final byte[] handle = allocator.handle(mine).encode();
        final int me = nodeComm.rank();
        final int size = nodeComm.size();
        final List<Request> sends = new ArrayList<>(size);
        for (int r = 0; r < size; r++)
        {
            if (r != me)
            {
                sends.add(nodeComm.isend(handle, 0, handle.length, r, tag));
            }
        }
        final Tensor[] all = new Tensor[size];
        try
        {
            for (int r = 0; r < size; r++)
            {
                all[r] = r == me ? mine.view() : map(nodeComm, allocator, r, tag);
            }
        }
        catch (final RuntimeException ex)
        {
            for (final Tensor t : all)
            {
                if (t != null)
                {
                    t.close();
                }
            }
            throw ex;
        }
        finally
        {
            Request.waitAll(sends.toArray(new Request[0]));
        }
        return all;
    }
}
