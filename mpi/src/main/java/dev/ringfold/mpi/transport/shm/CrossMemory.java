package dev.ringfold.mpi.transport.shm;

import org.agrona.UnsafeApi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Cross Memory Attach: {@code process_vm_readv(2)} copies straight from another process's memory into ours,
 * the single copy Open MPI's vader uses. The receiver of a large message pulls the sender's bytes with it.
 * Needs ptrace permission over the peer (same user; Yama scope 0, or the peer calling
 * {@code prctl(PR_SET_PTRACER)}, which {@link #allowPeers()} does). Where it is refused the engine falls back
 * to streaming fragments through the ring.
 */
public final class CrossMemory implements AutoCloseable
{
    private static final int EPERM = 1;
    private static final int ESRCH = 3;
    private static final int EFAULT = 14;
    private static final long PR_SET_PTRACER = 0x59616d61L;
    private static final long PR_SET_PTRACER_ANY = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle READV;
    private static final MethodHandle WRITEV;
    private static final MethodHandle PRCTL;

    static
    {
        MethodHandle readv = null;
        MethodHandle writev = null;
        MethodHandle prctl = null;
        try
        {
            final FunctionDescriptor vm = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
            readv = LINKER.downcallHandle(LINKER.defaultLookup().find("process_vm_readv").orElseThrow(), vm,
                Linker.Option.captureCallState("errno"));
            writev = LINKER.downcallHandle(LINKER.defaultLookup().find("process_vm_writev").orElseThrow(), vm,
                Linker.Option.captureCallState("errno"));
            prctl = LINKER.downcallHandle(
                LINKER.defaultLookup().find("prctl").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        }
        catch (final RuntimeException | LinkageError ex)
        {
            // no CMA on this platform: the engine streams fragments instead
        }
        READV = readv;
        WRITEV = writev;
        PRCTL = prctl;
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment localIov = arena.allocate(16, 8);
    private final MemorySegment remoteIov = arena.allocate(16, 8);
    private final MemorySegment callState = arena.allocate(CAPTURE);
    private final long localIovAddress = localIov.address();
    private final long remoteIovAddress = remoteIov.address();

    public static boolean supported()
    {
        return READV != null && WRITEV != null;
    }

    /** Lets processes of the same user read this one where Yama restricts ptrace; harmless elsewhere. */
    public static void allowPeers()
    {
        if (PRCTL != null)
        {
            try
            {
                final int ignored = (int)PRCTL.invokeExact((int)PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0L, 0L, 0L);
            }
            catch (final Throwable ignore)
            {
            }
        }
    }

    /**
     * Copies {@code length} bytes from {@code remoteAddress} in process {@code pid} to {@code localAddress}.
     *
     * @return 0 on success, else the errno that stopped it ({@link #EPERM} when CMA is not permitted).
     */
    public int read(final long pid, final long localAddress, final long remoteAddress, final long length)
    {
        return copy(READV, pid, localAddress, remoteAddress, length);
    }

    /**
     * Copies {@code length} bytes from {@code localAddress} to {@code remoteAddress} in process {@code pid}.
     *
     * @return 0 on success, else the errno that stopped it.
     */
    public int write(final long pid, final long localAddress, final long remoteAddress, final long length)
    {
        return copy(WRITEV, pid, localAddress, remoteAddress, length);
    }

    private int copy(final MethodHandle call, final long pid, final long localAddress, final long remoteAddress,
        final long length)
    {
        long done = 0;
        while (done < length)
        {
            // plain stores: VarHandle access allocates until the JIT has compiled it
            UnsafeApi.putLong(localIovAddress, localAddress + done);
            UnsafeApi.putLong(localIovAddress + 8, length - done);
            UnsafeApi.putLong(remoteIovAddress, remoteAddress + done);
            UnsafeApi.putLong(remoteIovAddress + 8, length - done);
            final long n;
            try
            {
                n = (long)call.invokeExact(callState, (int)pid, localIov, 1L, remoteIov, 1L, 0L);
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException("process_vm_readv/writev failed", ex);
            }
            if (n <= 0)
            {
                final int errno = (int)ERRNO.get(callState, 0L);
                return errno == 0 ? EFAULT : errno;
            }
            done += n;
        }
        return 0;
    }

    public static boolean isPermissionError(final int errno)
    {
        return errno == EPERM;
    }

    public static boolean isGoneError(final int errno)
    {
        return errno == ESRCH;
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
