package dev.ringfold.hpctests.security;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;

/**
 * Ranks that start, pass a barrier and send each rank's number round the ring, printing
 * {@code neighbour: rank R of N ok job J got G}; for jobs started next to a hostile user of the same node.
 */
public final class NeighbourRanks
{
    private NeighbourRanks()
    {
    }

    public static void main(final String[] args)
    {
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
