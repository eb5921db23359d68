package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.transport.mpinative.MpiCollectives;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

import java.lang.foreign.MemorySegment;

/**
 * An all-reduce or broadcast done by the MPI library itself ({@code MPI_Iallreduce}, {@code MPI_Ibcast}) on the
 * native device, advanced from the progress loop like the other algorithms. Only for what MPI has: f32, f64, i32,
 * i64 with sum, prod, min, max, and counts that fit MPI's int.
 */
final class MpiCollective extends Operation implements AllReducer, Broadcaster
{
    private final MpiCollectives mpi;
    private final MemorySegment request = MpiCollectives.newRequest();
    private boolean broadcast;
    private long src;
    private long dst;
    private int count;
    private int type;
    private int op;
    private int root;

    MpiCollective(final Communicator comm, final MpiCollectives mpi)
    {
        super(comm);
        this.mpi = mpi;
    }

    /** Whether MPI can all-reduce this (type, op, count). */
    static boolean supports(final DType dtype, final ReduceOp op, final long count)
    {
        return mpiType(dtype) >= 0 && mpiOp(op) >= 0 && count <= Integer.MAX_VALUE;
    }

    public MpiCollective allReduce(final long src, final long dst, final long count, final DType dtype, final ReduceOp op)
    {
        this.broadcast = false;
        this.src = src;
        this.dst = dst;
        this.count = (int)count;
        this.type = mpiType(dtype);
        this.op = mpiOp(op);
        return this;
    }

    public MpiCollective broadcast(final long address, final long bytes, final int root)
    {
        this.broadcast = true;
        this.dst = address;
        this.count = (int)bytes;
        this.root = root;
        return this;
    }

    @Override
    public String describe()
    {
        return (broadcast ? "broadcast (MPI_Ibcast) of " + count + " bytes from rank " + root :
            "allReduce (MPI_Iallreduce) of " + count + " elements") + " on " + comm.name();
    }

    @Override
    void begin()
    {
        if (broadcast)
        {
            mpi.startBroadcast(dst, count, root, request);
        }
        else
        {
            mpi.startAllReduce(src, dst, count, type, op, request);
        }
    }

    @Override
    int advance()
    {
        if (!mpi.test(request))
        {
            return 0;
        }
        done();
        return 1;
    }

    private static int mpiType(final DType dtype)
    {
        return switch (dtype)
        {
            case F32 -> MpiCollectives.FLOAT32;
            case F64 -> MpiCollectives.FLOAT64;
            case I32 -> MpiCollectives.INT32;
            case I64 -> MpiCollectives.INT64;
            default -> -1;
        };
    }

    private static int mpiOp(final ReduceOp op)
    {
        return switch (op)
        {
            case SUM -> MpiCollectives.SUM;
            case PROD -> MpiCollectives.PROD;
            case MIN -> MpiCollectives.MIN;
            case MAX -> MpiCollectives.MAX;
            default -> -1;
        };
    }
}
