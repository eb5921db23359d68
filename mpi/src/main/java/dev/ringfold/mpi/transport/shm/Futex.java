package dev.ringfold.mpi.transport.shm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code futex(2)} on a word of a shared mapping: a process sleeps until another process wakes the word (or a
 * timeout passes), which is how a rank waiting for a message gets the core back the moment the message is there,
 * where a timed park wakes blind. Not private futexes: the word lives in a file mapped by several processes, and the
 * kernel keys the wait by file and offset.
 *
 * <p>Linking through the FFM API costs a rank tens of milliseconds, so nothing is linked at start-up: the first
 * {@link #link()} starts the linking on a daemon thread, and until it is done {@link #ready()} is false and callers
 * park instead. Platforms without a known futex system call number never become ready.
 */
final class Futex
{
    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;
    private static final long SYS_FUTEX = switch (System.getProperty("os.arch", ""))
    {
        case "amd64", "x86_64" -> 202;
        case "aarch64" -> 98;
        default -> -1;
    };
    /** {@code prctl(2)}'s number, through the same {@code syscall(2)} handle. */
    private static final long SYS_PRCTL = switch (System.getProperty("os.arch", ""))
    {
        case "amd64", "x86_64" -> 157;
        case "aarch64" -> 167;
        default -> -1;
    };
    private static final long PR_SET_TIMERSLACK = 29;
    /**
     * The timer slack a waiting thread asks for: no more than the shortest park of the back-off (1 µs), where Linux's
     * default of 50 µs makes every timed park of a thread, however short, last at least that long.
     */
    static final long PRECISE_SLACK_NS = 1_000;
    private static final AtomicBoolean LINKING = new AtomicBoolean();
    private static volatile MethodHandle syscall;

    private Futex()
    {
    }

    /** Starts linking the system call, once, off the caller's thread. */
    static void link()
    {
        if (SYS_FUTEX < 0 || !System.getProperty("os.name", "").startsWith("Linux") || !LINKING.compareAndSet(false, true))
        {
            return;
        }
        Thread.ofPlatform().daemon().name("ringfold-futex-link").start(() ->
        {
            try
            {
                final Linker linker = Linker.nativeLinker();
                // long syscall(long number, ...): every argument a full register
                final MethodHandle handle = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    Linker.Option.firstVariadicArg(1));
                final long woken = (long)handle.invokeExact(SYS_FUTEX, 0L, FUTEX_WAKE, 0L, 0L);
                syscall = handle;
            }
            catch (final Throwable ex)
            {
                // no futex here: waiters keep parking
            }
        });
    }

    static boolean ready()
    {
        return syscall != null;
    }

    /**
     * Sleeps while the int at {@code address} holds {@code expected}, at most {@code timespec}'s time (the address of
     * a {@code struct timespec} the caller owns), or until woken. Returns at once if the word differs.
     */
    static void await(final long address, final int expected, final long timespec)
    {
        try
        {
            final long ignored = (long)syscall.invokeExact(SYS_FUTEX, address, FUTEX_WAIT, (long)expected, timespec);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("futex wait failed", ex);
        }
    }

    /**
     * Asks the kernel to end the calling thread's timed sleeps (parks, futex waits) within {@link #PRECISE_SLACK_NS}
     * of their time instead of the default 50 µs later: a rank's short parks then last about what they ask for.
     * The setting stays with the thread. Only once {@link #ready()}; a refusal changes nothing.
     */
    static void preciseTimers()
    {
        if (SYS_PRCTL < 0)
        {
            return;
        }
        try
        {
            final long ignored = (long)syscall.invokeExact(SYS_PRCTL, PR_SET_TIMERSLACK, PRECISE_SLACK_NS, 0L, 0L);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("prctl(PR_SET_TIMERSLACK) failed", ex);
        }
    }

    /** Wakes the waiters on the int at {@code address}. */
    static void wake(final long address)
    {
        try
        {
            final long ignored = (long)syscall.invokeExact(SYS_FUTEX, address, FUTEX_WAKE, (long)Integer.MAX_VALUE, 0L);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("futex wake failed", ex);
        }
    }
}
