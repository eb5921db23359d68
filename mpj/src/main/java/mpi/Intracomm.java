package mpi;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.reflect.Array;

/**
 * An intra-communicator: the collectives. Basic types in int/long/float/double arrays with MPI's arithmetic and
 * bitwise operations go to Ringfold's {@link Collectives} (ring and recursive-doubling all-reduce, chain and
 * binomial broadcast ...), other types to broadcast through packed bytes; everything else (user-defined
 * operations, MAXLOC/MINLOC, logical operations, derived types, OBJECT) takes a simple generic path of packed
 * point-to-point messages on the control communicator, combining in rank order so that non-commutative user
 * operations get the order MPI prescribes.
 */
public class Intracomm extends Comm
{
    private static final int TAG_REDUCE = 1;
    private static final int TAG_GATHER = 2;
    private static final int TAG_SCATTER = 3;
    private static final int TAG_ALLTOALL = 4;
    private static final int TAG_SCAN = 5;

    private UnsafeBuffer staging;

    Intracomm(final Communicator communicator)
    {
        super(communicator);
    }

    public static int Compare(final Comm comm1, final Comm comm2) throws MPIException
    {
        return Comm.Compare(comm1, comm2);
    }

    @Override
    public Object clone() throws MPIException
    {
        checkOpen("clone");
        return new Intracomm(p2p().dup());
    }

    /** The MPI name of clone(). */
    public Intracomm Dup() throws MPIException
    {
        return (Intracomm)clone();
    }

    public Intracomm Split(final int color, final int key) throws MPIException
    {
        checkOpen("Split");
        if (color < 0 && color != MPI.UNDEFINED)
        {
            throw new MPIException("Split on rank " + Rank() + ": color=" + color + " must be >= 0 or MPI.UNDEFINED");
        }
        final Communicator c = p2p().split(color == MPI.UNDEFINED ? Communicator.UNDEFINED : color, key);
        return c == null ? null : new Intracomm(c);
    }

    /** The communicator of the group's members (null elsewhere); the group must be a subset of this one's. */
    public Intracomm Create(final Group group) throws MPIException
    {
        final Communicator c = splitForGroup(group);
        return c == null ? null : new Intracomm(c);
    }

    Communicator splitForGroup(final Group group)
    {
        checkOpen("Create");
        final int mine = group.rankOfWorld(p2p().worldRank(p2p().rank()));
        return p2p().split(mine == MPI.UNDEFINED ? Communicator.UNDEFINED : 0, mine == MPI.UNDEFINED ? 0 : mine);
    }

    public Cartcomm Create_cart(final int[] dims, final boolean[] periods, final boolean reorder) throws MPIException
    {
        checkOpen("Create_cart");
        if (dims.length != periods.length)
        {
            throw new MPIException("Create_cart: " + dims.length + " dims but " + periods.length + " periods");
        }
        int n = 1;
        for (final int d : dims)
        {
            if (d <= 0)
            {
                throw new MPIException("Create_cart: every dimension must be > 0, got " + java.util.Arrays.toString(dims));
            }
            n *= d;
        }
        if (n > Size())
        {
            throw new MPIException("Create_cart: the grid " + java.util.Arrays.toString(dims) + " needs " + n +
                " processes, the communicator has " + Size());
        }
        final Communicator c = p2p().split(Rank() < n ? 0 : Communicator.UNDEFINED, Rank());
        return c == null ? null : new Cartcomm(c, dims.clone(), periods.clone());
    }

    public Graphcomm Create_graph(final int[] index, final int[] edges, final boolean reorder)
    {
        checkOpen("Create_graph");
        final int n = index.length;
        if (n > Size())
        {
            throw new MPIException("Create_graph: " + n + " nodes, the communicator has " + Size() + " processes");
        }
        final Communicator c = p2p().split(Rank() < n ? 0 : Communicator.UNDEFINED, Rank());
        return c == null ? null : new Graphcomm(c, index.clone(), edges.clone());
    }

    // ------------------------------------------------------------------------------------------ collectives

    public void Barrier() throws MPIException
    {
        checkOpen("Barrier");
        p2p().barrier();
    }

