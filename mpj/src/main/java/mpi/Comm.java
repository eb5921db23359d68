package mpi;

import dev.ringfold.mpi.Communicator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A communicator of the mpiJava API over a Ringfold {@link Communicator}: point-to-point in every mode. A message
 * is the packed items and nothing else; where the items already lie back to back in the user's array (a dense
 * datatype), Ringfold sends from and receives into the array itself, else they are packed at the API edge.
 * Synchronous mode is Ringfold's own ({@link Communicator#issend}). A second Ringfold communicator (a dup, so a
 * separate context) carries the messages of the generic collective paths.
 */
public class Comm
{
    static final int STANDARD = 0;
    static final int SYNCHRONOUS = 1;
    static final int BUFFERED = 2;
    static final int READY = 3;
    static final int RECEIVE = 4;

    /** Tags from here up on the control communicator belong to collectives. */
    static final int COLLECTIVE_TAG = 1 << 30;

    final Communicator p2p;
    final Communicator ctl;
    /** Where blocking sends pack and blocking receives land when the items must be packed (kept for the next). */
    private MemorySegment sendScratch = Arena.ofAuto().allocate(4096, 64);
    private MemorySegment recvScratch = Arena.ofAuto().allocate(4096, 64);
    private boolean freed;

    Comm(final Communicator p2p)
    {
        this.p2p = p2p;
        this.ctl = p2p == null ? null : p2p.dup();
    }

    public int Size() throws MPIException
    {
        return p2p().size();
    }

    public int Rank() throws MPIException
    {
        return p2p().rank();
    }

    public Group Group() throws MPIException
    {
        final int[] world = new int[p2p().size()];
        for (int r = 0; r < world.length; r++)
        {
            world[r] = p2p().worldRank(r);
        }
        return new Group(world);
    }

    public static int Compare(final Comm comm1, final Comm comm2) throws MPIException
    {
        if (comm1 == comm2)
        {
            return MPI.IDENT;
        }
        final int groups = mpi.Group.Compare(comm1.Group(), comm2.Group());
        return groups == MPI.IDENT ? MPI.CONGRUENT : groups;
    }

    public void Free() throws MPIException
    {
        if (!freed && p2p != null)
        {
            freed = true;
            ctl().close();
            p2p().close();
        }
    }

    public boolean Test_inter() throws MPIException
    {
        return false;
    }

    public int Topo_test() throws MPIException
    {
        return MPI.UNDEFINED;
    }

    /** MPJ Express 0.44 makes this an empty method; here it ends the job, as MPI says it should. */
    public void Abort(final int errorcode) throws MPIException
    {
        System.err.println("MPI Abort on rank " + p2p().rank() + " with error code " + errorcode);
        System.err.flush();
        Runtime.getRuntime().halt(errorcode == 0 ? 1 : errorcode);
    }

    public Object Attr_get(final int keyval) throws MPIException
    {
        if (keyval == MPI.TAG_UB)
        {
            return COLLECTIVE_TAG - 1;
        }
        return null;
    }

    /** No attributes are cached on communicators here, so there is nothing to delete. */
    public void Attr_delete(final int keyval) throws MPIException
    {
        checkOpen("Attr_delete");
    }

    public Intercomm Create_intercomm(final Comm peerComm, final int localLeader, final int remoteLeader,
        final int tag) throws MPIException
    {
        return new Intercomm(this, peerComm, localLeader, remoteLeader, tag);
    }

    public Object clone() throws MPIException
    {
        return new Intracomm(p2p().dup());
    }

    // ------------------------------------------------------------------------------------- point-to-point

    public void Send(final Object buf, final int offset, final int count, final Datatype datatype, final int dest,
        final int tag) throws MPIException
    {
        blockingSend(buf, offset, count, datatype, dest, tag, STANDARD);
    }

    public void Ssend(final Object buf, final int offset, final int count, final Datatype datatype, final int dest,
        final int tag) throws MPIException
    {
        blockingSend(buf, offset, count, datatype, dest, tag, SYNCHRONOUS);
    }

