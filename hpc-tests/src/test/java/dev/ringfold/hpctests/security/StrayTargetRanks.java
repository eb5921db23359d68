package dev.ringfold.hpctests.security;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The job that {@link TransportSecurityTest} attacks. Rank 0 prints the rendezvous address before joining; the last
 * rank joins only once {@code args[0]} exists, which holds the rendezvous open for the strays; after start-up every
 * rank prints its TCP port and waits for {@code args[1]}, which holds the TCP ports open for them; then the ranks
 * all-reduce and print the result, which must not have been disturbed.
 */
public final class StrayTargetRanks
{
    private static final long WAIT_MS = 90_000;

    private StrayTargetRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rank = Integer.parseInt(System.getenv("RINGFOLD_RANK"));
        final int size = Integer.parseInt(System.getenv("RINGFOLD_SIZE"));
        if (rank == 0)
        {
            System.out.println("rendezvous " + System.getenv("RINGFOLD_RENDEZVOUS"));
        }
        if (rank == size - 1)
        {
            awaitFile(Path.of(args[0]));
        }
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            System.out.println("tcp-port " + rank + " " + rf.tcpPort());
            awaitFile(Path.of(args[1]));
            final double[] data = new double[1000];
            for (int i = 0; i < data.length; i++)
            {
                data[i] = (rank + 1) * (double)i;
            }
            Collectives.of(world).allReduce(data, 0, data.length, ReduceOp.SUM);
            final double factor = size * (size + 1) / 2.0;
            for (int i = 0; i < data.length; i++)
            {
                if (data[i] != factor * i)
                {
                    System.out.println("all-reduce WRONG at " + i + ": " + data[i] + " != " + factor * i);
                    System.exit(3);
                }
            }
            world.barrier();
            System.out.println("all-reduce ok " + data[data.length - 1]);
        }
    }

    private static void awaitFile(final Path path) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!Files.exists(path))
        {
            if (System.currentTimeMillis() > deadline)
            {
                System.out.println("gave up waiting for " + path);
                System.exit(4);
            }
            Thread.sleep(20);
        }
    }
}