    public void Bcast(final Object buf, final int offset, final int count, final Datatype type, final int root)
        throws MPIException
    {
        checkOpen("Bcast");
        checkRoot("Bcast", root);
        Packing.check("Bcast", buf, offset, count, type);
        final Collectives coll = Collectives.of(p2p());
        if (fast(buf, type))
        {
            // class tests, not a pattern switch: see Packing.arraySegment
            if (buf instanceof double[] d)
            {
                coll.broadcast(d, offset, count, root);
            }
            else if (buf instanceof float[] f)
            {
                coll.broadcast(f, offset, count, root);
            }
            else if (buf instanceof int[] i)
            {
                coll.broadcast(i, offset, count, root);
            }
            else
            {
                coll.broadcast((long[])buf, offset, count, root);
            }
            return;
        }
        final boolean isRoot = Rank() == root;
        byte[] m = isRoot ? Packing.message(buf, offset, count, type) : null;
        int length = Packing.packedBytes(0, type);
        if (type.isObject())
        {
            final int[] size = {isRoot ? m.length : 0};
            coll.broadcast(size, 0, 1, root);
            length = size[0];
        }
        else
        {
            length = Packing.packedBytes(count, type);
        }
        final UnsafeBuffer s = staging(length);
        if (isRoot)
        {
            s.putBytes(0, m);
        }
        coll.broadcast(s.addressOffset(), length, DType.U8, root);
        if (!isRoot)
        {
            m = new byte[length];
            s.getBytes(0, m);
            Packing.deliver(m, 0, length, buf, offset, count, type);
        }
    }

    public void Reduce(final Object sendbuf, final int sendoffset, final Object recvbuf, final int recvoffset,
        final int count, final Datatype type, final Op op, final int root) throws MPIException
    {
        checkOpen("Reduce");
        checkRoot("Reduce", root);
        Packing.check("Reduce", sendbuf, sendoffset, count, type);
        if (Rank() == root)
        {
            Packing.check("Reduce", recvbuf, recvoffset, count, type);
        }
        final ReduceOp fastOp = fastOp(sendbuf, type, op);
        if (fastOp != null && (Rank() != root || recvbuf.getClass() == sendbuf.getClass()))
        {
            final DType dtype = dtype(type);
            final int bytes = count * dtype.bytes();
            final UnsafeBuffer s = staging(2 * bytes);
            toStaging(sendbuf, sendoffset, bytes, s, 0);
            Collectives.of(p2p()).reduce(s.addressOffset(), s.addressOffset() + bytes, count, dtype, fastOp, root);
            if (Rank() == root)
            {
                fromStaging(s, bytes, recvbuf, recvoffset, bytes);
            }
            return;
        }
        reduceGeneric(sendbuf, sendoffset, recvbuf, recvoffset, count, type, op, root);
    }

    public void Allreduce(final Object sendbuf, final int sendoffset, final Object recvbuf, final int recvoffset,
        final int count, final Datatype type, final Op op) throws MPIException
    {
        checkOpen("Allreduce");
        Packing.check("Allreduce", sendbuf, sendoffset, count, type);
        Packing.check("Allreduce", recvbuf, recvoffset, count, type);
        final ReduceOp fastOp = fastOp(sendbuf, type, op);
        if (fastOp != null && recvbuf.getClass() == sendbuf.getClass())
        {
            final Collectives coll = Collectives.of(p2p());
            // class tests, not a pattern switch: see Packing.arraySegment
            if (recvbuf instanceof double[] d)
            {
                coll.allReduce((double[])sendbuf, sendoffset, d, recvoffset, count, fastOp);
            }
            else if (recvbuf instanceof float[] f)
            {
                coll.allReduce((float[])sendbuf, sendoffset, f, recvoffset, count, fastOp);
            }
            else if (recvbuf instanceof int[] i)
            {
                coll.allReduce((int[])sendbuf, sendoffset, i, recvoffset, count, fastOp);
            }
            else
            {
                coll.allReduce((long[])sendbuf, sendoffset, (long[])recvbuf, recvoffset, count, fastOp);
            }
            return;
        }
        reduceGeneric(sendbuf, sendoffset, recvbuf, recvoffset, count, type, op, 0);
        Bcast(recvbuf, recvoffset, count, type, 0);
    }

