package mpi;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.Buffer;
import java.util.Map;

/**
 * A communicator of Open MPI's Java API over a Ringfold {@link Communicator}: point-to-point (messages are the
 * datatype's basic elements back to back; a contiguous type goes to the transport straight from the user's array
 * or direct buffer) and, as in Open MPI 4.1's API, every collective ({@link CollectiveCalls}).
 */
public class Comm implements Freeable, Cloneable
{
    /** MPI_COMM_TYPE_SHARED for {@link Intracomm#splitType}: the ranks of one node. */
    public static final int TYPE_SHARED = 0;

    Communicator p2p;
    String name;
    Errhandler errhandler = MPI.ERRORS_ARE_FATAL;
    private Map<Integer, Object> attributes;
    private Info info;
    private Request dupRequest;
    private Payload lastView;
    final Contiguous contiguous = new Contiguous();
    final CollectiveCalls collectives = new CollectiveCalls(this);

    Comm(final Communicator p2p, final String name)
    {
        this.p2p = p2p;
        this.name = name;
    }

    /** MPI.Init: the predefined communicators get their Ringfold communicator. */
    final void bind(final Communicator communicator)
    {
        this.p2p = communicator;
    }

    /** A communicator derived from this one (dup, split ...): it inherits the error handler, as MPI says. */
    final <C extends Comm> C derived(final C child)
    {
        child.errhandler = errhandler;
        return child;
    }

    Comm make(final Communicator communicator)
    {
        return new Comm(communicator, "");
    }

    @Override
    public Comm clone()
    {
        try
        {
            return dup();
        }
        catch (final MPIException ex)
        {
            throw new RuntimeException(ex.getMessage());
        }
    }

    public Comm dup() throws MPIException
    {
        open("MPI_Comm_dup");
        return derived(make(p2p.dup()));
    }

    public Comm iDup() throws MPIException
    {
        final Comm c = dup();
        c.dupRequest = Request.done(c, "MPI_Comm_idup", Status.empty(MPI.ANY_SOURCE));
        return c;
    }

    public Comm dupWithInfo(final Info info) throws MPIException
    {
        final Comm c = dup();
        c.info = info == null ? null : info.dup();
        return c;
    }

    public final Request getRequest()
    {
        return dupRequest;
    }

    public final int getSize() throws MPIException
    {
        open("MPI_Comm_size");
        return p2p.size();
    }

    public final int getRank() throws MPIException
    {
        open("MPI_Comm_rank");
        return p2p.rank();
    }

    public static int compare(final Comm comm1, final Comm comm2) throws MPIException
    {
        MPI.check();
        if (comm1 == comm2)
        {
            return MPI.IDENT;
        }
        final int groups = Group.compare(comm1.getGroup(), comm2.getGroup());
        return groups == MPI.IDENT ? MPI.CONGRUENT : groups;
    }

    public final void free() throws MPIException
    {
        open("MPI_Comm_free");
        if (this == MPI.COMM_WORLD || this == MPI.COMM_SELF)
        {
            throw Errors.raise(this, MPI.ERR_COMM, "MPI_Comm_free", "cannot free " + name);
        }
        p2p.close();
        p2p = null;
    }

    public final boolean isNull()
    {
        return p2p == null;
    }

    public final void setInfo(final Info info) throws MPIException
    {
        open("MPI_Comm_set_info");
        this.info = info == null ? null : info.dup();
    }

    public final Info getInfo() throws MPIException
    {
        open("MPI_Comm_get_info");
        return info == null ? new Info() : info.dup();
    }

    /** As free(), waiting for nothing: Ringfold's operations complete by themselves. */
    public final void disconnect() throws MPIException
    {
        free();
    }

    public final Group getGroup() throws MPIException
    {
        open("MPI_Comm_group");
        return Group.of(p2p);
    }

    public final boolean isInter() throws MPIException
    {
        open("MPI_Comm_test_inter");
        return this instanceof Intercomm;
    }

    /** MPI_Intercomm_create over this (the peer) communicator; see {@link Intercomm} for what it carries. */
    public final Intercomm createIntercomm(final Comm localComm, final int localLeader, final int remoteLeader,
        final int tag) throws MPIException
    {
        open("MPI_Intercomm_create");
        return Intercomm.create(this, localComm, localLeader, remoteLeader, tag);
    }

    // ----------------------------------------------------------------------------------------- point to point

