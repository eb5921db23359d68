package dev.ringfold.hpctests.p2p;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.DeadlineExceededException;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;

/**
 * Run with RINGFOLD_TIMEOUT_MS=1000 and RINGFOLD_STALL_MS=400: rank 0's receive that nobody answers reports a stall,
 * then fails with a message saying what it waited for, is withdrawn (as are those past a per-call and a
 * per-communicator deadline), and the communicator keeps working: the message rank 1 sends later with the same tag
 * goes to rank 0's next receive, not to the abandoned one.
 */
public final class DeadlineRanks
{
    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator w = rf.world();
            final UnsafeBuffer b = new UnsafeBuffer(new byte[8]);
            if (w.rank() == 0)
            {
                final String msg = Check.raises(DeadlineExceededException.class, () -> w.recv(b, 0, 8, 1, 5),
                    "receive nobody answers").getMessage();
                Check.that(msg.contains("receive of up to 8 bytes from world rank 1") && msg.contains("tag 5"),
                    "says what it waited for: " + msg);
                System.out.println("deadline: " + msg);
                // a deadline per call, shorter than the communicator's
                final Request r = w.irecv(b, 0, 8, 1, 5);
                final long t0 = System.nanoTime();
                final String perCall = Check.raises(DeadlineExceededException.class,
                    () -> r.await(Duration.ofMillis(100)), "per-call deadline").getMessage();
                Check.that(perCall.contains("timed out after 100 ms") && System.nanoTime() - t0 < 900_000_000L,
                    "the call's own deadline applies: " + perCall);
                // and one per communicator, inherited by what is split from it
                final Communicator quick = w.dup().timeout(Duration.ofMillis(150)).dup();
                Check.equal(150, quick.timeout().toMillis(), "a duplicate inherits the deadline");
                final String perComm = Check.raises(DeadlineExceededException.class,
                    () -> quick.recv(b, 0, 8, 1, 5), "per-communicator deadline").getMessage();
                Check.that(perComm.contains("timed out after 150 ms") && perComm.contains("WORLD.dup"),
                    "the communicator's deadline applies and it is named: " + perComm);
                Check.raises(IllegalArgumentException.class, () -> w.timeout(Duration.ofMillis(-1)), "negative timeout");
            }
            else
            {
                sleep(1300); // not a Ringfold wait: rank 1 is simply late, past rank 0's deadlines
                w.dup().dup(); // matches rank 0's two dups
            }
            w.barrier();
            if (w.rank() == 1)
            {
                b.putLong(0, 4242);
                w.send(b, 0, 8, 0, 5);
            }
            else
            {
                w.recv(b, 0, 8, 1, 5);
                Check.equal(4242, b.getLong(0), "the later message reaches the later receive");
            }
            w.barrier();
            System.out.println("ok deadline rank " + w.rank());
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
