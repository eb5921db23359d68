package mpi;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The collectives of a {@link Comm}, on Ringfold's {@link Collectives}. Data that Ringfold can address (a direct
 * buffer of a contiguous datatype) goes to the collective where it lies; int/long/float/double arrays go to the
 * array forms of all-reduce and broadcast, which read and write them in place; everything else is packed into
 * native memory first and unpacked after (one copy each way, as Open MPI's JNI layer copies arrays). Reductions
 * that Ringfold's kernels do not cover (user ops, MAXLOC/MINLOC, logical ops, other types) gather the packed
 * operands and combine them in rank order with {@link Reduction}, so non-commutative ops get MPI's order.
 */
final class CollectiveCalls
{
    static final int REDUCE = 0;
    static final int ALL = 1;
    static final int SCAN = 2;
    static final int EXSCAN = 3;
    private static final Class<?> AUTO = Arena.ofAuto().getClass();

    private final Comm comm;
    /** A private communicator for the pairwise exchanges (neighbourhood, alltoallw), made on first use. */
    private Communicator exchange;
    private Collectives ring;
    private Communicator ringOf;

    CollectiveCalls(final Comm comm)
    {
        this.comm = comm;
    }

    private Collectives ring()
    {
        final Communicator p2p = comm.p2p;
        if (ringOf != p2p)
        {
            ring = Collectives.of(p2p);
            ringOf = p2p;
        }
        return ring;
    }

    private interface Blocking
    {
        void run();
    }

    private interface Started
    {
        CollectiveRequest start();
    }

    /** Runs a collective blocking (returns null) or started (returns its request); {@code after} finishes it. */
    private Request exec(final String call, final boolean nonBlocking, final Blocking blocking, final Started started,
        final Request.Finish after) throws MPIException
    {
        try
        {
            if (nonBlocking)
            {
                return Request.of(comm, call, started.start(), after);
            }
            blocking.run();
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(comm, call, ex);
        }
        if (after != null)
        {
            after.finish(null);
        }
        return null;
    }

    private Request finished(final String call, final boolean nonBlocking)
    {
        return nonBlocking ? Request.done(comm, call, Status.empty(MPI.ANY_SOURCE)) : null;
    }

    private static Arena arena(final boolean nonBlocking)
    {
        return nonBlocking ? Arena.ofAuto() : Arena.ofConfined();
    }

    /** Closes a blocking call's arena; a non-blocking call's (automatic) one is the collector's to free. */
    private static void close(final Arena arena)
    {
        if (arena != null && arena.getClass() != AUTO)
        {
            arena.close();
        }
    }

    private void root(final String call, final int root) throws MPIException
    {
        if (root < 0 || root >= comm.p2p.size())
        {
            throw Errors.raise(comm, MPI.ERR_ROOT, call, "rank " + comm.p2p.rank() + ": root=" + root +
                " is not in [0, " + comm.p2p.size() + ")");
        }
    }

    private int[] vector(final String call, final int[] counts, final String what) throws MPIException
    {
        if (counts == null || counts.length < comm.p2p.size())
        {
            throw Errors.raise(comm, MPI.ERR_ARG, call, "rank " + comm.p2p.rank() + ": " + what + " needs " +
                comm.p2p.size() + " entries, got " + (counts == null ? "null" : String.valueOf(counts.length)));
        }
        for (int r = 0; r < comm.p2p.size(); r++)
        {
            if (counts[r] < 0 && what.contains("count"))
            {
                throw Errors.raise(comm, MPI.ERR_COUNT, call, "rank " + comm.p2p.rank() + ": " + what + "[" + r +
                    "]=" + counts[r] + " must be >= 0");
            }
        }
        return counts;
    }

    private static int[] prefix(final int[] counts, final int n)
    {
        final int[] d = new int[n];
        for (int r = 1; r < n; r++)
        {
            d[r] = d[r - 1] + counts[r - 1];
        }
        return d;
    }

    private static long[] bytes(final int[] items, final long itemBytes, final int n)
    {
        final long[] b = new long[n];
        for (int r = 0; r < n; r++)
        {
            b[r] = items[r] * itemBytes;
        }
        return b;
    }

    /** Offsets of blocks of these byte sizes laid back to back (into {@code offsets}); returns their total. */
    private static long packed(final long[] bytes, final long[] offsets)
    {
        long total = 0;
        for (int r = 0; r < bytes.length; r++)
        {
            offsets[r] = total;
            total += bytes[r];
        }
        return total;
    }

    private void inside(final String call, final Payload p, final int[] counts, final int[] displs)
        throws MPIException
    {
        for (int r = 0; r < comm.p2p.size(); r++)
        {
            comm.checkInside(call, p, displs[r], counts[r]);
        }
    }

    // ------------------------------------------------------------------------------------------------ barrier

    void barrier() throws MPIException
    {
        comm.open("MPI_Barrier");
        exec("MPI_Barrier", false, () -> ring().barrier(), null, null);
    }

    Request iBarrier() throws MPIException
    {
        comm.open("MPI_Ibarrier");
        return exec("MPI_Ibarrier", true, null, () -> ring().ibarrier(), null);
    }

    // ---------------------------------------------------------------------------------------------- broadcast

    Request bcast(final String call, final Object buf, final int count, final Datatype type, final int root,
        final boolean nonBlocking) throws MPIException
    {
        comm.open(call);
        final Payload p = comm.payload(call, buf, count, type);
        root(call, root);
        if (count == 0)
        {
            return finished(call, nonBlocking);
        }
        final long bytes = (long)count * type.size;
        if (!nonBlocking && p.isArray() && p.inPlace() && arrayKind(p) >= 0)
        {
            final int at = (int)(p.offset / Datatype.sizeOf(arrayKind(p)));
            final int n = (int)(bytes / Datatype.sizeOf(arrayKind(p)));
            return exec(call, false, () ->
            {
                switch (p.buffer)
                {
                    case int[] a -> ring().broadcast(a, at, n, root);
                    case long[] a -> ring().broadcast(a, at, n, root);
                    case float[] a -> ring().broadcast(a, at, n, root);
                    default -> ring().broadcast((double[])p.buffer, at, n, root);
                }
            }, null, null);
        }
        if (p.addressable())
        {
            final long address = p.address(0);
            return exec(call, nonBlocking, () -> ring().broadcast(address, bytes, DType.U8, root),
                () -> ring().ibroadcast(address, bytes, DType.U8, root), null);
        }
        final Arena arena = arena(nonBlocking);
        final MemorySegment s = arena.allocate(bytes, 64);
        final boolean isRoot = comm.p2p.rank() == root;
        if (isRoot)
        {
            p.pack(0, count, s, 0);
        }
        return exec(call, nonBlocking, () -> ring().broadcast(s.address(), bytes, DType.U8, root),
            () -> ring().ibroadcast(s.address(), bytes, DType.U8, root), x ->
            {
                if (!isRoot)
                {
                    p.unpack(s, 0, 0, count);
                    p.writeBack();
                }
                close(arena);
                return Status.empty(MPI.ANY_SOURCE);
            });
    }

    /** The kind of an int/long/float/double array that the array forms of Ringfold's collectives take, else -1. */
    private static int arrayKind(final Payload p)
    {
        return switch (p.buffer)
        {
            case int[] a -> Datatype.INT;
            case long[] a -> Datatype.LONG;
            case float[] a -> Datatype.FLOAT;
            case double[] a -> Datatype.DOUBLE;
            default -> -1;
        };
    }

    // ------------------------------------------------------------------------------------- gather, allgather

    /** gather and allGather ({@code root < 0}); sendbuf null: in place. */
    Request gather(final String call, final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvcount, final int[] unused, final Datatype recvtype, final int root,
        final boolean nonBlocking) throws MPIException
    {
        comm.open(call);
        final int n = comm.p2p.size();
        final int[] counts = new int[n];
        java.util.Arrays.fill(counts, recvcount);
        comm.count(call, recvcount);
        return gatherv(call, sendbuf, sendcount, sendtype, recvbuf, counts, prefix(counts, n), recvtype, root,
            nonBlocking, true);
    }

    Request gatherv(final String call, final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int[] recvcounts, final int[] displs, final Datatype recvtype, final int root,
        final boolean nonBlocking) throws MPIException
    {
        return gatherv(call, sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root, nonBlocking,
            false);
    }

    private Request gatherv(final String call, final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int[] recvcounts, final int[] displs, final Datatype recvtype, final int root,
        final boolean nonBlocking, final boolean uniform) throws MPIException
    {
        comm.open(call);
        final int n = comm.p2p.size();
        final int me = comm.p2p.rank();
        final boolean all = root < 0;
        if (!all)
        {
            root(call, root);
        }
        final boolean receives = all || me == root;
        final Payload recv;
        if (receives)
        {
            vector(call, recvcounts, "recvcount");
            vector(call, displs, "displs");
            recv = comm.payload(call, recvbuf, 0, recvtype);
            inside(call, recv, recvcounts, displs);
        }
        else
        {
            recv = null;
        }
        // the contribution: the send buffer, or in place the own block of the receive buffer (at the root) or
        // the buffer itself (elsewhere, where it is the send buffer)
        final Payload send;
        final int sendItems;
        final long sendFirst;
        if (sendbuf != null)
        {
            send = comm.payload(call, sendbuf, sendcount, sendtype);
            sendItems = sendcount;
            sendFirst = 0;
        }
        else if (receives)
        {
            send = recv;
            sendItems = recvcounts[me];
            sendFirst = displs[me];
        }
        else
        {
            send = comm.payload(call, recvbuf == null ? null : recvbuf, sendcount, sendtype);
            sendItems = sendcount;
            sendFirst = 0;
        }
        final long sendBytes = sendItems * send.type.size;
        final long itemBytes = receives ? recv.type.size : 0;
        final long[] blockBytes = receives ? bytes(recvcounts, itemBytes, n) : new long[n];
        blockBytes[me] = sendBytes;
        final Arena arena = arena(nonBlocking);
        // where the blocks land: the user's memory when addressable, else packed blocks in native memory
        final boolean direct = receives && recv.addressable();
        final long[] offsets = new long[n];
        final MemorySegment staged;
        if (receives && !direct)
        {
            final long total = packed(blockBytes, offsets);
            staged = arena.allocate(Math.max(1, total), 64);
        }
        else
        {
            staged = null;
            if (direct)
            {
                for (int r = 0; r < n; r++)
                {
                    offsets[r] = displs[r] * recv.type.extent;
                }
            }
        }
        final long dst = direct ? recv.address(0) : staged != null ? staged.address() : 0;
        final long src;
        if (send.addressable() && !(sendbuf == null && staged != null))
        {
            src = send.address(sendFirst);
        }
        else if (sendbuf == null && staged != null)
        {
            send.pack(sendFirst, sendItems, staged, offsets[me]);
            src = staged.address() + offsets[me];
        }
        else
        {
            final MemorySegment s = arena.allocate(Math.max(1, sendBytes), 64);
            send.pack(sendFirst, sendItems, s, 0);
            src = s.address();
        }
        final long[] elements = blockBytes;
        final Request.Finish after = x ->
        {
            if (staged != null)
            {
                for (int r = 0; r < n; r++)
                {
                    recv.unpack(staged, offsets[r], displs[r], recvcounts[r]);
                }
                recv.writeBack();
            }
            close(arena);
            return Status.empty(MPI.ANY_SOURCE);
        };
        if (all && uniform)
        {
            return exec(call, nonBlocking, () -> ring().allGather(src, dst, sendBytes, DType.U8),
                () -> ring().iallGather(src, dst, sendBytes, DType.U8), direct ? closer(arena) : after);
        }
        if (all)
        {
            return exec(call, nonBlocking, () -> ring().allGatherv(src, dst, elements, offsets, DType.U8),
                () -> ring().iallGatherv(src, dst, elements, offsets, DType.U8), direct ? closer(arena) : after);
        }
        return exec(call, nonBlocking, () -> ring().gatherv(src, dst, elements, offsets, DType.U8, root),
            () -> ring().igatherv(src, dst, elements, offsets, DType.U8, root),
            staged != null ? after : closer(arena));
    }

    private static Request.Finish closer(final Arena arena)
    {
        return x ->
        {
            close(arena);
            return Status.empty(MPI.ANY_SOURCE);
        };
    }

    // ----------------------------------------------------------------------------------------------- scatter

    Request scatter(final String call, final Object sendbuf, final int sendcount, final int[] unused,
        final Datatype sendtype, final Object recvbuf, final int recvcount, final Datatype recvtype, final int root,
        final boolean nonBlocking) throws MPIException
    {
        comm.open(call);
        final int n = comm.p2p.size();
        final int[] counts = new int[n];
        java.util.Arrays.fill(counts, sendcount);
        comm.count(call, sendcount);
        // in place (recvbuf null): the root keeps its block where it is, the others receive into sendbuf
        final boolean inPlace = recvbuf == null;
        final boolean isRoot = comm.p2p.rank() == root;
        return scatterv(call, inPlace && !isRoot ? null : sendbuf, counts, prefix(counts, n), sendtype,
            inPlace && !isRoot ? sendbuf : recvbuf, recvcount, recvtype, root, nonBlocking);
    }

    Request scatterv(final String call, final Object sendbuf, final int[] sendcounts, final int[] displs,
        final Datatype sendtype, final Object recvbuf, final int recvcount, final Datatype recvtype, final int root,
        final boolean nonBlocking) throws MPIException
    {
        comm.open(call);
        root(call, root);
        final int n = comm.p2p.size();
        final int me = comm.p2p.rank();
        final boolean isRoot = me == root;
        final Payload send;
        if (isRoot)
        {
            vector(call, sendcounts, "sendcount");
            vector(call, displs, "displs");
            send = comm.payload(call, sendbuf, 0, sendtype);
            inside(call, send, sendcounts, displs);
        }
        else
        {
            send = null;
        }
        final boolean inPlace = isRoot && recvbuf == null;
        final Payload recv = inPlace ? send : comm.payload(call, recvbuf, recvcount, recvtype);
        final int recvItems = inPlace ? sendcounts[me] : recvcount;
        final long recvFirst = inPlace ? displs[me] : 0;
        final long recvBytes = recvItems * recv.type.size;
        final long[] blockBytes = isRoot ? bytes(sendcounts, send.type.size, n) : new long[n];
        blockBytes[me] = recvBytes;
        final Arena arena = arena(nonBlocking);
        final long[] offsets = new long[n];
        final long src;
        if (isRoot && send.addressable())
        {
            for (int r = 0; r < n; r++)
            {
                offsets[r] = displs[r] * send.type.extent;
            }
            src = send.address(0);
        }
        else if (isRoot)
        {
            final long total = packed(blockBytes, offsets);
            final MemorySegment s = arena.allocate(Math.max(1, total), 64);
            for (int r = 0; r < n; r++)
            {
                send.pack(displs[r], sendcounts[r], s, offsets[r]);
            }
            src = s.address();
        }
        else
        {
            src = 0;
        }
        final MemorySegment landing = recv.addressable() ? null : arena.allocate(Math.max(1, recvBytes), 64);
        final long dst = inPlace ? src + offsets[me] : landing == null ? recv.address(recvFirst) : landing.address();
        final Request.Finish after = x ->
        {
            if (landing != null && !inPlace)
            {
                recv.unpack(landing, 0, recvFirst, recvItems);
                recv.writeBack();
            }
            close(arena);
            return Status.empty(MPI.ANY_SOURCE);
        };
        return exec(call, nonBlocking, () -> ring().scatterv(src, blockBytes, offsets, dst, DType.U8, root),
            () -> ring().iscatterv(src, blockBytes, offsets, dst, DType.U8, root), after);
    }

    // ------------------------------------------------------------------------------------------- all to all

    Request allToAll(final String call, final Object sendbuf, final int[] sendcounts, final int[] sdispls,
        final Datatype sendtype, final Object recvbuf, final int[] recvcounts, final int[] rdispls,
        final Datatype recvtype, final boolean nonBlocking) throws MPIException
    {
        comm.open(call);
        final int n = comm.p2p.size();
        final int[] sc = vector(call, sendcounts, "sendcount");
        final int[] rc = vector(call, recvcounts, "recvcount");
        final int[] sd = sdispls == null ? prefix(sc, n) : vector(call, sdispls, "sdispls");
        final int[] rd = rdispls == null ? prefix(rc, n) : vector(call, rdispls, "rdispls");
        final Payload send = comm.payload(call, sendbuf, 0, sendtype);
        final Payload recv = comm.payload(call, recvbuf, 0, recvtype);
        inside(call, send, sc, sd);
        inside(call, recv, rc, rd);
        final Arena arena = arena(nonBlocking);
        final long[] sb = bytes(sc, send.type.size, n);
        final long[] rb = bytes(rc, recv.type.size, n);
        final long[] so = new long[n];
        final long[] ro = new long[n];
        final long src;
        if (send.addressable())
        {
            for (int r = 0; r < n; r++)
            {
                so[r] = sd[r] * send.type.extent;
            }
            src = send.address(0);
        }
        else
        {
            final long total = packed(sb, so);
            final MemorySegment s = arena.allocate(Math.max(1, total), 64);
            for (int r = 0; r < n; r++)
            {
                send.pack(sd[r], sc[r], s, so[r]);
            }
            src = s.address();
        }
        final MemorySegment landing;
        final long dst;
        if (recv.addressable())
        {
            for (int r = 0; r < n; r++)
            {
                ro[r] = rd[r] * recv.type.extent;
            }
            landing = null;
            dst = recv.address(0);
        }
        else
        {
            final long total = packed(rb, ro);
            landing = arena.allocate(Math.max(1, total), 64);
            dst = landing.address();
        }
        final Request.Finish after = x ->
        {
            if (landing != null)
            {
                for (int r = 0; r < n; r++)
                {
                    recv.unpack(landing, ro[r], rd[r], rc[r]);
                }
                recv.writeBack();
            }
            close(arena);
            return Status.empty(MPI.ANY_SOURCE);
        };
        return exec(call, nonBlocking, () -> ring().allToAllv(src, sb, so, dst, rb, ro, DType.U8),
            () -> ring().iallToAllv(src, sb, so, dst, rb, ro, DType.U8), after);
    }

    /** MPI_Alltoallw: a datatype per peer, displacements in bytes; pairwise messages on a private communicator. */
    void allToAllw(final Object sendbuf, final int[] sendcounts, final int[] sdispls, final Datatype[] sendtypes,
        final Object recvbuf, final int[] recvcounts, final int[] rdispls, final Datatype[] recvtypes)
        throws MPIException
    {
        final String call = "MPI_Alltoallw";
        comm.open(call);
        final int n = comm.p2p.size();
        vector(call, sendcounts, "sendcount");
        vector(call, recvcounts, "recvcount");
        final Communicator x = exchange();
        final Request[] receives = new Request[n];
        final MemorySegment[] landed = new MemorySegment[n];
        final Payload[] into = new Payload[n];
        for (int r = 0; r < n; r++)
        {
            into[r] = byteShifted(call, recvbuf, rdispls[r], recvcounts[r], recvtypes[r]);
            landed[r] = MemorySegment.ofArray(new byte[(int)(recvcounts[r] * recvtypes[r].size)]);
            final int peer = r;
            receives[r] = comm.started(call, () -> x.irecv(landed[peer], peer, 0));
        }
        final Request[] sends = new Request[n];
        for (int r = 0; r < n; r++)
        {
            final MemorySegment m = Comm.message(byteShifted(call, sendbuf, sdispls[r], sendcounts[r], sendtypes[r]),
                sendcounts[r]);
            final int peer = r;
            sends[r] = comm.started(call, () -> x.isend(m, peer, 0));
        }
        Request.waitAll(receives);
        Request.waitAll(sends);
        for (int r = 0; r < n; r++)
        {
            into[r].unpack(landed[r], 0, 0, recvcounts[r]);
            into[r].writeBack();
        }
    }

    /** A view of {@code buf} whose item 0 is at byte {@code displ} (MPI_Alltoallw's byte displacements). */
    private Payload byteShifted(final String call, final Object buf, final int displ, final int count,
        final Datatype type) throws MPIException
    {
        final Payload p = comm.payload(call, buf, 0, type).at(displ);
        comm.checkInside(call, p, 0, count);
        return p;
    }

    private Communicator exchange()
    {
        if (exchange == null)
        {
            exchange = comm.p2p.dup();
        }
        return exchange;
    }

    // ---------------------------------------------------------------------------------------- neighbourhoods

    /** The neighbour lists of a topology: sources (whose data arrives) and destinations, in MPI's order. */
    private int[][] neighbours(final String call) throws MPIException
    {
        if (comm instanceof CartComm c)
        {
            return c.neighbours();
        }
        if (comm instanceof GraphComm g)
        {
            return g.neighbours();
        }
        throw Errors.raise(comm, MPI.ERR_TOPOLOGY, call, "the communicator has no topology (make it with " +
            "createCart or createGraph)");
    }

    void neighbors(final String call, final Object sendbuf, final int sendcount, final int[] unused,
        final Datatype sendtype, final Object recvbuf, final int recvcount, final int[] recvcounts,
        final int[] rdispls, final Datatype recvtype, final boolean gather) throws MPIException
    {
        comm.open(call);
        final int[][] nb = neighbours(call);
        final int[] in = nb[0];
        final int[] out = nb[1];
        final int[] sc = new int[out.length];
        final int[] sd = new int[out.length];
        for (int i = 0; i < out.length; i++)
        {
            sc[i] = sendcount;
            sd[i] = gather ? 0 : i * sendcount;
        }
        final int[] rc = recvcounts != null ? recvcounts : filled(in.length, recvcount);
        final int[] rd = rdispls != null ? rdispls : prefix(rc, in.length);
        exchange(call, sendbuf, sc, sd, sendtype, recvbuf, rc, rd, recvtype, in, out);
    }

    void neighborsV(final Object sendbuf, final int[] sendcounts, final int[] sdispls, final Datatype sendtype,
        final Object recvbuf, final int[] recvcounts, final int[] rdispls, final Datatype recvtype)
        throws MPIException
    {
        final String call = "MPI_Neighbor_alltoallv";
        comm.open(call);
        final int[][] nb = neighbours(call);
        exchange(call, sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, nb[0], nb[1]);
    }

    private static int[] filled(final int n, final int value)
    {
        final int[] a = new int[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    /**
     * Block i of the send side goes to out[i], block i of the receive side comes from in[i]; a tag per position
     * keeps apart two blocks between the same pair (a periodic dimension of size 2).
     */
    private void exchange(final String call, final Object sendbuf, final int[] sc, final int[] sd,
        final Datatype sendtype, final Object recvbuf, final int[] rc, final int[] rd, final Datatype recvtype,
        final int[] in, final int[] out) throws MPIException
    {
        final Payload send = comm.payload(call, sendbuf, 0, sendtype);
        final Payload recv = comm.payload(call, recvbuf, 0, recvtype);
        final Communicator x = exchange();
        final Request[] receives = new Request[in.length];
        final MemorySegment[] landed = new MemorySegment[in.length];
        for (int i = 0; i < in.length; i++)
        {
            comm.checkInside(call, recv, rd[i], rc[i]);
            if (in[i] == MPI.PROC_NULL)
            {
                continue;
            }
            landed[i] = MemorySegment.ofArray(new byte[(int)(rc[i] * recv.type.size)]);
            final int peer = in[i];
            final int tag = tagOf(in, out, i, true);
            final MemorySegment into = landed[i];
            receives[i] = comm.started(call, () -> x.irecv(into, peer, tag));
        }
        final Request[] sends = new Request[out.length];
        for (int i = 0; i < out.length; i++)
        {
            comm.checkInside(call, send, sd[i], sc[i]);
            if (out[i] == MPI.PROC_NULL)
            {
                continue;
            }
            final MemorySegment m = MemorySegment.ofArray(new byte[(int)(sc[i] * send.type.size)]);
            send.pack(sd[i], sc[i], m, 0);
            final int peer = out[i];
            final int tag = tagOf(in, out, i, false);
            sends[i] = comm.started(call, () -> x.isend(m, peer, tag));
        }
        Request.waitAll(receives);
        Request.waitAll(sends);
        for (int i = 0; i < in.length; i++)
        {
            if (landed[i] != null)
            {
                recv.unpack(landed[i], 0, rd[i], rc[i]);
            }
        }
        recv.writeBack();
    }

    /**
     * For a Cartesian topology the block sent to out[i] (the +1 neighbour of dimension i/2 when i is odd) is the
     * one that neighbour receives as its block i^1; the tag names the receiver's position, so both ends agree.
     */
    private int tagOf(final int[] in, final int[] out, final int i, final boolean receiving)
    {
        if (comm instanceof CartComm)
        {
            return receiving ? i : i ^ 1;
        }
        return 0;
    }

    // -------------------------------------------------------------------------------------------- reductions

    /** Ringfold's dtype for a reduction its kernels do: one kind of int/long/float/double, contiguous; else null. */
    private static DType dtype(final Datatype type, final Op op)
    {
        if (op.ringfold() == null || !type.isContiguous())
        {
            return null;
        }
        return switch (type.uniformKind())
        {
            case Datatype.INT -> DType.I32;
            case Datatype.LONG -> DType.I64;
            case Datatype.FLOAT -> op.ringfold().isBitwise() ? null : DType.F32;
            case Datatype.DOUBLE -> op.ringfold().isBitwise() ? null : DType.F64;
            default -> null;
        };
    }

    private void op(final String call, final Op op, final Datatype type) throws MPIException
    {
        final String why = op == null ? "the op is null" : Reduction.unsupported(op, type);
        if (why != null)
        {
            throw Errors.raise(comm, MPI.ERR_OP, call, "rank " + comm.p2p.rank() + ": " + why);
        }
    }

    /**
     * The blocking all-reduce; sendbuf null: in place. Its common case ({@link #allReduceUnstaged}) is a method of its
     * own, small enough for the JIT to compile early and whole, apart from {@link #reduce}'s general path.
     */
    void allReduce(final String call, final Object sendbuf, final Object recvbuf, final int count,
        final Datatype type, final Op op) throws MPIException
    {
        comm.open(call);
        if (!allReduceUnstaged(call, sendbuf == null ? recvbuf : sendbuf, recvbuf, count, type, op))
        {
            reduce(call, ALL, sendbuf, recvbuf, count, type, op, -1, false);
        }
    }

    /** reduce (kind REDUCE), allReduce (ALL), scan, exScan; sendbuf null: in place. */
    Request reduce(final String call, final int kind, final Object sendbuf, final Object recvbuf, final int count,
        final Datatype type, final Op op, final int root, final boolean nonBlocking) throws MPIException
    {
        comm.open(call);
        if (kind == REDUCE)
        {
            root(call, root);
        }
        final boolean receives = kind != REDUCE || comm.p2p.rank() == root;
        final Payload recv = receives || sendbuf == null ? comm.payload(call, recvbuf, count, type) : null;
        final Payload send = sendbuf == null ? recv : comm.payload(call, sendbuf, count, type);
        op(call, op, type);
        if (count == 0)
        {
            return finished(call, nonBlocking);
        }
        final DType dtype = dtype(type, op);
        if (dtype == null)
        {
            generic(call, kind, send, receives ? recv : null, count, type, op, root);
            return finished(call, nonBlocking);
        }
        final ReduceOp rop = op.ringfold();
        final long n = count * type.size / dtype.bytes();
        if (kind == ALL && !nonBlocking && send.isArray() && (!receives || recv.isArray()) &&
            send.buffer.getClass() == recv.buffer.getClass() && arrayKind(send) >= 0)
        {
            final int so = (int)(send.offset / dtype.bytes());
            final int ro = (int)(recv.offset / dtype.bytes());
            return exec(call, false, () ->
            {
                switch (send.buffer)
                {
                    case int[] a -> ring().allReduce(a, so, (int[])recv.buffer, ro, (int)n, rop);
                    case long[] a -> ring().allReduce(a, so, (long[])recv.buffer, ro, (int)n, rop);
                    case float[] a -> ring().allReduce(a, so, (float[])recv.buffer, ro, (int)n, rop);
                    default -> ring().allReduce((double[])send.buffer, so, (double[])recv.buffer, ro, (int)n, rop);
                }
            }, null, null);
        }
        final long bytes = count * type.size;
        // staging only where Ringfold cannot address the user's memory (the common direct-buffer case needs none)
        final boolean staged = !send.addressable() || receives && !recv.addressable();
        final Arena arena = staged ? arena(nonBlocking) : null;
        final long src;
        if (send.addressable())
        {
            src = send.address(0);
        }
        else
        {
            final MemorySegment s = arena.allocate(bytes, 64);
            send.pack(0, count, s, 0);
            src = s.address();
        }
        final MemorySegment landing = receives && !recv.addressable() ? arena.allocate(bytes, 64) : null;
        final long dst = !receives ? src : landing == null ? recv.address(0) : landing.address();
        if (kind == EXSCAN && landing != null)
        {
            recv.pack(0, count, landing, 0);
        }
        final Request.Finish after = !staged ? null : x ->
        {
            if (landing != null)
            {
                recv.unpack(landing, 0, 0, count);
                recv.writeBack();
            }
            close(arena);
            return Status.empty(MPI.ANY_SOURCE);
        };
        return switch (kind)
        {
            case REDUCE -> exec(call, nonBlocking, () -> ring().reduce(src, dst, n, dtype, rop, root),
                () -> ring().ireduce(src, dst, n, dtype, rop, root), after);
            case ALL -> exec(call, nonBlocking, () -> ring().allReduce(src, dst, n, dtype, rop),
                () -> ring().iallReduce(src, dst, n, dtype, rop), after);
            case SCAN -> exec(call, nonBlocking, () -> ring().scan(src, dst, n, dtype, rop),
                () -> ring().iscan(src, dst, n, dtype, rop), after);
            default -> exec(call, nonBlocking, () -> ring().exscan(src, dst, n, dtype, rop),
                () -> ring().iexscan(src, dst, n, dtype, rop), after);
        };
    }

    /**
     * A blocking all-reduce that Ringfold's kernels do, of two direct buffers or two arrays of one of int, long,
     * float, double, straight on the user's memory with nothing allocated (the benchmarks' and most programs' case);
     * false, having checked only what the general path checks first too, where that path must do it. Type tests
     * are instanceof chains rather than pattern switches: no call site to link on the first call, and less for the
     * interpreter and C1 to run before C2 has compiled the method.
     */
    private boolean allReduceUnstaged(final String call, final Object sendbuf, final Object recvbuf,
        final int count, final Datatype type, final Op op) throws MPIException
    {
        comm.count(call, count);
        comm.datatype(call, type);
        if (Contiguous.bytes(recvbuf, count, type, true) < 0 || Contiguous.bytes(sendbuf, count, type, false) < 0)
        {
            return false;
        }
        op(call, op, type);
        final DType dtype = dtype(type, op);
        final boolean direct = sendbuf instanceof java.nio.Buffer && recvbuf instanceof java.nio.Buffer;
        if (dtype == null || !direct && (sendbuf.getClass() != recvbuf.getClass() || dtype != arrayDType(sendbuf)))
        {
            return false;
        }
        if (count > 0)
        {
            try
            {
                unstaged(sendbuf, recvbuf, (int)(count * type.size / dtype.bytes()), dtype, op.ringfold());
            }
            catch (final RuntimeException ex)
            {
                throw Errors.raise(comm, call, ex);
            }
        }
        return true;
    }

    /**
     * The all-reduce of n elements straight on two direct buffers or two arrays of dtype ({@link #allReduceUnstaged}
     * checked them); a method apart so that each of the two stays under C2's inlining size.
     */
    private void unstaged(final Object sendbuf, final Object recvbuf, final int n, final DType dtype,
        final ReduceOp rop)
    {
        if (sendbuf instanceof java.nio.Buffer b)
        {
            ring().allReduce(Contiguous.address(b), Contiguous.address((java.nio.Buffer)recvbuf), n, dtype, rop);
        }
        else if (sendbuf instanceof float[] a)
        {
            ring().allReduce(a, 0, (float[])recvbuf, 0, n, rop);
        }
        else if (sendbuf instanceof double[] a)
        {
            ring().allReduce(a, 0, (double[])recvbuf, 0, n, rop);
        }
        else if (sendbuf instanceof int[] a)
        {
            ring().allReduce(a, 0, (int[])recvbuf, 0, n, rop);
        }
        else
        {
            ring().allReduce((long[])sendbuf, 0, (long[])recvbuf, 0, n, rop);
        }
    }

    /** The element type of an array that Ringfold's array all-reduce takes, else null. */
    private static DType arrayDType(final Object array)
    {
        if (array instanceof float[])
        {
            return DType.F32;
        }
        if (array instanceof double[])
        {
            return DType.F64;
        }
        if (array instanceof int[])
        {
            return DType.I32;
        }
        return array instanceof long[] ? DType.I64 : null;
    }

    /**
     * Every rank's packed operand to every rank (REDUCE: to the root), combined there in rank order:
     * {@code x0 op (x1 op (... op x(k)))}, the order MPI prescribes for non-commutative ops.
     */
    private void generic(final String call, final int kind, final Payload send, final Payload recv, final int count,
        final Datatype type, final Op op, final int root) throws MPIException
    {
        final int n = comm.p2p.size();
        final int me = comm.p2p.rank();
        final long bytes = count * type.size;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mine = arena.allocate(bytes, 64);
            send.pack(0, count, mine, 0);
            final MemorySegment all = arena.allocate(bytes * n, 64);
            exec(call, false, () ->
            {
                if (kind == REDUCE)
                {
                    ring().gather(mine.address(), all.address(), bytes, DType.U8, root);
                }
                else
                {
                    ring().allGather(mine.address(), all.address(), bytes, DType.U8);
                }
            }, null, null);
            if (recv == null)
            {
                return;
            }
            final int last = kind == SCAN ? me : kind == EXSCAN ? me - 1 : n - 1;
            if (last < 0)
            {
                return; // exScan on rank 0: its receive buffer is left as it was
            }
            final MemorySegment acc = arena.allocate(bytes, 64);
            MemorySegment.copy(all, last * bytes, acc, 0, bytes);
            for (int r = last - 1; r >= 0; r--)
            {
                Reduction.combine(op, type, all.asSlice(r * bytes, bytes), acc, count);
            }
            recv.unpack(acc, 0, 0, count);
            recv.writeBack();
        }
    }

    /** reduceScatter and reduceScatterBlock: the all-reduced vector, of which each rank keeps its block. */
    Request reduceScatter(final String call, final Object sendbuf, final Object recvbuf, final int[] recvcounts,
        final Datatype type, final Op op, final boolean nonBlocking) throws MPIException
    {
        comm.open(call);
        final int n = comm.p2p.size();
        final int me = comm.p2p.rank();
        final int[] counts = vector(call, recvcounts, "recvcounts");
        final int[] first = prefix(counts, n);
        final int total = first[n - 1] + counts[n - 1];
        final Payload send = comm.payload(call, sendbuf == null ? recvbuf : sendbuf, total, type);
        final Payload recv = comm.payload(call, recvbuf, counts[me], type);
        op(call, op, type);
        // the operands packed, reduced as the type's elements back to back, then this rank's block unpacked
        final byte[] input = new byte[(int)(total * type.size)];
        send.pack(0, total, MemorySegment.ofArray(input), 0);
        final byte[] whole = new byte[input.length];
        allReduce(call, input, whole, total, type.packedView(), op);
        recv.unpack(MemorySegment.ofArray(whole), first[me] * type.size, 0, counts[me]);
        recv.writeBack();
        return finished(call, nonBlocking);
    }

    void reduceLocal(final Object inbuf, final Object inoutbuf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        final String call = "MPI_Reduce_local";
        final Payload in = comm.payload(call, inbuf, count, type);
        final Payload io = comm.payload(call, inoutbuf, count, type);
        op(call, op, type);
        final long bytes = count * type.size;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment a = arena.allocate(Math.max(1, bytes), 64);
            final MemorySegment b = arena.allocate(Math.max(1, bytes), 64);
            in.pack(0, count, a, 0);
            io.pack(0, count, b, 0);
            Reduction.combine(op, type, a, b, count);
            io.unpack(b, 0, 0, count);
            io.writeBack();
        }
    }
}
