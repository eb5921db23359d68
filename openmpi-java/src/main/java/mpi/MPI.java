package mpi;

import dev.ringfold.mpi.Ringfold;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * The MPI environment of Open MPI 4.1's Java API on Ringfold: {@link #Init} joins the job that bin/mpjrun (or
 * mpirun, srun ...) started, {@link #COMM_WORLD} is Ringfold's world, and the constants have Open MPI's values so
 * that a program compiled against Open MPI's {@code mpi.jar} (whose {@code final} constants javac copied into it)
 * means the same here.
 */
public final class MPI
{
    public static final Intracomm COMM_WORLD = new Intracomm(null, "MPI_COMM_WORLD");
    public static final Intracomm COMM_SELF = new Intracomm(null, "MPI_COMM_SELF");

    public static final int THREAD_SINGLE = 0;
    public static final int THREAD_FUNNELED = 1;
    public static final int THREAD_SERIALIZED = 2;
    public static final int THREAD_MULTIPLE = 3;
    public static final int GRAPH = 2;
    public static final int DIST_GRAPH = 3;
    public static final int CART = 1;
    public static final int ANY_SOURCE = -1;
    public static final int ANY_TAG = -1;
    public static final int PROC_NULL = -2;
    public static final int UNDEFINED = -32766;
    public static final int IDENT = 0;
    public static final int CONGRUENT = 1;
    public static final int SIMILAR = 2;
    public static final int UNEQUAL = 3;
    public static final int TAG_UB = 0;
    public static final int HOST = 1;
    public static final int IO = 2;
    public static final int WTIME_IS_GLOBAL = 3;
    public static final int APPNUM = 4;
    public static final int LASTUSEDCODE = 5;
    public static final int UNIVERSE_SIZE = 6;
    public static final int WIN_BASE = 7;
    public static final int WIN_SIZE = 8;
    public static final int WIN_DISP_UNIT = 9;
    public static final int VERSION = 3;
    public static final int SUBVERSION = 1;
    public static final int ROOT = -4;
    public static final int KEYVAL_INVALID = -1;
    public static final int BSEND_OVERHEAD = 128;
    public static final int MAX_OBJECT_NAME = 64;
    public static final int MAX_PORT_NAME = 1024;
    public static final int MAX_DATAREP_STRING = 128;
    public static final int MAX_INFO_KEY = 36;
    public static final int MAX_INFO_VAL = 256;
    public static final int ORDER_C = 0;
    public static final int ORDER_FORTRAN = 1;
    public static final int DISTRIBUTE_BLOCK = 0;
    public static final int DISTRIBUTE_CYCLIC = 1;
    public static final int DISTRIBUTE_NONE = 2;
    public static final int DISTRIBUTE_DFLT_DARG = -1;
    public static final int MODE_CREATE = 1;
    public static final int MODE_RDONLY = 2;
    public static final int MODE_WRONLY = 4;
    public static final int MODE_RDWR = 8;
    public static final int MODE_DELETE_ON_CLOSE = 16;
    public static final int MODE_UNIQUE_OPEN = 32;
    public static final int MODE_EXCL = 64;
    public static final int MODE_APPEND = 128;
    public static final int MODE_SEQUENTIAL = 256;
    public static final int DISPLACEMENT_CURRENT = -54278278;
    public static final int SEEK_SET = 600;
    public static final int SEEK_CUR = 602;
    public static final int SEEK_END = 604;
    public static final int MODE_NOCHECK = 1;
    public static final int MODE_NOPRECEDE = 2;
    public static final int MODE_NOPUT = 4;
    public static final int MODE_NOSTORE = 8;
    public static final int MODE_NOSUCCEED = 16;
    public static final int LOCK_EXCLUSIVE = 1;
    public static final int LOCK_SHARED = 2;
    public static final int SUCCESS = 0;
    public static final int ERR_BUFFER = 1;
    public static final int ERR_COUNT = 2;
    public static final int ERR_TYPE = 3;
    public static final int ERR_TAG = 4;
    public static final int ERR_COMM = 5;
    public static final int ERR_RANK = 6;
    public static final int ERR_REQUEST = 7;
    public static final int ERR_ROOT = 8;
    public static final int ERR_GROUP = 9;
    public static final int ERR_OP = 10;
    public static final int ERR_TOPOLOGY = 11;
    public static final int ERR_DIMS = 12;
    public static final int ERR_ARG = 13;
    public static final int ERR_UNKNOWN = 14;
    public static final int ERR_TRUNCATE = 15;
    public static final int ERR_OTHER = 16;
    public static final int ERR_INTERN = 17;
    public static final int ERR_IN_STATUS = 18;
    public static final int ERR_PENDING = 19;
    public static final int ERR_ACCESS = 20;
    public static final int ERR_AMODE = 21;
    public static final int ERR_ASSERT = 22;
    public static final int ERR_BAD_FILE = 23;
    public static final int ERR_BASE = 24;
    public static final int ERR_CONVERSION = 25;
    public static final int ERR_DISP = 26;
    public static final int ERR_DUP_DATAREP = 27;
    public static final int ERR_FILE_EXISTS = 28;
    public static final int ERR_FILE_IN_USE = 29;
    public static final int ERR_FILE = 30;
    public static final int ERR_INFO_KEY = 31;
    public static final int ERR_INFO_NOKEY = 32;
    public static final int ERR_INFO_VALUE = 33;
    public static final int ERR_INFO = 34;
    public static final int ERR_IO = 35;
    public static final int ERR_KEYVAL = 36;
    public static final int ERR_LOCKTYPE = 37;
    public static final int ERR_NAME = 38;
    public static final int ERR_NO_MEM = 39;
    public static final int ERR_NOT_SAME = 40;
    public static final int ERR_NO_SPACE = 41;
    public static final int ERR_NO_SUCH_FILE = 42;
    public static final int ERR_PORT = 43;
    public static final int ERR_QUOTA = 44;
    public static final int ERR_READ_ONLY = 45;
    public static final int ERR_RMA_CONFLICT = 46;
    public static final int ERR_RMA_SYNC = 47;
    public static final int ERR_SERVICE = 48;
    public static final int ERR_SIZE = 49;
    public static final int ERR_SPAWN = 50;
    public static final int ERR_UNSUPPORTED_DATAREP = 51;
    public static final int ERR_UNSUPPORTED_OPERATION = 52;
    public static final int ERR_WIN = 53;
    public static final int ERR_LASTCODE = 92;
    public static final int ERR_SYSRESOURCE = 0;

    public static final Op MAX = new Op(Op.Kind.MAX);
    public static final Op MIN = new Op(Op.Kind.MIN);
    public static final Op SUM = new Op(Op.Kind.SUM);
    public static final Op PROD = new Op(Op.Kind.PROD);
    public static final Op LAND = new Op(Op.Kind.LAND);
    public static final Op BAND = new Op(Op.Kind.BAND);
    public static final Op LOR = new Op(Op.Kind.LOR);
    public static final Op BOR = new Op(Op.Kind.BOR);
    public static final Op LXOR = new Op(Op.Kind.LXOR);
    public static final Op BXOR = new Op(Op.Kind.BXOR);
    public static final Op REPLACE = new Op(Op.Kind.REPLACE);
    public static final Op NO_OP = new Op(Op.Kind.NO_OP);
    public static final Op MINLOC = new Op(Op.Kind.MINLOC);
    public static final Op MAXLOC = new Op(Op.Kind.MAXLOC);

    public static final Datatype DATATYPE_NULL = Datatype.nullType();
    public static final Datatype BYTE = Datatype.basic(Datatype.BYTE, "MPI_UINT8_T");
    public static final Datatype CHAR = Datatype.basic(Datatype.CHAR, "MPI_UINT16_T");
    public static final Datatype SHORT = Datatype.basic(Datatype.SHORT, "MPI_INT16_T");
    public static final Datatype BOOLEAN = Datatype.basic(Datatype.BOOLEAN, "MPI_UINT8_T");
    public static final Datatype INT = Datatype.basic(Datatype.INT, "MPI_INT32_T");
    public static final Datatype LONG = Datatype.basic(Datatype.LONG, "MPI_INT64_T");
    public static final Datatype FLOAT = Datatype.basic(Datatype.FLOAT, "MPI_FLOAT");
    public static final Datatype DOUBLE = Datatype.basic(Datatype.DOUBLE, "MPI_DOUBLE");
    public static final Datatype PACKED = Datatype.basic(Datatype.PACKED, "MPI_PACKED");
    public static final Datatype FLOAT_COMPLEX = Datatype.complex(Datatype.FLOAT, "MPI_C_COMPLEX");
    public static final Datatype DOUBLE_COMPLEX = Datatype.complex(Datatype.DOUBLE, "MPI_C_DOUBLE_COMPLEX");
    public static final Datatype INT2 = Datatype.pair(Datatype.INT, 0, 4, 8, "MPI_2INT");
    public static final Datatype SHORT_INT = Datatype.pair(Datatype.SHORT, 0, 4, 8, "MPI_SHORT_INT");
    public static final Datatype LONG_INT = Datatype.pair(Datatype.LONG, 0, 8, 16, "MPI_LONG_INT");
    public static final Datatype FLOAT_INT = Datatype.pair(Datatype.FLOAT, 0, 4, 8, "MPI_FLOAT_INT");
    public static final Datatype DOUBLE_INT = Datatype.pair(Datatype.DOUBLE, 0, 8, 16, "MPI_DOUBLE_INT");

    public static final Int2 int2 = new Int2();
    public static final ShortInt shortInt = new ShortInt();
    public static final LongInt longInt = new LongInt();
    public static final FloatInt floatInt = new FloatInt();
    public static final DoubleInt doubleInt = new DoubleInt();

    public static final Request REQUEST_NULL = Request.nullRequest();
    public static final Group GROUP_EMPTY = new Group(new int[0]);
    public static final Info INFO_ENV = Info.environment();
    public static final Info INFO_NULL = Info.nullInfo();
    public static final Errhandler ERRORS_ARE_FATAL = new Errhandler(true);
    public static final Errhandler ERRORS_RETURN = new Errhandler(false);

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static Ringfold ringfold;
    private static boolean initialized;
    private static boolean finalized;
    private static Thread mainThread;

    public MPI()
    {
    }

    /** Joins the job; the arguments come back unchanged (Ringfold's launchers add none of their own). */
    public static String[] Init(final String[] args) throws MPIException
    {
        start();
        return args;
    }

    /** Ringfold's ranks are as thread-safe as one thread at a time makes them: THREAD_SERIALIZED at most. */
    public static int InitThread(final String[] args, final int required) throws MPIException
    {
        start();
        return Math.min(required, THREAD_SERIALIZED);
    }

    private static void start() throws MPIException
    {
        if (initialized)
        {
            throw new MPIException("MPI is already initialized.");
        }
        try
        {
            ringfold = Ringfold.init();
        }
        catch (final RuntimeException ex)
        {
            throw new MPIException("MPI.Init: cannot join a Ringfold job (start the program with bin/mpjrun, " +
                "mpirun or srun): " + ex.getMessage());
        }
        initialized = true;
        mainThread = Thread.currentThread();
        COMM_WORLD.bind(ringfold.world());
        COMM_SELF.bind(ringfold.world().split(ringfold.world().rank(), 0));
    }

    public static int queryThread() throws MPIException
    {
        check();
        return THREAD_SERIALIZED;
    }

    public static boolean isThreadMain() throws MPIException
    {
        check();
        return Thread.currentThread() == mainThread;
    }

    /** Waits for buffered sends, synchronises the ranks and leaves the job. */
    public static void Finalize() throws MPIException
    {
        check();
        BufferedSends.detach();
        COMM_WORLD.barrier();
        finalized = true;
        ringfold.close();
    }

    public static double wtime() throws MPIException
    {
        check();
        return System.nanoTime() * 1e-9;
    }

    public static double wtick() throws MPIException
    {
        check();
        return 1e-9;
    }

    public static Version getVersion()
    {
        return new Version(VERSION, SUBVERSION);
    }

    public static String getLibVersion()
    {
        return "Ringfold " + Ringfold.class.getPackage().getImplementationVersion() +
            ", Open MPI 4.1 Java API (MPI " + VERSION + "." + SUBVERSION + ")";
    }

    public static String getProcessorName() throws MPIException
    {
        check();
        return dev.ringfold.mpi.bootstrap.NodeIdentity.hostName();
    }

    public static boolean isInitialized() throws MPIException
    {
        return initialized;
    }

    public static boolean isFinalized() throws MPIException
    {
        return finalized;
    }

    public static void attachBuffer(final byte[] buffer) throws MPIException
    {
        check();
        BufferedSends.attach(buffer);
    }

    public static byte[] detachBuffer() throws MPIException
    {
        check();
        return BufferedSends.detach();
    }

    /** MPI_Pcontrol's profiling levels: there is no profiler to tell, as in Open MPI. */
    public static void pControl(final int level, final Object obj)
    {
    }

    public static ByteBuffer newByteBuffer(final int capacity)
    {
        return ByteBuffer.allocateDirect(capacity).order(NATIVE);
    }

    public static CharBuffer newCharBuffer(final int capacity)
    {
        return newByteBuffer(Math.multiplyExact(capacity, 2)).asCharBuffer();
    }

    public static ShortBuffer newShortBuffer(final int capacity)
    {
        return newByteBuffer(Math.multiplyExact(capacity, 2)).asShortBuffer();
    }

    public static IntBuffer newIntBuffer(final int capacity)
    {
        return newByteBuffer(Math.multiplyExact(capacity, 4)).asIntBuffer();
    }

    public static LongBuffer newLongBuffer(final int capacity)
    {
        return newByteBuffer(Math.multiplyExact(capacity, 8)).asLongBuffer();
    }

    public static FloatBuffer newFloatBuffer(final int capacity)
    {
        return newByteBuffer(Math.multiplyExact(capacity, 4)).asFloatBuffer();
    }

    public static DoubleBuffer newDoubleBuffer(final int capacity)
    {
        return newByteBuffer(Math.multiplyExact(capacity, 8)).asDoubleBuffer();
    }

    // Open MPI's slices: from offset to the buffer's capacity (its limit and position are reset, as there)

    public static ByteBuffer slice(final ByteBuffer buf, final int offset)
    {
        return buf.clear().position(offset).slice().order(NATIVE);
    }

    public static CharBuffer slice(final CharBuffer buf, final int offset)
    {
        return buf.clear().position(offset).slice();
    }

    public static ShortBuffer slice(final ShortBuffer buf, final int offset)
    {
        return buf.clear().position(offset).slice();
    }

    public static IntBuffer slice(final IntBuffer buf, final int offset)
    {
        return buf.clear().position(offset).slice();
    }

    public static LongBuffer slice(final LongBuffer buf, final int offset)
    {
        return buf.clear().position(offset).slice();
    }

    public static FloatBuffer slice(final FloatBuffer buf, final int offset)
    {
        return buf.clear().position(offset).slice();
    }

    public static DoubleBuffer slice(final DoubleBuffer buf, final int offset)
    {
        return buf.clear().position(offset).slice();
    }

    public static ByteBuffer slice(final byte[] buf, final int offset)
    {
        return ByteBuffer.wrap(buf, offset, buf.length - offset).slice().order(NATIVE);
    }

    public static CharBuffer slice(final char[] buf, final int offset)
    {
        return CharBuffer.wrap(buf, offset, buf.length - offset).slice();
    }

    public static ShortBuffer slice(final short[] buf, final int offset)
    {
        return ShortBuffer.wrap(buf, offset, buf.length - offset).slice();
    }

    public static IntBuffer slice(final int[] buf, final int offset)
    {
        return IntBuffer.wrap(buf, offset, buf.length - offset).slice();
    }

    public static LongBuffer slice(final long[] buf, final int offset)
    {
        return LongBuffer.wrap(buf, offset, buf.length - offset).slice();
    }

    public static FloatBuffer slice(final float[] buf, final int offset)
    {
        return FloatBuffer.wrap(buf, offset, buf.length - offset).slice();
    }

    public static DoubleBuffer slice(final double[] buf, final int offset)
    {
        return DoubleBuffer.wrap(buf, offset, buf.length - offset).slice();
    }

    /** A number for the node of a world rank: the lowest world rank on the same host (MPI_COMM_TYPE_SHARED). */
    static int hostIndex(final int worldRank)
    {
        final String host = ringfold.host(worldRank);
        for (int r = 0; r < worldRank; r++)
        {
            if (host.equals(ringfold.host(r)))
            {
                return r;
            }
        }
        return worldRank;
    }

    /** Open MPI's check before every call, with its messages. */
    static void check() throws MPIException
    {
        if (!initialized)
        {
            throw new MPIException("MPI is not initialized.");
        }
        if (finalized)
        {
            throw new MPIException("MPI is finalized.");
        }
    }
}
