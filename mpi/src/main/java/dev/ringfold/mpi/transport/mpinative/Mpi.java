package dev.ringfold.mpi.transport.mpinative;

import dev.ringfold.mpi.RingfoldException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The MPI calls the native device makes, bound once to the library {@link MpiLibrary#load} found. The handles are
 * static finals so that the JIT inlines the downcalls; the calls that sit on the message path (test, start,
 * isend, irecv) are bound as critical: they return in well under a microsecond and never call back into Java, so
 * the thread need not leave the Java state for them. Open MPI ABI: handles are pointers, MPI_Status is
 * {@code int MPI_SOURCE, MPI_TAG, MPI_ERROR, _cancelled; size_t _ucount}.
 */
final class Mpi
{
    static final int SUCCESS = 0;
    static final int ANY_SOURCE = -1;
    static final int ANY_TAG = -1;
    static final int THREAD_SINGLE = 0;
    static final int THREAD_FUNNELED = 1;
    static final int THREAD_SERIALIZED = 2;
    static final int THREAD_MULTIPLE = 3;
    static final int HANDLE_BYTES = 8;
    static final int STATUS_BYTES = 24;
    static final int STATUS_SOURCE_OFFSET = 0;
    static final int STATUS_TAG_OFFSET = 4;
    /** MPI_IN_PLACE in Open MPI's mpi.h. */
    static final long IN_PLACE = 1L;

    static final MemorySegment COMM_WORLD;
    static final long BYTE;
    static final long REQUEST_NULL;

    private static final MethodHandle INIT_THREAD;
    private static final MethodHandle FINALIZE;
    private static final MethodHandle FINALIZED;
    private static final MethodHandle COMM_RANK;
    private static final MethodHandle COMM_SIZE;
    private static final MethodHandle COMM_DUP;
    private static final MethodHandle COMM_FREE;
    private static final MethodHandle ISEND;
    private static final MethodHandle IRECV;
    private static final MethodHandle RECV_INIT;
    private static final MethodHandle START;
    private static final MethodHandle TEST;
    private static final MethodHandle WAIT;
    private static final MethodHandle CANCEL;
    private static final MethodHandle REQUEST_FREE;
    private static final MethodHandle ALLGATHER;
    private static final MethodHandle ERROR_STRING;
    private static final MethodHandle IALLREDUCE;
    private static final MethodHandle IBCAST;
    private static final MethodHandle COMM_GROUP;
    private static final MethodHandle GROUP_INCL;
    private static final MethodHandle GROUP_FREE;
    private static final MethodHandle COMM_CREATE_GROUP;

    static
    {
        final MpiLibrary lib = MpiLibrary.loaded();
        COMM_WORLD = lib.commWorld;
        BYTE = lib.byteType.address();
        REQUEST_NULL = lib.requestNull.address();
        final Linker.Option critical = Linker.Option.critical(false);
        INIT_THREAD = bind(lib, "MPI_Init_thread", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        FINALIZE = bind(lib, "MPI_Finalize", FunctionDescriptor.of(JAVA_INT));
        FINALIZED = bind(lib, "MPI_Finalized", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        COMM_RANK = bind(lib, "MPI_Comm_rank", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        COMM_SIZE = bind(lib, "MPI_Comm_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        COMM_DUP = bind(lib, "MPI_Comm_dup", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        COMM_FREE = bind(lib, "MPI_Comm_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // pointers as raw addresses (the same register class on the 64-bit ABIs), so the message path makes no
        // MemorySegment objects
        final FunctionDescriptor pointToPoint =
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
        ISEND = bind(lib, "MPI_Isend", pointToPoint, critical);
        IRECV = bind(lib, "MPI_Irecv", pointToPoint, critical);
        RECV_INIT = bind(lib, "MPI_Recv_init", pointToPoint);
        START = bind(lib, "MPI_Start", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), critical);
        TEST = bind(lib, "MPI_Test", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), critical);
        WAIT = bind(lib, "MPI_Wait", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        CANCEL = bind(lib, "MPI_Cancel", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        REQUEST_FREE = bind(lib, "MPI_Request_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        ALLGATHER = bind(lib, "MPI_Allgather",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        ERROR_STRING = bind(lib, "MPI_Error_string", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        IALLREDUCE = bind(lib, "MPI_Iallreduce",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            critical);
        IBCAST = bind(lib, "MPI_Ibcast",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), critical);
        COMM_GROUP = bind(lib, "MPI_Comm_group", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        GROUP_INCL = bind(lib, "MPI_Group_incl", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        GROUP_FREE = bind(lib, "MPI_Group_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        COMM_CREATE_GROUP = bind(lib, "MPI_Comm_create_group",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    }

    private Mpi()
    {
    }

    private static MethodHandle bind(final MpiLibrary lib, final String function, final FunctionDescriptor descriptor,
        final Linker.Option... options)
    {
        return Linker.nativeLinker().downcallHandle(lib.symbols.find(function).orElseThrow(), descriptor, options);
    }

    /** Initialises MPI asking for {@code required}; returns the thread level the library provides. */
    static int initThread(final int required)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment provided = arena.allocate(JAVA_INT);
            check("MPI_Init_thread", (int)INIT_THREAD.invokeExact(MemorySegment.NULL, MemorySegment.NULL, required,
                provided));
            return provided.get(JAVA_INT, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void finalizeLibrary()
    {
        try
        {
            check("MPI_Finalize", (int)FINALIZE.invokeExact());
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static boolean finalized()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment flag = arena.allocate(JAVA_INT);
            check("MPI_Finalized", (int)FINALIZED.invokeExact(flag));
            return flag.get(JAVA_INT, 0) != 0;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static int commRank(final MemorySegment comm)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return commInto(COMM_RANK, "MPI_Comm_rank", comm, arena.allocate(JAVA_INT)).get(JAVA_INT, 0);
        }
    }

    static int commSize(final MemorySegment comm)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return commInto(COMM_SIZE, "MPI_Comm_size", comm, arena.allocate(JAVA_INT)).get(JAVA_INT, 0);
        }
    }

    /** A duplicate of {@code comm}: a communication space of its own, so nothing else in the process can match it. */
    static MemorySegment commDup(final MemorySegment comm)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return commInto(COMM_DUP, "MPI_Comm_dup", comm, arena.allocate(ADDRESS)).get(ADDRESS, 0);
        }
    }

    /** Calls an MPI function of the form {@code f(comm, &out)}: its answer is in {@code out}, which it returns. */
    private static MemorySegment commInto(final MethodHandle handle, final String what, final MemorySegment comm,
        final MemorySegment out)
    {
        try
        {
            check(what, (int)handle.invokeExact(comm, out));
            return out;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void commFree(final MemorySegment comm)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment handle = arena.allocate(ADDRESS);
            handle.set(ADDRESS, 0, comm);
            check("MPI_Comm_free", (int)COMM_FREE.invokeExact(handle));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void isend(final long address, final int length, final int peer, final int tag, final long comm,
        final long request)
    {
        pointToPoint(ISEND, "MPI_Isend", address, length, peer, tag, comm, request);
    }

    static void irecv(final long address, final int length, final int peer, final int tag, final long comm,
        final long request)
    {
        pointToPoint(IRECV, "MPI_Irecv", address, length, peer, tag, comm, request);
    }

    private static void pointToPoint(final MethodHandle call, final String name, final long address, final int length,
        final int peer, final int tag, final long comm, final long request)
    {
        final int rc;
        try
        {
            rc = (int)call.invokeExact(address, length, BYTE, peer, tag, comm, request);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
        if (rc != SUCCESS)
        {
            // the message is built only here, so that the message path concatenates nothing
            throw failed(name + " of " + length + " bytes, peer rank " + peer + ", tag " + tag, rc);
        }
    }

    static void recvInit(final long buffer, final int length, final int peer, final int tag, final long comm,
        final long request)
    {
        try
        {
            check("MPI_Recv_init", (int)RECV_INIT.invokeExact(buffer, length, BYTE, peer, tag, comm, request));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void start(final long request)
    {
        try
        {
            check("MPI_Start", (int)START.invokeExact(request));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Whether the request has completed; {@code flag} is scratch for the answer, {@code status} receives it. */
    static boolean test(final long request, final MemorySegment flag, final long status)
    {
        try
        {
            check("MPI_Test", (int)TEST.invokeExact(request, flag.address(), status));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
        return flag.get(JAVA_INT, 0) != 0;
    }

    static void await(final long request)
    {
        try
        {
            check("MPI_Wait", (int)WAIT.invokeExact(MemorySegment.ofAddress(request), MemorySegment.NULL));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void cancel(final long request)
    {
        try
        {
            check("MPI_Cancel", (int)CANCEL.invokeExact(MemorySegment.ofAddress(request)));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void requestFree(final long request)
    {
        try
        {
            check("MPI_Request_free", (int)REQUEST_FREE.invokeExact(MemorySegment.ofAddress(request)));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Every rank's {@code blockBytes} from {@code send}, in rank order, into {@code receive}. */
    static void allGather(final MemorySegment send, final int blockBytes, final MemorySegment receive,
        final MemorySegment comm)
    {
        try
        {
            check("MPI_Allgather", (int)ALLGATHER.invokeExact(send, blockBytes, BYTE, receive, blockBytes, BYTE, comm));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** {@code MPI_Iallreduce}; {@code src == IN_PLACE} for in place. */
    static void iallReduce(final long src, final long dst, final int count, final long datatype, final long op,
        final long comm, final long request)
    {
        try
        {
            check("MPI_Iallreduce", (int)IALLREDUCE.invokeExact(src, dst, count, datatype, op, comm, request));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void ibcast(final long address, final int bytes, final int root, final long comm, final long request)
    {
        try
        {
            check("MPI_Ibcast", (int)IBCAST.invokeExact(address, bytes, BYTE, root, comm, request));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * A communicator of the given world ranks, in that order: {@code MPI_Comm_create_group}, collective over those
     * ranks only.
     */
    static MemorySegment commOfWorldRanks(final int[] worldRanks)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment world = arena.allocate(ADDRESS);
            final MemorySegment group = arena.allocate(ADDRESS);
            final MemorySegment ranks = arena.allocateFrom(JAVA_INT, worldRanks);
            final MemorySegment comm = arena.allocate(ADDRESS);
            check("MPI_Comm_group", (int)COMM_GROUP.invokeExact(COMM_WORLD, world));
            check("MPI_Group_incl", (int)GROUP_INCL.invokeExact(world.get(ADDRESS, 0), worldRanks.length, ranks,
                group));
            check("MPI_Comm_create_group", (int)COMM_CREATE_GROUP.invokeExact(COMM_WORLD, group.get(ADDRESS, 0), 0,
                comm));
            check("MPI_Group_free", (int)GROUP_FREE.invokeExact(group));
            check("MPI_Group_free", (int)GROUP_FREE.invokeExact(world));
            return comm.get(ADDRESS, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    private static void check(final String call, final int rc)
    {
        if (rc != SUCCESS)
        {
            throw failed(call, rc);
        }
    }

    private static RingfoldException failed(final String call, final int rc)
    {
        return new RingfoldException(call + " failed in " + MpiLibrary.loaded().name() + ": error " + rc + " (" +
            errorString(rc) + ")");
    }

    private static String errorString(final int rc)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment text = arena.allocate(1024);
            final MemorySegment length = arena.allocate(JAVA_INT);
            if ((int)ERROR_STRING.invokeExact(rc, text, length) != SUCCESS)
            {
                return "no description";
            }
            return text.getString(0);
        }
        catch (final Throwable t)
        {
            return "no description: " + t;
        }
    }

    private static RuntimeException rethrow(final Throwable t)
    {
        if (t instanceof RuntimeException r)
        {
            return r;
        }
        if (t instanceof Error e)
        {
            throw e;
        }
        return new RingfoldException("MPI downcall failed: " + t, t);
    }

}
