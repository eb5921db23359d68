package dev.ringfold.tensors;

import java.lang.foreign.MemorySegment;

import org.apache.arrow.memory.ArrowBuf;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Status;

/**
 * Point-to-point messages from and into Arrow buffers. The runtime knows nothing of Arrow; these check that the
 * buffer is live and the region fits, then send or receive the region as a {@link MemorySegment}, which moves the
 * same way as any off-heap region (no copy).
 */
public final class ArrowMessages
{
    private ArrowMessages()
    {
    }

    public static void send(final Communicator comm, final ArrowBuf buffer, final long offset, final int length,
        final int dest, final int tag)
    {
        comm.send(region(comm, buffer, offset, length, "send"), dest, tag);
    }

    public static Status recv(final Communicator comm, final ArrowBuf buffer, final long offset, final int length,
        final int source, final int tag)
    {
        return comm.recv(region(comm, buffer, offset, length, "receive"), source, tag);
    }

    public static Request isend(final Communicator comm, final ArrowBuf buffer, final long offset, final int length,
        final int dest, final int tag)
    {
        return comm.isend(region(comm, buffer, offset, length, "send"), dest, tag);
    }

    public static Request irecv(final Communicator comm, final ArrowBuf buffer, final long offset, final int length,
        final int source, final int tag)
    {
        return comm.irecv(region(comm, buffer, offset, length, "receive"), source, tag);
    }

    private static MemorySegment region(final Communicator comm, final ArrowBuf buffer, final long offset,
        final int length, final String op)
    {
        final String where = "rank " + comm.rank() + " of " + comm.name() + ": " + op;
        if (buffer == null)
        {
            throw new NullPointerException(where + ": the buffer is null");
        }
        if (length < 0)
        {
            throw new IllegalArgumentException(where + ": length=" + length + " must be >= 0");
        }
        if (buffer.refCnt() <= 0)
        {
            throw new IllegalStateException(where + ": the ArrowBuf has been released");
        }
        if (offset < 0 || offset + length > buffer.capacity())
        {
            throw new IndexOutOfBoundsException(where + ": offset=" + offset + " length=" + length +
                " does not fit an ArrowBuf of capacity " + buffer.capacity());
        }
        return MemorySegment.ofAddress(buffer.memoryAddress() + offset).reinterpret(length);
    }
}
