package dev.ringfold.hpctests.p2p;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.DeadlineExceededException;
import dev.ringfold.mpi.Ringfold;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Run with RINGFOLD_TIMEOUT_MS=1000: rank 0's receive that nobody answers fails with a message saying what it
 * waited for, is withdrawn, and the communicator keeps working: the message rank 1 sends later with the same tag
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
                Check.that(msg.contains("receive from world rank 1") && msg.contains("tag 5"), "says what it waited for: " + msg);
                System.out.println("deadline: " + msg);
            }
            else
            {
                sleep(1300); // not a Ringfold wait: rank 1 is simply late, past rank 0's 1000 ms deadline
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
