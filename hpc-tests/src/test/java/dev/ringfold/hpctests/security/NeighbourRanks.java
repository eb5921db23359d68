package dev.ringfold.hpctests.security;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;

/**
 * Ranks that start, pass a barrier and send each rank's number round the ring, printing
 * {@code neighbour: rank R of N ok job J got G}; for jobs started next to a hostile user of the same node. With an
 * argument, the last rank waits that many milliseconds before it starts, which holds the rendezvous open that long
 * (a flood must have time to take place: a job alone starts in well under a second).
 */
public final class NeighbourRanks
{
    private NeighbourRanks()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final String rankVariable = System.getenv(LaunchEnvironment.RANK);
        final String sizeVariable = System.getenv(LaunchEnvironment.SIZE);
        if (args.length > 0 && rankVariable != null && sizeVariable != null &&
            Integer.parseInt(rankVariable) == Integer.parseInt(sizeVariable) - 1)
        {
            Thread.sleep(Long.parseLong(args[0]));
        }
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator w = rf.world();
            final int rank = w.rank();
            final int size = w.size();
            w.barrier();
            final int[] got = new int[1];
            if (rank % 2 == 0)
            {
                w.send(new int[] {rank}, 0, 1, (rank + 1) % size, 7);
                w.recv(got, 0, 1, (rank + size - 1) % size, 7);
            }
            else
            {
                w.recv(got, 0, 1, (rank + size - 1) % size, 7);
                w.send(new int[] {rank}, 0, 1, (rank + 1) % size, 7);
            }
            w.barrier();
            System.out.println("neighbour: rank " + rank + " of " + size + " ok job " + rf.jobId() + " got " + got[0]);
        }
    }
}