    public void Bsend(final Object buf, final int offset, final int count, final Datatype datatype, final int dest,
        final int tag) throws MPIException
    {
        blockingSend(buf, offset, count, datatype, dest, tag, BUFFERED);
    }

    /** Ready mode: the receive must already be posted; sent as a standard send, which is always correct then. */
    public void Rsend(final Object buf, final int offset, final int count, final Datatype datatype, final int dest,
        final int tag) throws MPIException
    {
        blockingSend(buf, offset, count, datatype, dest, tag, READY);
    }

    public Request Isend(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag) throws MPIException
    {
        return startSend(new Request(), buf, offset, count, datatype, dest, tag, STANDARD);
    }

    public Request Ibsend(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag) throws MPIException
    {
        return startSend(new Request(), buf, offset, count, datatype, dest, tag, BUFFERED);
    }

    public Request Issend(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag) throws MPIException
    {
        return startSend(new Request(), buf, offset, count, datatype, dest, tag, SYNCHRONOUS);
    }

    public Request Irsend(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag) throws MPIException
    {
        return startSend(new Request(), buf, offset, count, datatype, dest, tag, READY);
    }

    public Status Recv(final Object buf, final int offset, final int count, final Datatype datatype,
        final int source, final int tag) throws MPIException
    {
        if (buf instanceof mpjbuf.Buffer packed)
        {
            final Status s = Recv(packedBytes("Recv", packed, datatype), packed.offset() + offset, count, datatype,
                source, tag);
            packedArrived(packed, s);
            return s;
        }
        checkOpen("Recv");
        Packing.check("Recv", buf, offset, count, datatype);
        if (source == MPI.PROC_NULL)
        {
            return Status.empty(MPI.PROC_NULL);
        }
        if (Request.objectReceivesOpen())
        {
            // through a Request: its wait keeps open OBJECT receives matching, which a peer's send may need first
            return startRecv(new Request(), buf, offset, count, datatype, source, tag).Wait();
        }
        final int src = source(source);
        final int t = tag(tag, true);
        try
        {
            if (datatype.isObject())
            {
                final dev.ringfold.mpi.Status found = p2p().probe(src, t);
                final int foundSource = found.source();
                final int foundTag = found.tag();
                final byte[] m = new byte[found.count()];
                final dev.ringfold.mpi.Status got = p2p().recv(m, 0, m.length, foundSource, foundTag);
                return delivered(m, got.count(), got.source(), got.tag(), buf, offset, count, datatype);
            }
            final MemorySegment items = Packing.contiguous(buf, offset, count, datatype);
            if (items != null)
            {
                final dev.ringfold.mpi.Status got = p2p().recv(items, src, t);
                return new Status(fromP2p(got.source()), got.tag(), got.count());
            }
            final int length = Packing.packedBytes(count, datatype);
            recvScratch = grown(recvScratch, length);
            final dev.ringfold.mpi.Status got = p2p().recv(recvScratch.asSlice(0, length), src, t);
            return delivered(null, recvScratch.address(), got.count(), got.source(), got.tag(), buf, offset,
                count, datatype);
        }
        catch (final MPIException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new MPIException(ex);
        }
    }

    public Request Irecv(final Object buf, final int offset, final int count, final Datatype datatype,
        final int source, final int tag) throws MPIException
    {
        return startRecv(new Request(), buf, offset, count, datatype, source, tag);
    }

    public Prequest Send_init(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag) throws MPIException
    {
        return new Prequest(buf, offset, count, datatype, dest, tag, STANDARD, this);
    }

    public Prequest Ssend_init(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag) throws MPIException
    {
        return new Prequest(buf, offset, count, datatype, dest, tag, SYNCHRONOUS, this);
    }

    public Prequest Bsend_init(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag) throws MPIException
    {
        return new Prequest(buf, offset, count, datatype, dest, tag, BUFFERED, this);
    }

