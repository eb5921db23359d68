package dev.ringfold.mpi.transport.mpinative;

import dev.ringfold.mpi.Communicator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The MPI library's own collectives for one Ringfold communicator on the native device: an MPI communicator of
 * the same ranks in the same order, and non-blocking {@code MPI_Iallreduce}/{@code MPI_Ibcast} on it, tested from
 * the engine's progress loop like any other collective in flight (a blocking MPI collective would stop Ringfold's
 * own traffic while it waits, and a peer could be waiting on that traffic before it joins).
 */
public final class MpiCollectives
{
    public static final int FLOAT32 = 0;
    public static final int FLOAT64 = 1;
    public static final int INT32 = 2;
    public static final int INT64 = 3;

    public static final int SUM = 0;
    public static final int PROD = 1;
    public static final int MIN = 2;
    public static final int MAX = 3;

    private static final String[] TYPE_SYMBOLS = {"ompi_mpi_float", "ompi_mpi_double", "ompi_mpi_int32_t",
        "ompi_mpi_int64_t"};
    private static final String[] OP_SYMBOLS = {"ompi_mpi_op_sum", "ompi_mpi_op_prod", "ompi_mpi_op_min",
        "ompi_mpi_op_max"};

    private final long comm;
    private final long[] types = new long[TYPE_SYMBOLS.length];
    private final long[] ops = new long[OP_SYMBOLS.length];
    private final MemorySegment flag = Arena.ofAuto().allocate(JAVA_INT);

    private MpiCollectives(final long comm)
    {
        this.comm = comm;
        final MpiLibrary library = MpiLibrary.loaded();
        for (int i = 0; i < types.length; i++)
        {
            types[i] = library.handle(TYPE_SYMBOLS[i]);
        }
        for (int i = 0; i < ops.length; i++)
        {
            ops[i] = library.handle(OP_SYMBOLS[i]);
        }
    }

    /** Whether the communicator runs on the native device, where MPI's collectives can serve it. */
    public static boolean available(final Communicator comm)
    {
        return "native".equals(comm.transportTo(comm.rank()));
    }

    /**
     * Makes the MPI communicator for {@code comm}. Collective over its ranks: a Ringfold barrier first, so that
     * every rank has finished what its peers may still need from it before MPI blocks them all in
     * {@code MPI_Comm_create_group}. The MPI communicator lives until MPI_Finalize.
     */
    public static MpiCollectives of(final Communicator comm)
    {
        if (!available(comm))
        {
            throw new IllegalStateException("rank " + comm.rank() + " of " + comm.name() + ": MPI collectives need " +
                "the native device (RINGFOLD_DEV=native), this communicator uses " + comm.transportTo(comm.rank()));
        }
        final int[] worldRanks = new int[comm.size()];
        for (int r = 0; r < worldRanks.length; r++)
        {
            worldRanks[r] = comm.worldRank(r);
        }
        comm.barrier();
        return new MpiCollectives(Mpi.commOfWorldRanks(worldRanks).address());
    }

    /** Eight bytes for one in-flight MPI request, kept and reused by the operation that owns it. */
    public static MemorySegment newRequest()
    {
        return Arena.ofAuto().allocate(Mpi.HANDLE_BYTES, Mpi.HANDLE_BYTES);
    }

    /** Starts an all-reduce of {@code count} elements; {@code src == dst} reduces in place. */
    public void startAllReduce(final long src, final long dst, final int count, final int type, final int op,
        final MemorySegment request)
    {
        Mpi.iallReduce(src == dst ? Mpi.IN_PLACE : src, dst, count, types[type], ops[op], comm, request.address());
    }

    public void startBroadcast(final long address, final int bytes, final int root, final MemorySegment request)
    {
        Mpi.ibcast(address, bytes, root, comm, request.address());
    }

    /** Whether the request has finished (MPI then releases it). */
    public boolean test(final MemorySegment request)
    {
        return Mpi.test(request.address(), flag, 0L);
    }
}