    public void Scan(final Object sendbuf, final int sendoffset, final Object recvbuf, final int recvoffset,
        final int count, final Datatype type, final Op op) throws MPIException
    {
        checkOpen("Scan");
        Packing.check("Scan", sendbuf, sendoffset, count, type);
        Packing.check("Scan", recvbuf, recvoffset, count, type);
        final ReduceOp fastOp = fastOp(sendbuf, type, op);
        if (fastOp != null && recvbuf.getClass() == sendbuf.getClass())
        {
            final DType dtype = dtype(type);
            final int bytes = count * dtype.bytes();
            final UnsafeBuffer s = staging(2 * bytes);
            toStaging(sendbuf, sendoffset, bytes, s, 0);
            Collectives.of(p2p()).scan(s.addressOffset(), s.addressOffset() + bytes, count, dtype, fastOp);
            fromStaging(s, bytes, recvbuf, recvoffset, bytes);
            return;
        }
        // a chain: rank r gets the prefix of ranks < r, combines it with its own data (prefix op own), passes it on
        final Operand mine = Operand.of(Packing.message(sendbuf, sendoffset, count, type), count, type, op);
        if (Rank() > 0)
        {
            final byte[] prefix = recvBytes(Rank() - 1, TAG_SCAN, type.isObject() ? -1 : Packing.packedBytes(count, type));
            mine.combineFrom(Operand.of(prefix, count, type, op), op);
        }
        if (Rank() + 1 < Size())
        {
            sendBytes(mine.packed(), Rank() + 1, TAG_SCAN);
        }
        mine.writeTo(recvbuf, recvoffset, count, type);
    }

    public void Reduce_scatter(final Object sendbuf, final int sendoffset, final Object recvbuf,
        final int recvoffset, final int[] recvcounts, final Datatype type, final Op op) throws MPIException
    {
        checkOpen("Reduce_scatter");
        checkCounts("Reduce_scatter", "recvcounts", recvcounts);
        int total = 0;
        int start = 0;
        for (int r = 0; r < recvcounts.length; r++)
        {
            if (r == Rank())
            {
                start = total;
            }
            total += recvcounts[r];
        }
        final int shift = Math.max(0, -type.minDisplacement);
        final Object all = Array.newInstance(sendbuf.getClass().getComponentType(),
            total == 0 ? 0 : shift + (total - 1) * type.extent() + type.maxDisplacement + 1);
        Allreduce(sendbuf, sendoffset, all, shift, total, type, op);
        Packing.check("Reduce_scatter", recvbuf, recvoffset, recvcounts[Rank()], type);
        Packing.copy(all, shift + start * type.extent(), recvcounts[Rank()], type, recvbuf, recvoffset,
            recvcounts[Rank()], type);
    }

    public void Gather(final Object sendbuf, final int sendoffset, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvoffset, final int recvcount, final Datatype recvtype, final int root)
        throws MPIException
    {
        Gatherv(sendbuf, sendoffset, sendcount, sendtype, recvbuf, recvoffset, uniform(recvcount),
            blocks(recvcount), recvtype, root);
    }

    public void Gatherv(final Object sendbuf, final int sendoffset, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvoffset, final int[] recvcount, final int[] displs,
        final Datatype recvtype, final int root) throws MPIException
    {
        checkOpen("Gatherv");
        checkRoot("Gatherv", root);
        Packing.check("Gatherv", sendbuf, sendoffset, sendcount, sendtype);
        if (Rank() != root)
        {
            sendPacked(sendbuf, sendoffset, sendcount, sendtype, root, TAG_GATHER);
            return;
        }
        checkCounts("Gatherv", "recvcount", recvcount);
        checkCounts("Gatherv", "displs", displs);
        for (int r = 0; r < Size(); r++)
        {
            final int at = recvoffset + displs[r] * recvtype.extent();
            Packing.check("Gatherv", recvbuf, at, recvcount[r], recvtype);
            if (r == root)
            {
                Packing.copy(sendbuf, sendoffset, sendcount, sendtype, recvbuf, at, recvcount[r], recvtype);
            }
            else
            {
                recvPacked(recvbuf, at, recvcount[r], recvtype, r, TAG_GATHER);
            }
        }
    }

