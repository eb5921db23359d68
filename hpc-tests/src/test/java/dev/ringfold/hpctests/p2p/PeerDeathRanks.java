package dev.ringfold.hpctests.p2p;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Ringfold;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Rank 1 halts abruptly (no close, no goodbye: {@code Runtime.halt}, exit code 0 so the launcher does not stop the
 * job for us) while every other rank waits to receive from it. Each waiting rank must get a PeerFailedException
 * naming world rank 1, and prints how long detection took.
 */
public final class PeerDeathRanks
{
    public static void main(final String[] args)
    {
        final Ringfold rf = Ringfold.init();
        final Communicator w = rf.world();
        w.barrier();
        if (w.rank() == 1)
        {
            Runtime.getRuntime().halt(0);
        }
        final UnsafeBuffer b = new UnsafeBuffer(new byte[8]);
        final long start = System.nanoTime();
        final PeerFailedException ex = Check.raises(PeerFailedException.class, () -> w.recv(b, 0, 8, 1, 0),
            "receive from a dead rank");
        final long millis = (System.nanoTime() - start) / 1_000_000;
        Check.equal(1, ex.worldRank(), "failed rank");
        Check.that(ex.getMessage().contains("world rank 1"), "message names the rank: " + ex.getMessage());
        System.out.println("detected rank 1 failure on rank " + w.rank() + " after " + millis + " ms: " + ex.getMessage());
        // the others are still fine with each other
        if (w.size() > 2)
        {
            final int peer = w.rank() == 0 ? 2 : 0;
            if (w.rank() == 0 || w.rank() == 2)
            {
                b.putLong(0, w.rank());
                w.send(b, 0, 8, peer, 9);
                w.recv(b, 0, 8, peer, 9);
                Check.equal(peer, b.getLong(0), "survivors still talk");
            }
        }
        rf.close();
    }
}