    public Prequest Rsend_init(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag) throws MPIException
    {
        return new Prequest(buf, offset, count, datatype, dest, tag, READY, this);
    }

    public Prequest Recv_init(final Object buf, final int offset, final int count, final Datatype datatype,
        final int source, final int tag) throws MPIException
    {
        return new Prequest(buf, offset, count, datatype, source, tag, RECEIVE, this);
    }

    public Status Sendrecv(final Object sendbuf, final int sendoffset, final int sendcount, final Datatype sendtype,
        final int dest, final int sendtag, final Object recvbuf, final int recvoffset, final int recvcount,
        final Datatype recvtype, final int source, final int recvtag) throws MPIException
    {
        final Request recv = Irecv(recvbuf, recvoffset, recvcount, recvtype, source, recvtag);
        final Request send = Isend(sendbuf, sendoffset, sendcount, sendtype, dest, sendtag);
        final Status status = recv.Wait();
        send.Wait();
        return status;
    }

    public Status Sendrecv_replace(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int sendtag, final int source, final int recvtag) throws MPIException
    {
        // the send takes a packed copy (the message's bytes whatever the datatype): the receive may overwrite the
        // buffer before the send has read it
        checkOpen("Sendrecv_replace");
        Packing.check("Sendrecv_replace", buf, offset, count, datatype);
        final byte[] copy = Packing.message(buf, offset, count, datatype);
        final Request send = Isend(copy, 0, copy.length, MPI.BYTE, dest, sendtag);
        final Status status = Recv(buf, offset, count, datatype, source, recvtag);
        send.Wait();
        return status;
    }

    public Status Probe(final int source, final int tag) throws MPIException
    {
        checkOpen("Probe");
        if (source == MPI.PROC_NULL)
        {
            return Status.empty(MPI.PROC_NULL);
        }
        return probed(p2p().probe(source(source), tag(tag, true)));
    }

    public Status Iprobe(final int source, final int tag) throws MPIException
    {
        checkOpen("Iprobe");
        if (source == MPI.PROC_NULL)
        {
            return Status.empty(MPI.PROC_NULL);
        }
        final dev.ringfold.mpi.Status found = p2p().iprobe(source(source), tag(tag, true));
        return found == null ? null : probed(found);
    }

    private Status probed(final dev.ringfold.mpi.Status found)
    {
        return new Status(fromP2p(found.source()), found.tag(), found.count());
    }

    /** The most bytes that Pack of incount items takes in an mpjbuf.Buffer: one section, aligned. */
    public int Pack_size(final int incount, final Datatype datatype) throws MPIException
    {
        return mpjbuf.Buffer.SECTION_OVERHEAD + mpjbuf.Buffer.ALIGNMENT_UNIT - 1 +
            Packing.packedBytes(incount, datatype);
    }

    /**
     * Packs the items as one section (their packed bytes) at the end of outbuf, where position must be; returns
     * the position after it. The buffer travels as an MPI.PACKED message of that many bytes.
     */
    public int Pack(final Object inbuf, final int offset, final int incount, final Datatype datatype,
        final mpjbuf.Buffer outbuf, final int position) throws MPIException
    {
        Packing.check("Pack", inbuf, offset, incount, datatype);
        if (position != outbuf.getSize())
        {
            throw new MPIException("Pack: position=" + position + " is not where the buffer's packed data ends (" +
                outbuf.getSize() + ")");
        }
        final byte[] m = Packing.message(inbuf, offset, incount, datatype);
        try
        {
            outbuf.putSectionHeader(mpjbuf.Type.BYTE);
            outbuf.write(m, 0, m.length);
        }
        catch (final mpjbuf.BufferException ex)
        {
            throw new MPIException("Pack: " + incount + " items of " + datatype + " (" + m.length + " bytes): " +
                ex.getMessage());
        }
        return outbuf.getSize();
    }