    public void Scatter(final Object sendbuf, final int sendoffset, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvoffset, final int recvcount, final Datatype recvtype, final int root)
        throws MPIException
    {
        Scatterv(sendbuf, sendoffset, uniform(sendcount), blocks(sendcount), sendtype, recvbuf, recvoffset,
            recvcount, recvtype, root);
    }

    public void Scatterv(final Object sendbuf, final int sendoffset, final int[] sendcount, final int[] displs,
        final Datatype sendtype, final Object recvbuf, final int recvoffset, final int recvcount,
        final Datatype recvtype, final int root) throws MPIException
    {
        checkOpen("Scatterv");
        checkRoot("Scatterv", root);
        Packing.check("Scatterv", recvbuf, recvoffset, recvcount, recvtype);
        if (Rank() != root)
        {
            recvPacked(recvbuf, recvoffset, recvcount, recvtype, root, TAG_SCATTER);
            return;
        }
        checkCounts("Scatterv", "sendcount", sendcount);
        checkCounts("Scatterv", "displs", displs);
        for (int r = 0; r < Size(); r++)
        {
            final int at = sendoffset + displs[r] * sendtype.extent();
            Packing.check("Scatterv", sendbuf, at, sendcount[r], sendtype);
            if (r == root)
            {
                Packing.copy(sendbuf, at, sendcount[r], sendtype, recvbuf, recvoffset, recvcount, recvtype);
            }
            else
            {
                sendPacked(sendbuf, at, sendcount[r], sendtype, r, TAG_SCATTER);
            }
        }
    }

    public void Allgather(final Object sendbuf, final int sendoffset, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvoffset, final int recvcount, final Datatype recvtype) throws MPIException
    {
        Gather(sendbuf, sendoffset, sendcount, sendtype, recvbuf, recvoffset, recvcount, recvtype, 0);
        Bcast(recvbuf, recvoffset, recvcount * Size(), recvtype, 0);
    }

    public void Allgatherv(final Object sendbuf, final int sendoffset, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvoffset, final int[] recvcount, final int[] displs,
        final Datatype recvtype) throws MPIException
    {
        Gatherv(sendbuf, sendoffset, sendcount, sendtype, recvbuf, recvoffset, recvcount, displs, recvtype, 0);
        for (int r = 0; r < Size(); r++)
        {
            Bcast(recvbuf, recvoffset + displs[r] * recvtype.extent(), recvcount[r], recvtype, 0);
        }
    }

    public void Alltoall(final Object sendbuf, final int sendoffset, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvoffset, final int recvcount, final Datatype recvtype) throws MPIException
    {
        Alltoallv(sendbuf, sendoffset, uniform(sendcount), blocks(sendcount), sendtype, recvbuf, recvoffset,
            uniform(recvcount), blocks(recvcount), recvtype);
    }

    public void Alltoallv(final Object sendbuf, final int sendoffset, final int[] sendcount, final int[] sdispls,
        final Datatype sendtype, final Object recvbuf, final int recvoffset, final int[] recvcount,
        final int[] rdispls, final Datatype recvtype) throws MPIException
    {
        checkOpen("Alltoallv");
        checkCounts("Alltoallv", "sendcount", sendcount);
        checkCounts("Alltoallv", "sdispls", sdispls);
        checkCounts("Alltoallv", "recvcount", recvcount);
        checkCounts("Alltoallv", "rdispls", rdispls);
        final int n = Size();
        final int me = Rank();
        for (int step = 0; step < n; step++)
        {
            final int dest = (me + step) % n;
            final int src = (me - step + n) % n;
            final int from = sendoffset + sdispls[dest] * sendtype.extent();
            final int to = recvoffset + rdispls[src] * recvtype.extent();
            Packing.check("Alltoallv", sendbuf, from, sendcount[dest], sendtype);
            Packing.check("Alltoallv", recvbuf, to, recvcount[src], recvtype);
            if (step == 0)
            {
                Packing.copy(sendbuf, from, sendcount[dest], sendtype, recvbuf, to, recvcount[src], recvtype);
                continue;
            }
            final dev.ringfold.mpi.Request send = isendPacked(sendbuf, from, sendcount[dest], sendtype, dest,
                TAG_ALLTOALL);
            recvPacked(recvbuf, to, recvcount[src], recvtype, src, TAG_ALLTOALL);
            send.await();
        }
    }

    // ------------------------------------------------------------------------------------------- internals

