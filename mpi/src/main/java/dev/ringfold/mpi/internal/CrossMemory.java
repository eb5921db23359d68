package dev.ringfold.mpi.internal;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cross Memory Attach: {@code process_vm_readv(2)} copies straight from another process's memory into ours,
 * the single copy Open MPI's vader uses. The receiver of a large message pulls the sender's bytes with it.
 * Needs ptrace permission over the peer (same user; Yama scope 0, or the peer calling
 * {@code prctl(PR_SET_PTRACER)}, which {@link #allowPeers()} does). Where it is refused the engine falls back
 * to streaming fragments through the ring.
 *
 * <p>Nothing is linked until it is needed: linking through the FFM API costs a rank tens of milliseconds, so the
 * copy calls are linked at the first copy (a failed link reads as {@link #EPERM}, and the engine streams), and
 * {@code prctl} only where Yama asks for it.
 */
public final class CrossMemory implements AutoCloseable
{
    private static final int EPERM = 1;
    private static final int ESRCH = 3;
    private static final int EFAULT = 14;
    private static final long PR_SET_PTRACER = 0x59616d61L;
    private static final long PR_SET_PTRACER_ANY = -1L;
    private static final Path YAMA_SCOPE = Path.of("/proc/sys/kernel/yama/ptrace_scope");

    /** The copy calls, linked when this class is first used (the first copy). */
    private static final class Copies
    {
        private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final MethodHandle READV;
        private static final MethodHandle WRITEV;

        static
        {
            MethodHandle readv = null;
            MethodHandle writev = null;
            try
            {
                final Linker linker = Linker.nativeLinker();
                final FunctionDescriptor vm = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG);
                readv = linker.downcallHandle(linker.defaultLookup().find("process_vm_readv").orElseThrow(), vm,
                    Linker.Option.captureCallState("errno"));
                writev = linker.downcallHandle(linker.defaultLookup().find("process_vm_writev").orElseThrow(), vm,
                    Linker.Option.captureCallState("errno"));
            }
            catch (final RuntimeException | LinkageError ex)
            {
                // no CMA on this platform: every copy reads as not permitted, and the engine streams instead
            }
            READV = readv;
            WRITEV = writev;
        }
    }

    private Arena arena;
    private MemorySegment localIov;
    private MemorySegment remoteIov;
    private MemorySegment callState;
    private long localIovAddress;
    private long remoteIovAddress;

    /** Whether the platform has cross-memory attach at all (Linux); whether a peer allows it shows at the first copy. */
    public static boolean supported()
    {
        return System.getProperty("os.name", "").startsWith("Linux");
    }

    /**
     * Lets processes of the same user read this one where Yama restricts ptrace to descendants (scope 1); without
     * Yama, or at scope 0, they may already, and at scopes 2 and 3 nothing this process does can allow it.
     */
    public static void allowPeers()
    {
        final String scope;
        try
        {
            scope = Files.readString(YAMA_SCOPE).trim();
        }
        catch (final IOException | RuntimeException ex)
        {
            return; // no Yama
        }
        if (!scope.equals("1"))
        {
            return;
        }
        try
        {
            final Linker linker = Linker.nativeLinker();
            final MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            final int ignored = (int)prctl.invokeExact((int)PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0L, 0L, 0L);
        }
        catch (final Throwable ignore)
        {
            // peers that try to pull get EPERM and stream instead
        }
    }

    /**
     * Copies {@code length} bytes from {@code remoteAddress} in process {@code pid} to {@code localAddress}.
     *
     * @return 0 on success, else the errno that stopped it ({@link #EPERM} when CMA is not permitted).
     */
    public int read(final long pid, final long localAddress, final long remoteAddress, final long length)
    {
        return copy(true, pid, localAddress, remoteAddress, length);
    }

    /**
     * Copies {@code length} bytes from {@code localAddress} to {@code remoteAddress} in process {@code pid}.
     *
     * @return 0 on success, else the errno that stopped it.
     */
    public int write(final long pid, final long localAddress, final long remoteAddress, final long length)
    {
        return copy(false, pid, localAddress, remoteAddress, length);
    }

    private int copy(final boolean read, final long pid, final long localAddress, final long remoteAddress,
        final long length)
    {
        final MethodHandle call = read ? Copies.READV : Copies.WRITEV;
        if (call == null)
        {
            return EPERM;
        }
        if (arena == null)
        {
            arena = Arena.ofShared();
            localIov = arena.allocate(16, 8);
            remoteIov = arena.allocate(16, 8);
            callState = arena.allocate(Copies.CAPTURE);
            localIovAddress = localIov.address();
            remoteIovAddress = remoteIov.address();
        }
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
                final int errno = (int)Copies.ERRNO.get(callState, 0L);
                return errno == 0 ? EFAULT : errno;
            }
            done += n;
        }
        return 0;
    }

    public static boolean isGoneError(final int errno)
    {
        return errno == ESRCH;
    }

    @Override
    public void close()
    {
        if (arena != null)
        {
            arena.close();
        }
    }
}
