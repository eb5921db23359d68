package mpi;

import dev.ringfold.mpi.Ringfold;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The mpiJava 1.2 entry point as MPJ Express 0.44 has it: {@code MPI.Init(args)}, {@code MPI.COMM_WORLD}, the
 * datatype and operation constants, {@code Finalize}. Init joins the Ringfold job that bin/mpjrun started.
 * The constants are static fields, not compile-time constants, exactly as in MPJ Express, so programs compiled
 * against mpj.jar read the values of this implementation.
 */
public class MPI
{
    public static final int IDENT = 0;
    public static final int CONGRUENT = 3;
    public static final int SIMILAR = 1;
    public static final int UNEQUAL = 2;
    public static final boolean DEBUG = false;
    /** MPJ Express's switch to its older collectives; there is one implementation here. */
    public static boolean isOldSelected = false;
    public static final int NUM_OF_PROCESSORS = Runtime.getRuntime().availableProcessors();

    /** Before Init, a communicator whose every call throws MPIException saying that MPI.Init was not called. */
    public static Intracomm COMM_WORLD = new Intracomm(null);
    public static Comm COMM_SELF = COMM_WORLD;
    public static Comm COMM_NULL;
    public static int UNDEFINED = dev.ringfold.mpi.Communicator.UNDEFINED;
    public static Datatype NULL = new Datatype(Datatype.NULL_CODE, "NULL");
    public static Datatype BYTE = new Datatype(Datatype.BYTE_CODE, "BYTE");
    public static Datatype CHAR = new Datatype(Datatype.CHAR_CODE, "CHAR");
    public static Datatype SHORT = new Datatype(Datatype.SHORT_CODE, "SHORT");
    public static Datatype BOOLEAN = new Datatype(Datatype.BOOLEAN_CODE, "BOOLEAN");
    public static Datatype INT = new Datatype(Datatype.INT_CODE, "INT");
    public static Datatype LONG = new Datatype(Datatype.LONG_CODE, "LONG");
    public static Datatype FLOAT = new Datatype(Datatype.FLOAT_CODE, "FLOAT");
    public static Datatype DOUBLE = new Datatype(Datatype.DOUBLE_CODE, "DOUBLE");
    public static Datatype PACKED = new Datatype(Datatype.PACKED_CODE, "PACKED");
    public static Datatype LB = new Datatype(Datatype.MARKER_LB, "LB");
    public static Datatype UB = new Datatype(Datatype.MARKER_UB, "UB");
    public static Datatype OBJECT = new Datatype(Datatype.OBJECT_CODE, "OBJECT");
    public static Datatype SHORT2 = Datatype.Contiguous(2, SHORT);
    public static Datatype INT2 = Datatype.Contiguous(2, INT);
    public static Datatype LONG2 = Datatype.Contiguous(2, LONG);
    public static Datatype FLOAT2 = Datatype.Contiguous(2, FLOAT);
    public static Datatype DOUBLE2 = Datatype.Contiguous(2, DOUBLE);
    public static int THREAD_SINGLE = 0;
    public static int THREAD_FUNNELED = 1;
    public static int THREAD_SERIALIZED = 2;
    public static int THREAD_MULTIPLE = 3;
    public static Op MAX = new Op(Op.MAX_CODE, "MAX");
    public static Op MIN = new Op(Op.MIN_CODE, "MIN");
    public static Op SUM = new Op(Op.SUM_CODE, "SUM");
    public static Op PROD = new Op(Op.PROD_CODE, "PROD");
    public static Op LAND = new Op(Op.LAND_CODE, "LAND");
    public static Op BAND = new Op(Op.BAND_CODE, "BAND");
    public static Op LOR = new Op(Op.LOR_CODE, "LOR");
    public static Op BOR = new Op(Op.BOR_CODE, "BOR");
    public static Op LXOR = new Op(Op.LXOR_CODE, "LXOR");
    public static Op BXOR = new Op(Op.BXOR_CODE, "BXOR");
    public static Op MAXLOC = new Op(Op.MAXLOC_CODE, "MAXLOC");
    public static Op MINLOC = new Op(Op.MINLOC_CODE, "MINLOC");
    /** The values MPJ Express 0.44 uses. */
    public static int ANY_SOURCE = -2;
    public static int ANY_TAG = -2;
    public static int PROC_NULL = -3;
    public static Status EMPTY_STATUS = new Status();
    /** What a buffered send reserves in the attached buffer beyond its packed items (its bookkeeping). */
    public static int BSEND_OVERHEAD = 8;
    public static int SEND_OVERHEAD = 8;
    public static int RECV_OVERHEAD = 8;
    public static Group GROUP_EMPTY = new Group(new int[0]);
    public static Group GROUP_NULL = null;
    public static int GRAPH = 1;
    public static int CART = 2;
    public static Errhandler ERRORS_ARE_FATAL = new Errhandler(Errhandler.FATAL);
    public static Errhandler ERRORS_RETURN = new Errhandler(Errhandler.RETURN);
    public static int TAG_UB = 0;
    public static int HOST = 1;
    public static int IO = 2;
    public static Request REQUEST_NULL = new Request(true);

