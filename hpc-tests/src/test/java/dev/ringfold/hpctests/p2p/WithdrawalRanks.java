package dev.ringfold.hpctests.p2p;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.DeadlineExceededException;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.TransferWithdrawnException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * Issue 21 item 1, at np 2: after each kind of deadline or cancel the caller frees its buffer at once
 * ({@code Arena.close()}) and the job runs on. Had the runtime touched the freed buffer later (a stream's DATA, a
 * move by address, a peer's cross-memory pull), the rank would die with SIGSEGV or the peer would read garbage;
 * the test checks the job ends with exit code 0 and every line below. Prints "withdrawal: ..." per scenario.
 */
public final class WithdrawalRanks
{
    private static final int BIG = 64 << 20;

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator w = rf.world();
            final Communicator quick = w.dup().timeout(Duration.ofSeconds(1));
            receiverTimesOut(w, quick);
            senderTimesOut(w, quick);
            cancelledReceive(w);
            eagerReceiveTimesOut(w, quick);
            w.barrier();
            System.out.println("ok withdrawal rank " + w.rank());
        }
    }

    /** The reproduction: rank 1's receive of a large message matches, then its deadline passes. */
    private static void receiverTimesOut(final Communicator w, final Communicator quick)
    {
        if (w.rank() == 0)
        {
            try (Arena arena = Arena.ofShared())
            {
                final MemorySegment data = arena.allocate(BIG, 64);
                data.fill((byte)7);
                final Request send = quick.isend(data, 1, 4);
                sleep(3000);
                final String outcome = outcome(send::await);
                System.out.println("withdrawal: receiver-timeout sender " + outcome);
            }
        }
        else
        {
            final Arena arena = Arena.ofShared();
            final MemorySegment into = arena.allocate(BIG, 64);
            final String outcome = outcome(() -> quick.recv(into, 0, 4));
            arena.close(); // at once: nothing may write into it any more
            System.out.println("withdrawal: receiver-timeout receiver " + outcome);
        }
        w.barrier(); // drives progress on both: late frames for the withdrawn transfer arrive here
    }

    /** Rank 0's large send passes its deadline while rank 1 is busy elsewhere; rank 0 frees its buffer. */
    private static void senderTimesOut(final Communicator w, final Communicator quick)
    {
        if (w.rank() == 0)
        {
            final Arena arena = Arena.ofShared();
            final MemorySegment data = arena.allocate(BIG, 64);
            data.fill((byte)9);
            final String outcome = outcome(() -> quick.send(data, 1, 5));
            arena.close();
            System.out.println("withdrawal: sender-timeout sender " + outcome);
            w.barrier();
        }
        else
        {
            sleep(3000);
            w.barrier(); // progress here takes rank 0's RTS and then its cancel
            Check.that(quick.iprobe(0, 5) == null, "a withdrawn send is never received");
            System.out.println("withdrawal: sender-timeout receiver saw no message");
        }
        w.barrier();
    }

    /** A non-blocking receive, matched and moving, abandoned with cancel(): its buffer may be freed at once. */
    private static void cancelledReceive(final Communicator w)
    {
        if (w.rank() == 0)
        {
            try (Arena arena = Arena.ofShared())
            {
                final MemorySegment data = arena.allocate(BIG, 64);
                final Request send = w.isend(data, 1, 6);
                sleep(2000);
                System.out.println("withdrawal: cancel sender " + outcome(send::await));
            }
        }
        else
        {
            final Arena arena = Arena.ofShared();
            final Request recv = w.irecv(arena.allocate(BIG, 64), 0, 6);
            final long until = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < until && !recv.test())
            {
                Thread.onSpinWait();
            }
            final boolean withdrawn = recv.cancel();
            Check.that(!recv.isActive() || !withdrawn, "a withdrawn request is inactive");
            arena.close();
            System.out.println("withdrawal: cancel receiver " + (withdrawn ? "withdrawn" : "completed"));
        }
        w.barrier();
    }

    /** An eager-sized receive nobody answers in time; the message sent later goes to the next receive. */
    private static void eagerReceiveTimesOut(final Communicator w, final Communicator quick)
    {
        if (w.rank() == 1)
        {
            final Arena arena = Arena.ofShared();
            final MemorySegment small = arena.allocate(8);
            System.out.println("withdrawal: eager receiver " + outcome(() -> quick.recv(small, 0, 7)));
            arena.close();
            w.barrier();
            try (Arena again = Arena.ofConfined())
            {
                final MemorySegment next = again.allocate(8);
                quick.recv(next, 0, 7);
                Check.equal(4242, next.get(ValueLayout.JAVA_LONG, 0), "the later message reaches the later receive");
            }
        }
        else
        {
            w.barrier();
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment small = arena.allocate(8);
                small.set(ValueLayout.JAVA_LONG, 0, 4242);
                quick.send(small, 1, 7);
            }
        }
    }

    private static String outcome(final Runnable call)
    {
        try
        {
            call.run();
            return "completed";
        }
        catch (final DeadlineExceededException ex)
        {
            return "deadline";
        }
        catch (final TransferWithdrawnException ex)
        {
            return "withdrawn-by-peer (" + ex.getMessage() + ")";
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