    /** Unpacks the section at position (what one Pack wrote) into the items; returns the position after it. */
    public int Unpack(final mpjbuf.Buffer inbuf, final int position, final Object outbuf, final int offset,
        final int outcount, final Datatype datatype) throws MPIException
    {
        Packing.check("Unpack", outbuf, offset, outcount, datatype);
        try
        {
            if (inbuf.isWritable())
            {
                inbuf.commit();
            }
            final int at = inbuf.getSize() - inbuf.getRemaining();
            if (position != at)
            {
                throw new MPIException("Unpack: position=" + position + " is not where the next packed section " +
                    "starts (" + at + ")");
            }
            final mpjbuf.Type type = inbuf.getSectionHeader();
            if (type != mpjbuf.Type.BYTE)
            {
                throw new MPIException("Unpack: the section at " + position + " holds " + type +
                    " elements, not what Pack writes");
            }
            final byte[] m = new byte[inbuf.getSectionSize()];
            inbuf.read(m, 0, m.length);
            Packing.deliver(m, 0, m.length, outbuf, offset, outcount, datatype);
            return inbuf.getSize() - inbuf.getRemaining();
        }
        catch (final mpjbuf.BufferException ex)
        {
            throw new MPIException("Unpack at " + position + ": " + ex.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------- internals

    private void blockingSend(final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag, final int mode)
    {
        if (buf instanceof mpjbuf.Buffer packed)
        {
            blockingSend(packedBytes("Send", packed, datatype), packed.offset() + offset, count, datatype, dest, tag,
                mode);
            return;
        }
        if (mode == BUFFERED || datatype == null || datatype.isObject() || dest == MPI.PROC_NULL ||
            Request.objectReceivesOpen())
        {
            // through a Request: its wait keeps open OBJECT receives matching, which a peer's send may need first
            startSend(new Request(), buf, offset, count, datatype, dest, tag, mode).Wait();
            return;
        }
        // a blocking send is done with its bytes when it returns: straight from the array, or packed into a
        // buffer kept for the next
        checkOpen("Send");
        Packing.check("Send", buf, offset, count, datatype);
        final int t = tag(tag, false);
        checkPeer(dest, "dest");
        try
        {
            MemorySegment items = Packing.contiguous(buf, offset, count, datatype);
            if (items == null)
            {
                final int length = Packing.packedBytes(count, datatype);
                sendScratch = grown(sendScratch, length);
                if (count > 0)
                {
                    Packing.pack(buf, offset, count, datatype, null, sendScratch.address());
                }
                items = sendScratch.asSlice(0, length);
            }
            if (mode == SYNCHRONOUS)
            {
                p2p().ssend(items, toP2p(dest), t);
            }
            else
            {
                p2p().send(items, toP2p(dest), t);
            }
        }
        catch (final RuntimeException ex)
        {
            throw new MPIException(ex);
        }
    }

    Request startSend(final Request r, final Object buf, final int offset, final int count, final Datatype datatype,
        final int dest, final int tag, final int mode)
    {
        if (buf instanceof mpjbuf.Buffer packed)
        {
            return startSend(r, packedBytes("send", packed, datatype), packed.offset() + offset, count, datatype, dest,
                tag, mode);
        }
        checkOpen("send");
        Packing.check("send", buf, offset, count, datatype);
        final int t = tag(tag, false);
        r.comm = this;
        r.source = dest;
        r.tag = tag;
        if (dest == MPI.PROC_NULL)
        {
            r.finish(Status.empty(MPI.PROC_NULL));
            return r;
        }
        checkPeer(dest, "dest");
        try
        {
            if (mode == BUFFERED)
            {
                final byte[] m = Packing.message(buf, offset, count, datatype);
                MPI.reserveBuffered(m.length);
                MPI.bufferedSend(m.length, p2p().isend(m, 0, m.length, toP2p(dest), t));
                r.finish(new Status(dest, tag, 0));
                return r;
            }
            // the items from the array itself (MPI: the buffer is the library's until the send completes), or a
            // packed copy the request keeps
            MemorySegment items = Packing.contiguous(buf, offset, count, datatype);
            if (items == null)
            {
                r.message = Packing.message(buf, offset, count, datatype);
                items = MemorySegment.ofArray(r.message);
            }
            r.data = mode == SYNCHRONOUS ? p2p().issend(items, toP2p(dest), t) : p2p().isend(items, toP2p(dest), t);
        }
        catch (final RuntimeException ex)
        {
            throw ex instanceof MPIException e ? e : new MPIException(ex);
        }
        return r;
    }

    Request startRecv(final Request r, final Object buf, final int offset, final int count, final Datatype datatype,
        final int source, final int tag)
    {
        if (buf instanceof mpjbuf.Buffer packed)
        {
            r.packedInto = packed;
            return startRecv(r, packedBytes("Irecv", packed, datatype), packed.offset() + offset, count, datatype,
                source, tag);
        }
        checkOpen("Irecv");
        Packing.check("Irecv", buf, offset, count, datatype);
        r.comm = this;
        r.receive = true;
        r.buf = buf;
        r.offset = offset;
        r.count = count;
        r.type = datatype;
        if (source == MPI.PROC_NULL)
        {
            r.finish(Status.empty(MPI.PROC_NULL));
            return r;
        }
        r.source = source(source);
        r.tag = tag(tag, true);
        if (datatype.isObject())
        {
            r.lazyObject = true;
        }
        else
        {
            // into the array itself, or into a packed copy unpacked on completion
            MemorySegment items = Packing.contiguous(buf, offset, count, datatype);
            if (items == null)
            {
                r.message = new byte[Packing.packedBytes(count, datatype)];
                items = MemorySegment.ofArray(r.message);
            }
            try
            {
                r.data = p2p().irecv(items, r.source, r.tag);
            }
            catch (final RuntimeException ex)
            {
                throw new MPIException(ex);
            }
        }
        r.open();
        return r;
    }

    /** The bytes under an mpjbuf.Buffer, which travels as MPI.PACKED (or BYTE) data. */
    private static byte[] packedBytes(final String what, final mpjbuf.Buffer packed, final Datatype datatype)
    {
        if (datatype != MPI.PACKED && datatype != MPI.BYTE)
        {
            throw new MPIException(what + ": an mpjbuf.Buffer is sent and received as MPI.PACKED, not " + datatype);
        }
        return packed.array();
    }

    /** A received MPI.PACKED message: the buffer holds its bytes as sections to read (Unpack) from the first. */
    static void packedArrived(final mpjbuf.Buffer packed, final Status s)
    {
        packed.setSize(s.countInBytes);
        try
        {
            packed.commit();
        }
        catch (final mpjbuf.BufferException ex)
        {
            throw new MPIException(ex);
        }
    }

    private static MemorySegment grown(final MemorySegment b, final int length)
    {
        return b.byteSize() >= length ? b : Arena.ofAuto().allocate(Math.max(length, 2 * b.byteSize()), 64);
    }

    Status delivered(final byte[] m, final int length, final int source, final int tag, final Object buf,
        final int offset, final int count, final Datatype datatype)
    {
        return delivered(m, org.agrona.UnsafeApi.arrayBaseOffset(byte[].class), length, source, tag, buf, offset,
            count, datatype);
    }

    /** Unpacks a received message at an address in base (a byte[]) or off-heap (base null). */
    Status delivered(final Object base, final long address, final int payload, final int source, final int tag,
        final Object buf, final int offset, final int count, final Datatype datatype)
    {
        final int elements = datatype.isObject() ?
            Packing.deliver((byte[])base, (int)(address - org.agrona.UnsafeApi.arrayBaseOffset(byte[].class)),
                payload, buf, offset, count, datatype) :
            Packing.deliver(base, address, payload, buf, offset, count, datatype);
        final Status s = new Status(fromP2p(source), tag, payload);
        if (datatype.isObject())
        {
            s.objects = true;
            s.count = elements;
        }
        else if (datatype.elements() == 0)
        {
            s.count = elements; // the items of a zero-size type, which its message carries
        }
        return s;
    }

    /** A source rank of this API (checked) as a rank of p2p(). */
    int source(final int source)
    {
        if (source == MPI.ANY_SOURCE)
        {
            return Communicator.ANY_SOURCE;
        }
        checkPeer(source, "source");
        return toP2p(source);
    }

    /** The ranks that point-to-point names: this communicator's, or an Intercomm's remote group's. */
    int peers()
    {
        return p2p().size();
    }

    /** A rank that point-to-point names as the rank of p2p that carries it. */
    int toP2p(final int rank)
    {
        return rank;
    }

    /** A rank of p2p (a message's source) as point-to-point names it. */
    int fromP2p(final int rank)
    {
        return rank;
    }

    void checkPeer(final int rank, final String what)
    {
        if (rank < 0 || rank >= peers())
        {
            throw new MPIException("rank " + Rank() + " of " + p2p().name() + ": " + what + "=" + rank +
                " is outside [0, " + peers() + ") and not MPI.PROC_NULL" +
                (what.equals("source") ? " or MPI.ANY_SOURCE" : ""));
        }
    }

    int tag(final int tag, final boolean anyAllowed)
    {
        if (anyAllowed && tag == MPI.ANY_TAG)
        {
            return Communicator.ANY_TAG;
        }
        if (tag < 0 || tag >= COLLECTIVE_TAG)
        {
            throw new MPIException("rank " + p2p().rank() + " of " + p2p().name() + ": tag=" + tag +
                " must be in [0, " + (COLLECTIVE_TAG - 1) + "]" + (anyAllowed ? " or MPI.ANY_TAG" : ""));
        }
        return tag;
    }

    void checkOpen(final String what)
    {
        p2p();
        if (freed)
        {
            throw new MPIException(what + ": the communicator has been freed");
        }
    }

    /** The Ringfold communicator; MPI.COMM_WORLD and MPI.COMM_SELF have none before MPI.Init, and say so. */
    final Communicator p2p()
    {
        if (p2p == null)
        {
            throw new MPIException("MPI.Init was not called: call MPI.Init(args) before using MPI.COMM_WORLD or " +
                "MPI.COMM_SELF");
        }
        return p2p;
    }

    /** The dup of p2p that carries the generic collectives' messages. */
    final Communicator ctl()
    {
        p2p();
        return ctl;
    }

    // --------------------------------------------------------------- packed messages of the generic collectives

    void sendPacked(final Object buf, final int offset, final int count, final Datatype type, final int dest,
        final int tag)
    {
        final byte[] m = Packing.message(buf, offset, count, type);
        ctl().send(m, 0, m.length, dest, COLLECTIVE_TAG + tag);
    }

    dev.ringfold.mpi.Request isendPacked(final Object buf, final int offset, final int count, final Datatype type,
        final int dest, final int tag)
    {
        final byte[] m = Packing.message(buf, offset, count, type);
        return ctl().isend(m, 0, m.length, dest, COLLECTIVE_TAG + tag);
    }

    void recvPacked(final Object buf, final int offset, final int count, final Datatype type, final int source,
        final int tag)
    {
        final byte[] m = recvBytes(source, tag, type.isObject() ? -1 : Packing.packedBytes(count, type));
        Packing.deliver(m, 0, m.length, buf, offset, count, type);
    }

    /** A whole packed message; length -1 when only the sender knows it (OBJECT). */
    byte[] recvBytes(final int source, final int tag, final int length)
    {
        int n = length;
        if (n < 0)
        {
            n = ctl().probe(source, COLLECTIVE_TAG + tag).count();
        }
        final byte[] m = new byte[n];
        final int got = ctl().recv(m, 0, n, source, COLLECTIVE_TAG + tag).count();
        return got == n ? m : java.util.Arrays.copyOf(m, got);
    }

    void sendBytes(final byte[] m, final int dest, final int tag)
    {
        ctl().send(m, 0, m.length, dest, COLLECTIVE_TAG + tag);
    }
}
