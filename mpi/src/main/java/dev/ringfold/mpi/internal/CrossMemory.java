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

    /**
     * The copy calls, linked when this class is first used (the first copy). Their pointers are plain longs and they
     * capture no errno: a handle that captures it makes a memory segment per call wherever the JIT does not remove it
     * (every call under C1, some under C2), so a copy's steady state would allocate.
     */
    private static final class Copies
    {
        private static final MethodHandle READV;
        private static final MethodHandle WRITEV;

        static
        {
            MethodHandle readv = null;
            MethodHandle writev = null;
            try
            {
                readv = link("process_vm_readv");
                writev = link("process_vm_writev");
            }
            catch (final RuntimeException | LinkageError ex)
            {
                // no CMA on this platform: every copy reads as not permitted, and the engine streams instead
            }
            READV = readv;
            WRITEV = writev;
        }
    }

    /**
     * The same calls capturing errno, linked at the first failure: a failed copy (not permitted, the peer gone, a bad
     * address) fails again when repeated, and the repeat says why.
     */
    private static final class Failures
    {
        private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final MethodHandle READV = link("process_vm_readv", Linker.Option.captureCallState("errno"));
        private static final MethodHandle WRITEV = link("process_vm_writev", Linker.Option.captureCallState("errno"));
    }

    /** {@code ssize_t fn(pid_t, const struct iovec *, unsigned long, const struct iovec *, unsigned long, unsigned long)}. */
    private static MethodHandle link(final String function, final Linker.Option... options)
    {
        final Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(function).orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), options);
    }

    private Arena arena;
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
        if (Copies.READV == null)
        {
            return EPERM;
        }
        if (arena == null)
        {
            arena = Arena.ofShared();
            localIovAddress = arena.allocate(16, 8).address();
            remoteIovAddress = arena.allocate(16, 8).address();
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
                // each call site names its handle, a constant the JIT inlines
                n = read ? (long)Copies.READV.invokeExact((int)pid, localIovAddress, 1L, remoteIovAddress, 1L, 0L) :
                    (long)Copies.WRITEV.invokeExact((int)pid, localIovAddress, 1L, remoteIovAddress, 1L, 0L);
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException("process_vm_readv/writev failed", ex);
            }
            if (n <= 0)
            {
                final long again = repeatCapturingErrno(read, pid);
                if (again <= 0)
                {
                    return again == 0 ? EFAULT : (int)-again;
                }
                done += again;
                continue;
            }
            done += n;
        }
        return 0;
    }

    /**
     * Repeats the copy that {@link Copies} just refused through a handle that captures errno: the bytes it copied, or
     * minus the errno (0 for none and no bytes).
     */
    private long repeatCapturingErrno(final boolean read, final long pid)
    {
        if (callState == null)
        {
            callState = arena.allocate(Failures.CAPTURE);
        }
        try
        {
            final long n = read ?
                (long)Failures.READV.invokeExact(callState, (int)pid, localIovAddress, 1L, remoteIovAddress, 1L, 0L) :
                (long)Failures.WRITEV.invokeExact(callState, (int)pid, localIovAddress, 1L, remoteIovAddress, 1L, 0L);
            return n >= 0 ? n : -(int)Failures.ERRNO.get(callState, 0L);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("process_vm_readv/writev failed", ex);
        }
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