    /** Every rank's data at the root, combined there as x0 op (x1 op (... op x(n-1))). */
    private void reduceGeneric(final Object sendbuf, final int sendoffset, final Object recvbuf,
        final int recvoffset, final int count, final Datatype type, final Op op, final int root)
    {
        if (Rank() != root)
        {
            sendPacked(sendbuf, sendoffset, count, type, root, TAG_REDUCE);
            return;
        }
        final int n = Size();
        final byte[][] parts = new byte[n][];
        for (int r = 0; r < n; r++)
        {
            parts[r] = r == root ? Packing.message(sendbuf, sendoffset, count, type) :
                recvBytes(r, TAG_REDUCE, type.isObject() ? -1 : Packing.packedBytes(count, type));
        }
        final Operand acc = Operand.of(parts[n - 1], count, type, op);
        for (int r = n - 2; r >= 0; r--)
        {
            acc.combineFrom(Operand.of(parts[r], count, type, op), op);
        }
        acc.writeTo(recvbuf, recvoffset, count, type);
    }

    private static boolean fast(final Object buf, final Datatype type)
    {
        return type.isBasic() && switch (type.baseType)
        {
            case Datatype.INT_CODE, Datatype.LONG_CODE, Datatype.FLOAT_CODE, Datatype.DOUBLE_CODE -> true;
            default -> false;
        } && Datatype.arrayClass(type.baseType).isInstance(buf);
    }

    private static ReduceOp fastOp(final Object buf, final Datatype type, final Op op)
    {
        if (op == null)
        {
            throw new MPIException("the reduction op is null");
        }
        if (!fast(buf, type))
        {
            return null;
        }
        final ReduceOp r = op.ringfoldOp();
        return r != null && r.supports(dtype(type)) ? r : null;
    }

    private static DType dtype(final Datatype type)
    {
        return switch (type.baseType)
        {
            case Datatype.INT_CODE -> DType.I32;
            case Datatype.LONG_CODE -> DType.I64;
            case Datatype.FLOAT_CODE -> DType.F32;
            default -> DType.F64;
        };
    }

    private UnsafeBuffer staging(final int bytes)
    {
        if (staging == null || staging.capacity() < bytes)
        {
            staging = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                Math.max(4096, Integer.highestOneBit(Math.max(1, bytes - 1)) << 1), 64));
        }
        return staging;
    }

    private static void toStaging(final Object array, final int offset, final int bytes, final UnsafeBuffer s,
        final int at)
    {
        final int scale = UnsafeApi.arrayIndexScale(array.getClass());
        UnsafeApi.copyMemory(array, UnsafeApi.arrayBaseOffset(array.getClass()) + (long)offset * scale, null,
            s.addressOffset() + at, bytes);
    }

    private static void fromStaging(final UnsafeBuffer s, final int at, final Object array, final int offset,
        final int bytes)
    {
        final int scale = UnsafeApi.arrayIndexScale(array.getClass());
        UnsafeApi.copyMemory(null, s.addressOffset() + at, array,
            UnsafeApi.arrayBaseOffset(array.getClass()) + (long)offset * scale, bytes);
    }

    private void checkRoot(final String what, final int root)
    {
        if (root < 0 || root >= Size())
        {
            throw new MPIException(what + " on rank " + Rank() + ": root=" + root + " is outside [0, " + Size() + ")");
        }
    }

    private void checkCounts(final String what, final String name, final int[] values)
    {
        if (values == null || values.length < Size())
        {
            throw new MPIException(what + " on rank " + Rank() + ": " + name + " needs " + Size() + " entries, got " +
                (values == null ? "null" : values.length));
        }
        for (int r = 0; r < Size(); r++)
        {
            if (values[r] < 0)
            {
                throw new MPIException(what + " on rank " + Rank() + ": " + name + "[" + r + "]=" + values[r] +
                    " must be >= 0");
            }
        }
    }

    private int[] uniform(final int count)
    {
        final int[] c = new int[Size()];
        java.util.Arrays.fill(c, count);
        return c;
    }

    private int[] blocks(final int count)
    {
        final int[] d = new int[Size()];
        for (int r = 0; r < d.length; r++)
        {
            d[r] = r * count;
        }
        return d;
    }
}
