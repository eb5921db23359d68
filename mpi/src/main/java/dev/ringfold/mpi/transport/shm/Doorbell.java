package dev.ringfold.mpi.transport.shm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A word in a rank's ring file that says whether the rank sleeps waiting for input. The owner sets it before it
 * sleeps and checks its rings once more; a sender, after committing a frame, reads it and wakes a sleeper. Both sides
 * store, then fence, then load (the owner: the word, then the rings' tails; the sender: the ring's tail, then the
 * word), so at least one of them sees the other: either the owner finds the frame and does not sleep, or the sender
 * finds the owner asleep and wakes it.
 */
final class Doorbell
{
    static final int AWAKE = 0;
    static final int SLEEPING = 1;
    /**
     * How long an owner waits in timed parks before it links the futex call: linking spins method handles and a
     * native stub, tens of milliseconds of CPU and more of the JIT's, which a short job (a hello, a test) whose waits
     * add up to little never needs to pay; a rank that keeps waiting links once and sleeps on the futex from then on.
     */
    static final long LINK_AFTER_WAITING_NS = 100_000_000L;

    private final UnsafeBuffer header;
    private final int offset;
    private final long address;
    private MemorySegment timespec;
    private long parkedNs;
    /** The thread whose timers were made precise last (the owner's waits come from one thread at a time). */
    private Thread preciseThread;

    Doorbell(final UnsafeBuffer header, final int offset)
    {
        this.header = header;
        this.offset = offset;
        this.address = header.addressOffset() + offset;
    }

    /** The owner: sleeps up to {@code timeoutNs} unless {@code inputs} has input now, or a sender rings. */
    void sleep(final long timeoutNs, final ShmTransport inputs)
    {
        if (!Futex.ready())
        {
            final long start = System.nanoTime();
            LockSupport.parkNanos(timeoutNs);
            parkedNs += System.nanoTime() - start;
            if (parkedNs >= LINK_AFTER_WAITING_NS)
            {
                Futex.link();
            }
            return;
        }
        preciseTimers();
        if (timespec == null)
        {
            timespec = Arena.ofAuto().allocate(16, 8);
        }
        header.putIntVolatile(offset, SLEEPING);
        if (!inputs.hasInput())
        {
            timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNs / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNs % 1_000_000_000L);
            Futex.await(address, SLEEPING, timespec.address());
        }
        header.putIntRelease(offset, AWAKE);
    }

    /**
     * The owner: parks about {@code ns} without waiting for a ring (a back-off's short park). Once the futex is
     * linked, the parking thread's timer slack is made precise first, so that a park of a few µs does not last the
     * kernel's default 50 µs slack (BENCHMARKS.md, "The stencil's steady state"). These parks do not count towards
     * linking: a job whose waits end within them (a short one) does not pay for the link.
     */
    void park(final long ns)
    {
        if (Futex.ready())
        {
            preciseTimers();
        }
        LockSupport.parkNanos(ns);
    }

    private void preciseTimers()
    {
        final Thread current = Thread.currentThread();
        if (preciseThread != current)
        {
            preciseThread = current;
            Futex.preciseTimers();
        }
    }

    /** A sender, after committing a frame to the owner's ring: wakes the owner if it sleeps. */
    void ring()
    {
        VarHandle.fullFence();
        if (header.getIntVolatile(offset) == SLEEPING && header.compareAndSetInt(offset, SLEEPING, AWAKE))
        {
            if (Futex.ready())
            {
                Futex.wake(address);
            }
            else
            {
                Futex.link(); // this time the owner wakes at its timeout
            }
        }
    }
}
