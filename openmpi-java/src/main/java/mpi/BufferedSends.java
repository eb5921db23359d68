package mpi;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffered sends (MPI_Bsend): each message is copied, counted against the attached buffer's size (plus
 * MPI.BSEND_OVERHEAD, as MPI says), sent without waiting, and its space given back once it has gone.
 * Detaching waits for all of them.
 */
final class BufferedSends
{
    private static byte[] attached;
    private static long used;
    private static final List<Request> PENDING = new ArrayList<>();
    private static final List<Long> SIZES = new ArrayList<>();

    private BufferedSends()
    {
    }

    static synchronized void attach(final byte[] buffer) throws MPIException
    {
        if (attached != null)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_BUFFER, "MPI_Buffer_attach",
                "a buffer is already attached (detach it first)");
        }
        attached = buffer;
        used = 0;
    }

    static synchronized byte[] detach() throws MPIException
    {
        for (final Request r : PENDING)
        {
            r.waitFor();
        }
        PENDING.clear();
        SIZES.clear();
        used = 0;
        final byte[] b = attached;
        attached = null;
        return b;
    }

    static synchronized void send(final Comm comm, final Payload p, final int count, final int dest, final int tag)
        throws MPIException
    {
        reclaim();
        final long bytes = (long)count * p.type.size;
        final long need = bytes + MPI.BSEND_OVERHEAD;
        if (attached == null || used + need > attached.length)
        {
            throw Errors.raise(comm, MPI.ERR_BUFFER, "MPI_Bsend", "rank " + comm.p2p.rank() + ": " + bytes +
                " bytes (+" + MPI.BSEND_OVERHEAD + " overhead) do not fit " + (attached == null ?
                "a buffer: none is attached (MPI.attachBuffer)" : "the attached buffer of " + attached.length +
                " bytes, " + used + " in use"));
        }
        final MemorySegment copy = MemorySegment.ofArray(new byte[(int)bytes]);
        p.pack(0, count, copy, 0);
        PENDING.add(comm.started("MPI_Bsend", () -> comm.p2p.isend(copy, dest, tag)));
        SIZES.add(need);
        used += need;
    }

    private static void reclaim() throws MPIException
    {
        for (int i = PENDING.size() - 1; i >= 0; i--)
        {
            if (PENDING.get(i).test())
            {
                used -= SIZES.get(i);
                PENDING.remove(i);
                SIZES.remove(i);
            }
        }
    }
}