    private static Ringfold ringfold;
    private static boolean finalized;
    private static Errhandler errhandler = ERRORS_ARE_FATAL;
    private static ByteBuffer attached;
    private static int attachedInUse;
    private static final List<dev.ringfold.mpi.Request> BUFFERED = new ArrayList<>();
    private static final List<Integer> BUFFERED_BYTES = new ArrayList<>();

    public MPI()
    {
    }

    /** Joins the job mpjrun started; returns the arguments unchanged (mpjrun passes no arguments of its own). */
    public static String[] Init(final String[] args) throws MPIException
    {
        if (ringfold != null)
        {
            throw new MPIException("MPI.Init called twice");
        }
        try
        {
            ringfold = Ringfold.init();
        }
        catch (final RuntimeException ex)
        {
            throw new MPIException("MPI.Init: cannot join a Ringfold job (start the program with bin/mpjrun): " +
                ex.getMessage());
        }
        COMM_WORLD = new Intracomm(ringfold.world());
        COMM_SELF = COMM_WORLD.Split(COMM_WORLD.Rank(), 0);
        return args;
    }

    public static String[] initThread(final int required, final int provided, final String[] args)
    {
        return Init(args);
    }

    public static int queryThread()
    {
        return THREAD_SINGLE;
    }

    public static boolean isMainThread()
    {
        return true;
    }

    public static void Finalize() throws MPIException
    {
        if (ringfold == null || finalized)
        {
            return;
        }
        finalized = true;
        Buffer_detach();
        COMM_WORLD.Barrier();
        ringfold.close();
    }

    public static boolean Initialized() throws MPIException
    {
        return ringfold != null;
    }

    public static String Get_processor_name() throws MPIException
    {
        return dev.ringfold.mpi.bootstrap.NodeIdentity.hostName();
    }

    public static double Wtime() throws MPIException
    {
        return System.nanoTime() / 1e9;
    }

    public static double Wtick() throws MPIException
    {
        return 1e-9;
    }

    /** Errors always surface as MPIException (what MPJ Express does too); the handler is kept for Errorhandler_get. */
    public static void Errorhandler_set(final Errhandler handler) throws MPIException
    {
        errhandler = handler;
    }

    public static Errhandler Errorhandler_get() throws MPIException
    {
        return errhandler;
    }

    /** The buffer that buffered-mode sends count against (their copies live on the Java heap). */
    public static void Buffer_attach(final ByteBuffer buffer) throws MPIException
    {
        if (attached != null)
        {
            throw new MPIException("Buffer_attach: a buffer of " + attached.capacity() + " bytes is attached already");
        }
        attached = buffer;
        attachedInUse = 0;
    }

    /** Waits until every buffered send has left, then detaches the buffer. */
    public static void Buffer_detach() throws MPIException
    {
        for (final dev.ringfold.mpi.Request r : BUFFERED)
        {
            r.await();
        }
        BUFFERED.clear();
        BUFFERED_BYTES.clear();
        attachedInUse = 0;
        attached = null;
    }

    static void bufferedSend(final int bytes, final dev.ringfold.mpi.Request send)
    {
        BUFFERED.add(send);
        BUFFERED_BYTES.add(bytes);
        attachedInUse += bytes + BSEND_OVERHEAD;
    }

    /** Room for a buffered send of this many bytes, after releasing the copies of sends that have left. */
    static void reserveBuffered(final int bytes)
    {
        for (int i = BUFFERED.size() - 1; i >= 0; i--)
        {
            if (BUFFERED.get(i).test())
            {
                attachedInUse -= BUFFERED_BYTES.get(i) + BSEND_OVERHEAD;
                BUFFERED.remove(i);
                BUFFERED_BYTES.remove(i);
            }
        }
        final int capacity = attached == null ? 0 : attached.capacity();
        if (attachedInUse + bytes + BSEND_OVERHEAD > capacity)
        {
            throw new MPIException("Bsend: a buffered send of " + bytes + " bytes (+" + BSEND_OVERHEAD +
                " overhead) does not fit: " + (capacity - attachedInUse) + " of the attached " + capacity +
                " bytes are free" + (attached == null ? " (no buffer attached: MPI.Buffer_attach)" : ""));
        }
    }
}