    public final void send(final Object buf, final int count, final Datatype type, final int dest, final int tag)
        throws MPIException
    {
        final long bytes = contiguous("MPI_Send", buf, count, type, false);
        if (bytes >= 0)
        {
            rank("MPI_Send", dest, "dest", false);
            tag("MPI_Send", tag, false);
            if (dest != MPI.PROC_NULL)
            {
                try
                {
                    contiguous.send(p2p, buf, bytes, dest, tag);
                }
                catch (final RuntimeException ex)
                {
                    throw Errors.raise(this, "MPI_Send", ex);
                }
            }
            return;
        }
        final Payload p = sendArgs("MPI_Send", buf, count, type, dest, tag);
        if (dest == MPI.PROC_NULL)
        {
            return;
        }
        try
        {
            p2p.send(message(p, count), dest, tag);
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, "MPI_Send", ex);
        }
    }

    public final Status recv(final Object buf, final int count, final Datatype type, final int source, final int tag)
        throws MPIException
    {
        final long bytes = contiguous("MPI_Recv", buf, count, type, true);
        if (bytes >= 0)
        {
            source("MPI_Recv", source);
            tag("MPI_Recv", tag, true);
            if (source == MPI.PROC_NULL)
            {
                return Status.empty(MPI.PROC_NULL);
            }
            try
            {
                final dev.ringfold.mpi.Status s = contiguous.recv(p2p, buf, bytes, source, tag);
                return new Status(s.source(), s.tag(), s.count());
            }
            catch (final RuntimeException ex)
            {
                throw Errors.raise(this, "MPI_Recv", ex);
            }
        }
        final Payload p = recvArgs("MPI_Recv", buf, count, type, source, tag);
        if (source == MPI.PROC_NULL)
        {
            return Status.empty(MPI.PROC_NULL);
        }
        try
        {
            if (p.inPlace())
            {
                final dev.ringfold.mpi.Status s = p2p.recv(p.items(0, count), source, tag);
                return new Status(s.source(), s.tag(), s.count());
            }
            final MemorySegment packed = MemorySegment.ofArray(new byte[(int)((long)count * type.size)]);
            final dev.ringfold.mpi.Status s = p2p.recv(packed, source, tag);
            return delivered(p, packed, s.source(), s.tag(), s.count());
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, "MPI_Recv", ex);
        }
    }

    public final Status sendRecv(final Object sendbuf, final int sendcount, final Datatype sendtype, final int dest,
        final int sendtag, final Object recvbuf, final int recvcount, final Datatype recvtype, final int source,
        final int recvtag) throws MPIException
    {
        final Payload out = sendArgs("MPI_Sendrecv", sendbuf, sendcount, sendtype, dest, sendtag);
        final Payload in = recvArgs("MPI_Sendrecv", recvbuf, recvcount, recvtype, source, recvtag);
        final Request r = receive("MPI_Sendrecv", in, recvcount, source, recvtag);
        send(sendbuf, sendcount, sendtype, dest, sendtag);
        return r.waitStatus();
    }

    /** The message is sent from a copy, since the receive may overwrite the buffer before the send has read it. */
    public final Status sendRecvReplace(final Object buf, final int count, final Datatype type, final int dest,
        final int sendtag, final int source, final int recvtag) throws MPIException
    {
        final Payload p = sendArgs("MPI_Sendrecv_replace", buf, count, type, dest, sendtag);
        recvArgs("MPI_Sendrecv_replace", buf, count, type, source, recvtag);
        final byte[] copy = new byte[(int)((long)count * type.size)];
        p.pack(0, count, MemorySegment.ofArray(copy), 0);
        final Request sent = dest == MPI.PROC_NULL ? null : started("MPI_Sendrecv_replace",
            () -> p2p.isend(MemorySegment.ofArray(copy), dest, sendtag));
        final Status status = recv(buf, count, type, source, recvtag);
        if (sent != null)
        {
            sent.waitFor();
        }
        return status;
    }

    /** Buffered: the message is copied against the attached buffer's space and the call returns at once. */
    public final void bSend(final Object buf, final int count, final Datatype type, final int dest, final int tag)
        throws MPIException
    {
        final Payload p = sendArgs("MPI_Bsend", buf, count, type, dest, tag);
        if (dest != MPI.PROC_NULL)
        {
            BufferedSends.send(this, p, count, dest, tag);
        }
    }

    /** Synchronous: returns once the receiver has matched the message (Ringfold's rendezvous mode). */
    public final void sSend(final Object buf, final int count, final Datatype type, final int dest, final int tag)
        throws MPIException
    {
        final Payload p = sendArgs("MPI_Ssend", buf, count, type, dest, tag);
        if (dest == MPI.PROC_NULL)
        {
            return;
        }
        try
        {
            p2p.ssend(message(p, count), dest, tag);
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, "MPI_Ssend", ex);
        }
    }

    /** Ready mode is a standard send: always correct, as MPI allows. */
    public final void rSend(final Object buf, final int count, final Datatype type, final int dest, final int tag)
        throws MPIException
    {
        send(buf, count, type, dest, tag);
    }

    public final Request iSend(final Buffer buf, final int count, final Datatype type, final int dest, final int tag)
        throws MPIException
    {
        return isend("MPI_Isend", buf, count, type, dest, tag, false);
    }

    public final Request ibSend(final Buffer buf, final int count, final Datatype type, final int dest,
        final int tag) throws MPIException
    {
        direct(buf);
        final Payload p = sendArgs("MPI_Ibsend", buf, count, type, dest, tag);
        if (dest != MPI.PROC_NULL)
        {
            BufferedSends.send(this, p, count, dest, tag);
        }
        return Request.done(this, "MPI_Ibsend", Status.empty(MPI.ANY_SOURCE));
    }

    public final Request isSend(final Buffer buf, final int count, final Datatype type, final int dest,
        final int tag) throws MPIException
    {
        return isend("MPI_Issend", buf, count, type, dest, tag, true);
    }

    public final Request irSend(final Buffer buf, final int count, final Datatype type, final int dest,
        final int tag) throws MPIException
    {
        return isend("MPI_Irsend", buf, count, type, dest, tag, false);
    }

    public final Request iRecv(final Buffer buf, final int count, final Datatype type, final int source,
        final int tag) throws MPIException
    {
        direct(buf);
        final long bytes = contiguous("MPI_Irecv", buf, count, type, true);
        if (bytes >= 0)
        {
            source("MPI_Irecv", source);
            tag("MPI_Irecv", tag, true);
            if (source != MPI.PROC_NULL)
            {
                try
                {
                    return Request.of(this, "MPI_Irecv", contiguous.irecv(p2p, buf, bytes, source, tag), null);
                }
                catch (final RuntimeException ex)
                {
                    throw Errors.raise(this, "MPI_Irecv", ex);
                }
            }
        }
        final Payload p = recvArgs("MPI_Irecv", buf, count, type, source, tag);
        return receive("MPI_Irecv", p, count, source, tag);
    }

    public final Prequest sendInit(final Buffer buf, final int count, final Datatype type, final int dest,
        final int tag) throws MPIException
    {
        return persistentSend("MPI_Send_init", buf, count, type, dest, tag, false);
    }

    public final Prequest bSendInit(final Buffer buf, final int count, final Datatype type, final int dest,
        final int tag) throws MPIException
    {
        direct(buf);
        sendArgs("MPI_Bsend_init", buf, count, type, dest, tag);
        return new Prequest(this, "MPI_Bsend_init", into ->
        {
            final Payload p = sendArgs("MPI_Start", buf, count, type, dest, tag);
            if (dest != MPI.PROC_NULL)
            {
                BufferedSends.send(this, p, count, dest, tag);
            }
            into.completeWith(this, into.call, Status.empty(MPI.ANY_SOURCE));
        });
    }

    public final Prequest sSendInit(final Buffer buf, final int count, final Datatype type, final int dest,
        final int tag) throws MPIException
    {
        return persistentSend("MPI_Ssend_init", buf, count, type, dest, tag, true);
    }

    public final Prequest rSendInit(final Buffer buf, final int count, final Datatype type, final int dest,
        final int tag) throws MPIException
    {
        return persistentSend("MPI_Rsend_init", buf, count, type, dest, tag, false);
    }

    public final Prequest recvInit(final Buffer buf, final int count, final Datatype type, final int source,
        final int tag) throws MPIException
    {
        direct(buf);
        recvArgs("MPI_Recv_init", buf, count, type, source, tag);
        return new Prequest(this, "MPI_Recv_init", into ->
        {
            final Request r = receive("MPI_Start", recvArgs("MPI_Start", buf, count, type, source, tag), count,
                source, tag);
            into.takeOver("MPI_Recv", r);
        });
    }

    /** MPI_Pack: count items into {@code outbuf} from {@code position}; returns the position after them. */
    public final int pack(final Object inbuf, final int incount, final Datatype type, final byte[] outbuf,
        final int position) throws MPIException
    {
        open("MPI_Pack");
        final Payload p = payload("MPI_Pack", inbuf, incount, type);
        final long bytes = (long)incount * type.size;
        if (position < 0 || position + bytes > outbuf.length)
        {
            throw Errors.raise(this, MPI.ERR_TRUNCATE, "MPI_Pack", bytes + " bytes from position " + position +
                " do not fit the " + outbuf.length + "-byte output buffer");
        }
        p.pack(0, incount, MemorySegment.ofArray(outbuf), position);
        return (int)(position + bytes);
    }

    /** MPI_Unpack: count items from {@code inbuf} at {@code position}; returns the position after them. */
    public final int unpack(final byte[] inbuf, final int position, final Object outbuf, final int outcount,
        final Datatype type) throws MPIException
    {
        open("MPI_Unpack");
        final Payload p = payload("MPI_Unpack", outbuf, outcount, type);
        final long bytes = (long)outcount * type.size;
        if (position < 0 || position + bytes > inbuf.length)
        {
            throw Errors.raise(this, MPI.ERR_TRUNCATE, "MPI_Unpack", bytes + " bytes from position " + position +
                " are past the end of the " + inbuf.length + "-byte input buffer");
        }
        p.unpack(MemorySegment.ofArray(inbuf), position, 0, outcount);
        p.writeBack();
        return (int)(position + bytes);
    }

    public final int packSize(final int incount, final Datatype type) throws MPIException
    {
        open("MPI_Pack_size");
        count("MPI_Pack_size", incount);
        datatype("MPI_Pack_size", type);
        return incount * (int)type.size;
    }

    /** The status of a matching message if one has arrived, else null. */
    public final Status iProbe(final int source, final int tag) throws MPIException
    {
        open("MPI_Iprobe");
        source("MPI_Iprobe", source);
        tag("MPI_Iprobe", tag, true);
        if (source == MPI.PROC_NULL)
        {
            return Status.empty(MPI.PROC_NULL);
        }
        try
        {
            final dev.ringfold.mpi.Status s = p2p.iprobe(source, tag);
            return s == null ? null : new Status(s.source(), s.tag(), s.count());
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, "MPI_Iprobe", ex);
        }
    }

    public final Status probe(final int source, final int tag) throws MPIException
    {
        open("MPI_Probe");
        source("MPI_Probe", source);
        tag("MPI_Probe", tag, true);
        if (source == MPI.PROC_NULL)
        {
            return Status.empty(MPI.PROC_NULL);
        }
        try
        {
            final dev.ringfold.mpi.Status s = p2p.probe(source, tag);
            return new Status(s.source(), s.tag(), s.count());
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, "MPI_Probe", ex);
        }
    }

    // ------------------------------------------------------------------------------------- attributes & misc

    public static int createKeyval() throws MPIException
    {
        MPI.check();
        return Attributes.createKeyval();
    }

    public static void freeKeyval(final int keyval) throws MPIException
    {
        MPI.check();
        Attributes.freeKeyval(keyval);
    }

    public final void setAttr(final int keyval, final Object value) throws MPIException
    {
        open("MPI_Comm_set_attr");
        attributes = Attributes.set(attributes, keyval, value);
    }

    /** The predefined attributes (TAG_UB, HOST, IO, WTIME_IS_GLOBAL ...) as Open MPI gives them, else the cached. */
    public final Object getAttr(final int keyval) throws MPIException
    {
        open("MPI_Comm_get_attr");
        return switch (keyval)
        {
            case MPI.TAG_UB -> Integer.MAX_VALUE;
            case MPI.HOST -> MPI.PROC_NULL;
            case MPI.IO -> MPI.ANY_SOURCE;
            case MPI.WTIME_IS_GLOBAL -> 0;
            case MPI.APPNUM -> 0;
            case MPI.UNIVERSE_SIZE -> MPI.COMM_WORLD.p2p.size();
            case MPI.LASTUSEDCODE -> MPI.ERR_LASTCODE;
            default -> Attributes.get(attributes, keyval);
        };
    }

    public final void deleteAttr(final int keyval) throws MPIException
    {
        open("MPI_Comm_delete_attr");
        Attributes.delete(attributes, keyval);
    }

    public final int getTopology() throws MPIException
    {
        open("MPI_Topo_test");
        return this instanceof CartComm ? MPI.CART : this instanceof GraphComm g ?
            (g.isDistributed() ? MPI.DIST_GRAPH : MPI.GRAPH) : MPI.UNDEFINED;
    }

    /** Ends the whole job with this exit code (the launcher stops every rank). */
    public final void abort(final int errorcode) throws MPIException
    {
        open("MPI_Abort");
        System.err.println("MPI_ABORT was invoked on rank " + p2p.rank() + " in communicator " + name +
            " with errorcode " + errorcode);
        System.err.flush();
        System.out.flush();
        System.exit(errorcode == 0 ? 1 : errorcode);
    }

    public final void setErrhandler(final Errhandler errhandler) throws MPIException
    {
        open("MPI_Comm_set_errhandler");
        this.errhandler = errhandler;
    }

    public final Errhandler getErrhandler() throws MPIException
    {
        open("MPI_Comm_get_errhandler");
        return errhandler;
    }

    public void callErrhandler(final int errorCode) throws MPIException
    {
        open("MPI_Comm_call_errhandler");
        throw Errors.raise(this, errorCode, "MPI_Comm_call_errhandler", "called by the program");
    }

    public final void setName(final String name) throws MPIException
    {
        open("MPI_Comm_set_name");
        this.name = name;
    }

    public final String getName() throws MPIException
    {
        open("MPI_Comm_get_name");
        return name;
    }

    // ------------------------------------------------------------------------------------------- collectives

    public final void barrier() throws MPIException
    {
        collectives.barrier();
    }

    public final Request iBarrier() throws MPIException
    {
        return collectives.iBarrier();
    }

    public final void bcast(final Object buf, final int count, final Datatype type, final int root)
        throws MPIException
    {
        collectives.bcast("MPI_Bcast", buf, count, type, root, false);
    }

    public final Request iBcast(final Buffer buf, final int count, final Datatype type, final int root)
        throws MPIException
    {
        direct(buf);
        return collectives.bcast("MPI_Ibcast", buf, count, type, root, true);
    }

    public final void gather(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvcount, final Datatype recvtype, final int root) throws MPIException
    {
        collectives.gather("MPI_Gather", sendbuf, sendcount, sendtype, recvbuf, recvcount, null, recvtype, root,
            false);
    }

    public final void gather(final Object buf, final int count, final Datatype type, final int root)
        throws MPIException
    {
        collectives.gather("MPI_Gather", null, count, type, buf, count, null, type, root, false);
    }

    public final Request iGather(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int recvcount, final Datatype recvtype, final int root) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.gather("MPI_Igather", sendbuf, sendcount, sendtype, recvbuf, recvcount, null, recvtype,
            root, true);
    }

    public final Request iGather(final Buffer buf, final int count, final Datatype type, final int root)
        throws MPIException
    {
        direct(buf);
        return collectives.gather("MPI_Igather", null, count, type, buf, count, null, type, root, true);
    }

    public final void gatherv(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int[] recvcount, final int[] displs, final Datatype recvtype, final int root)
        throws MPIException
    {
        collectives.gatherv("MPI_Gatherv", sendbuf, sendcount, sendtype, recvbuf, recvcount, displs, recvtype, root,
            false);
    }

    /** In place, at the root: its own block is already where it belongs. */
    public final void gatherv(final Object recvbuf, final int[] recvcount, final int[] displs,
        final Datatype recvtype, final int root) throws MPIException
    {
        collectives.gatherv("MPI_Gatherv", null, 0, recvtype, recvbuf, recvcount, displs, recvtype, root, false);
    }

    /** In place, on the other ranks: only their contribution. */
    public final void gatherv(final Object sendbuf, final int sendcount, final Datatype sendtype, final int root)
        throws MPIException
    {
        collectives.gatherv("MPI_Gatherv", sendbuf, sendcount, sendtype, null, null, null, sendtype, root, false);
    }

    public final Request iGatherv(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int[] recvcount, final int[] displs, final Datatype recvtype, final int root)
        throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.gatherv("MPI_Igatherv", sendbuf, sendcount, sendtype, recvbuf, recvcount, displs,
            recvtype, root, true);
    }

    public final Request iGatherv(final Buffer recvbuf, final int[] recvcount, final int[] displs,
        final Datatype recvtype, final int root) throws MPIException
    {
        direct(recvbuf);
        return collectives.gatherv("MPI_Igatherv", null, 0, recvtype, recvbuf, recvcount, displs, recvtype, root,
            true);
    }

    public final Request iGatherv(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final int root) throws MPIException
    {
        direct(sendbuf);
        return collectives.gatherv("MPI_Igatherv", sendbuf, sendcount, sendtype, null, null, null, sendtype, root,
            true);
    }

    public final void scatter(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvcount, final Datatype recvtype, final int root) throws MPIException
    {
        collectives.scatter("MPI_Scatter", sendbuf, sendcount, null, sendtype, recvbuf, recvcount, recvtype, root,
            false);
    }

    public final void scatter(final Object buf, final int count, final Datatype type, final int root)
        throws MPIException
    {
        collectives.scatter("MPI_Scatter", buf, count, null, type, null, count, type, root, false);
    }

    public final Request iScatter(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int recvcount, final Datatype recvtype, final int root) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.scatter("MPI_Iscatter", sendbuf, sendcount, null, sendtype, recvbuf, recvcount, recvtype,
            root, true);
    }

    public final Request iScatter(final Buffer buf, final int count, final Datatype type, final int root)
        throws MPIException
    {
        direct(buf);
        return collectives.scatter("MPI_Iscatter", buf, count, null, type, null, count, type, root, true);
    }

    public final void scatterv(final Object sendbuf, final int[] sendcount, final int[] displs,
        final Datatype sendtype, final Object recvbuf, final int recvcount, final Datatype recvtype, final int root)
        throws MPIException
    {
        collectives.scatterv("MPI_Scatterv", sendbuf, sendcount, displs, sendtype, recvbuf, recvcount, recvtype,
            root, false);
    }

    /** In place, at the root. */
    public final void scatterv(final Object sendbuf, final int[] sendcount, final int[] displs,
        final Datatype sendtype, final int root) throws MPIException
    {
        collectives.scatterv("MPI_Scatterv", sendbuf, sendcount, displs, sendtype, null, 0, sendtype, root, false);
    }

    /** In place, on the other ranks. */
    public final void scatterv(final Object recvbuf, final int recvcount, final Datatype recvtype, final int root)
        throws MPIException
    {
        collectives.scatterv("MPI_Scatterv", null, null, null, recvtype, recvbuf, recvcount, recvtype, root, false);
    }

    public final Request iScatterv(final Buffer sendbuf, final int[] sendcount, final int[] displs,
        final Datatype sendtype, final Buffer recvbuf, final int recvcount, final Datatype recvtype, final int root)
        throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.scatterv("MPI_Iscatterv", sendbuf, sendcount, displs, sendtype, recvbuf, recvcount,
            recvtype, root, true);
    }

    public final Request iScatterv(final Buffer sendbuf, final int[] sendcount, final int[] displs,
        final Datatype sendtype, final int root) throws MPIException
    {
        direct(sendbuf);
        return collectives.scatterv("MPI_Iscatterv", sendbuf, sendcount, displs, sendtype, null, 0, sendtype, root,
            true);
    }

    public final Request iScatterv(final Buffer recvbuf, final int recvcount, final Datatype recvtype,
        final int root) throws MPIException
    {
        direct(recvbuf);
        return collectives.scatterv("MPI_Iscatterv", null, null, null, recvtype, recvbuf, recvcount, recvtype, root,
            true);
    }

    public final void allGather(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvcount, final Datatype recvtype) throws MPIException
    {
        collectives.gather("MPI_Allgather", sendbuf, sendcount, sendtype, recvbuf, recvcount, null, recvtype, -1,
            false);
    }

    public final void allGather(final Object buf, final int count, final Datatype type) throws MPIException
    {
        collectives.gather("MPI_Allgather", null, count, type, buf, count, null, type, -1, false);
    }

    public final Request iAllGather(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int recvcount, final Datatype recvtype) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.gather("MPI_Iallgather", sendbuf, sendcount, sendtype, recvbuf, recvcount, null,
            recvtype, -1, true);
    }

    public final Request iAllGather(final Buffer buf, final int count, final Datatype type) throws MPIException
    {
        direct(buf);
        return collectives.gather("MPI_Iallgather", null, count, type, buf, count, null, type, -1, true);
    }

    public final void allGatherv(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int[] recvcount, final int[] displs, final Datatype recvtype)
        throws MPIException
    {
        collectives.gatherv("MPI_Allgatherv", sendbuf, sendcount, sendtype, recvbuf, recvcount, displs, recvtype,
            -1, false);
    }

    public final void allGatherv(final Object recvbuf, final int[] recvcount, final int[] displs,
        final Datatype recvtype) throws MPIException
    {
        collectives.gatherv("MPI_Allgatherv", null, 0, recvtype, recvbuf, recvcount, displs, recvtype, -1, false);
    }

    public final Request iAllGatherv(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int[] recvcount, final int[] displs, final Datatype recvtype)
        throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.gatherv("MPI_Iallgatherv", sendbuf, sendcount, sendtype, recvbuf, recvcount, displs,
            recvtype, -1, true);
    }

    public final Request iAllGatherv(final Buffer buf, final int[] count, final int[] displs, final Datatype type)
        throws MPIException
    {
        direct(buf);
        return collectives.gatherv("MPI_Iallgatherv", null, 0, type, buf, count, displs, type, -1, true);
    }

    public final void allToAll(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvcount, final Datatype recvtype) throws MPIException
    {
        collectives.allToAll("MPI_Alltoall", sendbuf, uniform(sendcount), null, sendtype, recvbuf,
            uniform(recvcount), null, recvtype, false);
    }

    public final Request iAllToAll(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int recvcount, final Datatype recvtype) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.allToAll("MPI_Ialltoall", sendbuf, uniform(sendcount), null, sendtype, recvbuf,
            uniform(recvcount), null, recvtype, true);
    }

    public final void allToAllv(final Object sendbuf, final int[] sendcount, final int[] sdispls,
        final Datatype sendtype, final Object recvbuf, final int[] recvcount, final int[] rdispls,
        final Datatype recvtype) throws MPIException
    {
        collectives.allToAll("MPI_Alltoallv", sendbuf, sendcount, sdispls, sendtype, recvbuf, recvcount, rdispls,
            recvtype, false);
    }

    public final Request iAllToAllv(final Buffer sendbuf, final int[] sendcount, final int[] sdispls,
        final Datatype sendtype, final Buffer recvbuf, final int[] recvcount, final int[] rdispls,
        final Datatype recvtype) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.allToAll("MPI_Ialltoallv", sendbuf, sendcount, sdispls, sendtype, recvbuf, recvcount,
            rdispls, recvtype, true);
    }

    /** Per-peer datatypes, displacements in bytes (MPI_Alltoallw): a pairwise exchange of messages. */
    public final void allToAllw(final Buffer sendbuf, final int[] sendcount, final int[] sdispls,
        final Datatype[] sendtypes, final Buffer recvbuf, final int[] recvcount, final int[] rdispls,
        final Datatype[] recvtypes) throws MPIException
    {
        direct(sendbuf, recvbuf);
        collectives.allToAllw(sendbuf, sendcount, sdispls, sendtypes, recvbuf, recvcount, rdispls, recvtypes);
    }

    public final Request iAllToAllw(final Buffer sendbuf, final int[] sendcount, final int[] sdispls,
        final Datatype[] sendtypes, final Buffer recvbuf, final int[] recvcount, final int[] rdispls,
        final Datatype[] recvtypes) throws MPIException
    {
        allToAllw(sendbuf, sendcount, sdispls, sendtypes, recvbuf, recvcount, rdispls, recvtypes);
        return Request.done(this, "MPI_Ialltoallw", Status.empty(MPI.ANY_SOURCE));
    }

    public final void neighborAllGather(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvcount, final Datatype recvtype) throws MPIException
    {
        collectives.neighbors("MPI_Neighbor_allgather", sendbuf, sendcount, null, sendtype, recvbuf, recvcount,
            null, null, recvtype, true);
    }

    public final Request iNeighborAllGather(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int recvcount, final Datatype recvtype) throws MPIException
    {
        direct(sendbuf, recvbuf);
        neighborAllGather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype);
        return Request.done(this, "MPI_Ineighbor_allgather", Status.empty(MPI.ANY_SOURCE));
    }

    public final void neighborAllGatherv(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int[] recvcount, final int[] displs, final Datatype recvtype)
        throws MPIException
    {
        collectives.neighbors("MPI_Neighbor_allgatherv", sendbuf, sendcount, null, sendtype, recvbuf, 0,
            recvcount, displs, recvtype, true);
    }

    public final Request iNeighborAllGatherv(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int[] recvcount, final int[] displs, final Datatype recvtype)
        throws MPIException
    {
        direct(sendbuf, recvbuf);
        neighborAllGatherv(sendbuf, sendcount, sendtype, recvbuf, recvcount, displs, recvtype);
        return Request.done(this, "MPI_Ineighbor_allgatherv", Status.empty(MPI.ANY_SOURCE));
    }

    public final void neighborAllToAll(final Object sendbuf, final int sendcount, final Datatype sendtype,
        final Object recvbuf, final int recvcount, final Datatype recvtype) throws MPIException
    {
        collectives.neighbors("MPI_Neighbor_alltoall", sendbuf, sendcount, null, sendtype, recvbuf, recvcount,
            null, null, recvtype, false);
    }

    public final Request iNeighborAllToAll(final Buffer sendbuf, final int sendcount, final Datatype sendtype,
        final Buffer recvbuf, final int recvcount, final Datatype recvtype) throws MPIException
    {
        direct(sendbuf, recvbuf);
        neighborAllToAll(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype);
        return Request.done(this, "MPI_Ineighbor_alltoall", Status.empty(MPI.ANY_SOURCE));
    }

    public final void neighborAllToAllv(final Object sendbuf, final int[] sendcount, final int[] sdispls,
        final Datatype sendtype, final Object recvbuf, final int[] recvcount, final int[] rdispls,
        final Datatype recvtype) throws MPIException
    {
        collectives.neighborsV(sendbuf, sendcount, sdispls, sendtype, recvbuf, recvcount, rdispls, recvtype);
    }

    public final Request iNeighborAllToAllv(final Buffer sendbuf, final int[] sendcount, final int[] sdispls,
        final Datatype sendtype, final Buffer recvbuf, final int[] recvcount, final int[] rdispls,
        final Datatype recvtype) throws MPIException
    {
        direct(sendbuf, recvbuf);
        neighborAllToAllv(sendbuf, sendcount, sdispls, sendtype, recvbuf, recvcount, rdispls, recvtype);
        return Request.done(this, "MPI_Ineighbor_alltoallv", Status.empty(MPI.ANY_SOURCE));
    }

    public final void reduce(final Object sendbuf, final Object recvbuf, final int count, final Datatype type,
        final Op op, final int root) throws MPIException
    {
        collectives.reduce("MPI_Reduce", CollectiveCalls.REDUCE, sendbuf, recvbuf, count, type, op, root, false);
    }

    public final void reduce(final Object buf, final int count, final Datatype type, final Op op, final int root)
        throws MPIException
    {
        collectives.reduce("MPI_Reduce", CollectiveCalls.REDUCE, null, buf, count, type, op, root, false);
    }

    public final Request iReduce(final Buffer sendbuf, final Buffer recvbuf, final int count, final Datatype type,
        final Op op, final int root) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.reduce("MPI_Ireduce", CollectiveCalls.REDUCE, sendbuf, recvbuf, count, type, op, root,
            true);
    }

    public final Request iReduce(final Buffer buf, final int count, final Datatype type, final Op op,
        final int root) throws MPIException
    {
        direct(buf);
        return collectives.reduce("MPI_Ireduce", CollectiveCalls.REDUCE, null, buf, count, type, op, root, true);
    }

    public final void allReduce(final Object sendbuf, final Object recvbuf, final int count, final Datatype type,
        final Op op) throws MPIException
    {
        collectives.allReduce("MPI_Allreduce", sendbuf, recvbuf, count, type, op);
    }

    public final void allReduce(final Object buf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        collectives.allReduce("MPI_Allreduce", null, buf, count, type, op);
    }

    public final Request iAllReduce(final Buffer sendbuf, final Buffer recvbuf, final int count,
        final Datatype type, final Op op) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.reduce("MPI_Iallreduce", CollectiveCalls.ALL, sendbuf, recvbuf, count, type, op, -1,
            true);
    }

    public final Request iAllReduce(final Buffer buf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        direct(buf);
        return collectives.reduce("MPI_Iallreduce", CollectiveCalls.ALL, null, buf, count, type, op, -1, true);
    }

    public final void reduceScatter(final Object sendbuf, final Object recvbuf, final int[] recvcounts,
        final Datatype type, final Op op) throws MPIException
    {
        collectives.reduceScatter("MPI_Reduce_scatter", sendbuf, recvbuf, recvcounts, type, op, false);
    }

    public final void reduceScatter(final Object buf, final int[] counts, final Datatype type, final Op op)
        throws MPIException
    {
        collectives.reduceScatter("MPI_Reduce_scatter", null, buf, counts, type, op, false);
    }

    public final Request iReduceScatter(final Buffer sendbuf, final Buffer recvbuf, final int[] recvcounts,
        final Datatype type, final Op op) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.reduceScatter("MPI_Ireduce_scatter", sendbuf, recvbuf, recvcounts, type, op, true);
    }

    public final Request iReduceScatter(final Buffer buf, final int[] counts, final Datatype type, final Op op)
        throws MPIException
    {
        direct(buf);
        return collectives.reduceScatter("MPI_Ireduce_scatter", null, buf, counts, type, op, true);
    }

    public final void reduceScatterBlock(final Object sendbuf, final Object recvbuf, final int recvcount,
        final Datatype type, final Op op) throws MPIException
    {
        collectives.reduceScatter("MPI_Reduce_scatter_block", sendbuf, recvbuf, uniform(recvcount), type, op,
            false);
    }

    public final void reduceScatterBlock(final Object buf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        collectives.reduceScatter("MPI_Reduce_scatter_block", null, buf, uniform(count), type, op, false);
    }

    public final Request iReduceScatterBlock(final Buffer sendbuf, final Buffer recvbuf, final int recvcount,
        final Datatype type, final Op op) throws MPIException
    {
        direct(sendbuf, recvbuf);
        return collectives.reduceScatter("MPI_Ireduce_scatter_block", sendbuf, recvbuf, uniform(recvcount), type,
            op, true);
    }

    public final Request iReduceScatterBlock(final Buffer buf, final int count, final Datatype type, final Op op)
        throws MPIException
    {
        direct(buf);
        return collectives.reduceScatter("MPI_Ireduce_scatter_block", null, buf, uniform(count), type, op, true);
    }

    /** {@code inoutbuf = inbuf op inoutbuf}, locally (MPI_Reduce_local). */
    public static void reduceLocal(final Object inbuf, final Object inoutbuf, final int count, final Datatype type,
        final Op op) throws MPIException
    {
        MPI.check();
        MPI.COMM_WORLD.collectives.reduceLocal(inbuf, inoutbuf, count, type, op);
    }

    // ------------------------------------------------------------------------------------ argument checks

    final void open(final String call) throws MPIException
    {
        MPI.check();
        if (p2p == null)
        {
            throw Errors.raise(this, MPI.ERR_COMM, call, "the communicator " + (name.isEmpty() ? "" : name + " ") +
                "was freed (or is MPI_COMM_NULL)");
        }
    }

    final void count(final String call, final int count) throws MPIException
    {
        if (count < 0)
        {
            throw Errors.raise(this, MPI.ERR_COUNT, call, "rank " + p2p.rank() + ": count=" + count +
                " must be >= 0");
        }
    }

    final void datatype(final String call, final Datatype type) throws MPIException
    {
        final String why = type == null ? "the datatype is null" : type.unusable();
        if (why != null)
        {
            throw Errors.raise(this, MPI.ERR_TYPE, call, "rank " + p2p.rank() + ": " + why);
        }
    }

    /** The buffer as memory, with count items of type checked to lie inside it. */
    final Payload payload(final String call, final Object buf, final int count, final Datatype type)
        throws MPIException
    {
        count(call, count);
        datatype(call, type);
        final Payload p = view(buf, type);
        if (p == null)
        {
            if (buf == null && count == 0)
            {
                return Payload.of(new byte[0], type);
            }
            throw Errors.raise(this, MPI.ERR_BUFFER, call, "rank " + p2p.rank() + ": " + (buf == null ?
                "the buffer is null" : buf.getClass().getName() + " is not a buffer (a primitive array or a " +
                "java.nio buffer)"));
        }
        checkInside(call, p, 0, count);
        return p;
    }

    /**
     * The memory view of a buffer, kept for the next call with the same buffer and type: a loop that sends or
     * receives one buffer over and over (every benchmark, most halo exchanges) makes no new view each time.
     */
    private Payload view(final Object buf, final Datatype type)
    {
        final Payload last = lastView;
        if (last != null && last.buffer == buf && last.type == type)
        {
            return last;
        }
        final Payload p = Payload.of(buf, type);
        if (p != null && p.reusable())
        {
            lastView = p;
        }
        return p;
    }

    final void checkInside(final String call, final Payload p, final long first, final int count)
        throws MPIException
    {
        final String outside = p.outside(first, count);
        if (outside != null)
        {
            if (p.isArray())
            {
                // as Open MPI's JNI copy of the array region fails
                throw new ArrayIndexOutOfBoundsException(call + " on rank " + p2p.rank() + ": " + outside);
            }
            throw Errors.raise(this, MPI.ERR_BUFFER, call, "rank " + p2p.rank() + ": " + outside);
        }
    }

    final void rank(final String call, final int rank, final String what, final boolean anySource)
        throws MPIException
    {
        if (rank == MPI.PROC_NULL || anySource && rank == MPI.ANY_SOURCE)
        {
            return;
        }
        final int size = this instanceof Intercomm ic ? ic.remoteSize() : p2p.size();
        if (rank < 0 || rank >= size)
        {
            throw Errors.raise(this, MPI.ERR_RANK, call, "rank " + p2p.rank() + ": " + what + "=" + rank +
                " is not in [0, " + size + ")" + (anySource ? ", MPI.ANY_SOURCE" : "") + " or MPI.PROC_NULL");
        }
    }

    final void source(final String call, final int source) throws MPIException
    {
        rank(call, source, "source", true);
    }

    final void tag(final String call, final int tag, final boolean anyTag) throws MPIException
    {
        if (tag < 0 && !(anyTag && tag == MPI.ANY_TAG))
        {
            throw Errors.raise(this, MPI.ERR_TAG, call, "rank " + p2p.rank() + ": tag=" + tag + " must be in [0, " +
                "MPI.TAG_UB]" + (anyTag ? " or MPI.ANY_TAG" : ""));
        }
    }

    /** Open MPI's check of the non-blocking calls' buffers (an IllegalArgumentException, whatever the handler). */
    static void direct(final Buffer buf)
    {
        if (buf != null && !buf.isDirect())
        {
            throw new IllegalArgumentException("The buffer must be direct.");
        }
    }

    static void direct(final Buffer sendbuf, final Buffer recvbuf)
    {
        if (sendbuf != null && !sendbuf.isDirect())
        {
            throw new IllegalArgumentException("The send buffer must be direct.");
        }
        if (recvbuf != null && !recvbuf.isDirect())
        {
            throw new IllegalArgumentException("The recv. buffer must be direct.");
        }
    }

    /**
     * The first checks of a send or receive (the communicator, count, datatype), then the message's bytes where it
     * goes straight from or into buf with {@link Contiguous}, else -1: the general path checks and words the rest.
     */
    private long contiguous(final String call, final Object buf, final int count, final Datatype type,
        final boolean receive) throws MPIException
    {
        open(call);
        count(call, count);
        datatype(call, type);
        return Contiguous.bytes(buf, count, type, receive);
    }

    private Payload sendArgs(final String call, final Object buf, final int count, final Datatype type,
        final int dest, final int tag) throws MPIException
    {
        open(call);
        final Payload p = payload(call, buf, count, type);
        rank(call, dest, "dest", false);
        tag(call, tag, false);
        return p;
    }

    private Payload recvArgs(final String call, final Object buf, final int count, final Datatype type,
        final int source, final int tag) throws MPIException
    {
        open(call);
        final Payload p = payload(call, buf, count, type);
        source(call, source);
        tag(call, tag, true);
        return p;
    }

    /** The message of count items: the user's memory itself when contiguous, else a packed copy. */
    static MemorySegment message(final Payload p, final int count)
    {
        if (p.inPlace())
        {
            return p.items(0, count);
        }
        final MemorySegment packed = MemorySegment.ofArray(new byte[(int)((long)count * p.type.size)]);
        p.pack(0, count, packed, 0);
        return packed;
    }

    /** A packed message has arrived: its items into the buffer, and the status. */
    final Status delivered(final Payload p, final MemorySegment packed, final int source, final int tag,
        final long bytes) throws MPIException
    {
        final long items = p.type.size == 0 ? 0 : bytes / p.type.size;
        p.unpack(packed, 0, 0, (int)items);
        final long rest = bytes - items * p.type.size;
        if (rest > 0)
        {
            // a partial item: its whole basic elements, as MPI delivers them
            final byte[] tail = new byte[(int)p.type.size];
            MemorySegment.copy(packed, items * p.type.size, MemorySegment.ofArray(tail), 0, rest);
            final MemorySegment keep = MemorySegment.ofArray(new byte[(int)p.type.size]);
            p.pack(items, 1, keep, 0);
            MemorySegment.copy(MemorySegment.ofArray(tail), 0, keep, 0, rest);
            p.unpack(keep, 0, items, 1);
        }
        p.writeBack();
        return new Status(source, tag, bytes);
    }

    private Request isend(final String call, final Buffer buf, final int count, final Datatype type, final int dest,
        final int tag, final boolean synchronous) throws MPIException
    {
        direct(buf);
        final long bytes = synchronous ? -1 : contiguous(call, buf, count, type, false);
        if (bytes >= 0)
        {
            rank(call, dest, "dest", false);
            tag(call, tag, false);
            if (dest != MPI.PROC_NULL)
            {
                try
                {
                    return Request.of(this, call, contiguous.isend(p2p, buf, bytes, dest, tag), null);
                }
                catch (final RuntimeException ex)
                {
                    throw Errors.raise(this, call, ex);
                }
            }
        }
        final Payload p = sendArgs(call, buf, count, type, dest, tag);
        if (dest == MPI.PROC_NULL)
        {
            return Request.done(this, call, Status.empty(MPI.PROC_NULL));
        }
        final MemorySegment m = message(p, count);
        return started(call, () -> synchronous ? p2p.issend(m, dest, tag) : p2p.isend(m, dest, tag));
    }

    private Prequest persistentSend(final String call, final Buffer buf, final int count, final Datatype type,
        final int dest, final int tag, final boolean synchronous) throws MPIException
    {
        direct(buf);
        sendArgs(call, buf, count, type, dest, tag);
        return new Prequest(this, call, into ->
        {
            final Request r = isend("MPI_Start", buf, count, type, dest, tag, synchronous);
            into.takeOver(call, r);
        });
    }

    /** Posts a receive of count items: straight into the user's memory when contiguous, else into a packed copy. */
    final Request receive(final String call, final Payload p, final int count, final int source, final int tag)
        throws MPIException
    {
        if (source == MPI.PROC_NULL)
        {
            return Request.done(this, call, Status.empty(MPI.PROC_NULL));
        }
        if (p.inPlace())
        {
            return Request.of(this, call, started(call, () -> p2p.irecv(p.items(0, count), source, tag)).p2p, null);
        }
        final MemorySegment packed = MemorySegment.ofArray(new byte[(int)((long)count * p.type.size)]);
        final Request r = started(call, () -> p2p.irecv(packed, source, tag));
        r.finish = s -> delivered(p, packed, s.source(), s.tag(), s.count());
        return r;
    }

    interface Start
    {
        dev.ringfold.mpi.Request start();
    }

    final Request started(final String call, final Start start) throws MPIException
    {
        try
        {
            return Request.of(this, call, start.start(), null);
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, call, ex);
        }
    }

    /** count for every rank (the uniform collectives as their v-forms). */
    final int[] uniform(final int count)
    {
        final int[] counts = new int[p2p == null ? 0 : p2p.size()];
        java.util.Arrays.fill(counts, count);
        return counts;
    }
}
