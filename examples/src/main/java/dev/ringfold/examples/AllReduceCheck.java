package dev.ringfold.examples;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;

/**
 * Sums a vector across all ranks with {@link Collectives}, checks the result, and reports where each rank runs
 * and which transport it uses to every other rank, one line per rank:
 * {@code rank 2 of 6 on n2 (slurm launch): transports 0=tcp 1=tcp 2=shm 3=shm 4=tcp 5=tcp; all-reduce ok (...)}.
 * Exits with 1 when the sum is wrong, so that a launcher or a batch system sees the failure.
 * The program of {@code examples/slurm/allreduce.sbatch}.
 */
public final class AllReduceCheck
{
    private AllReduceCheck()
    {
    }

    public static void main(final String[] args)
    {
        final int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final int rank = world.rank();
            final int size = world.size();
            final double[] data = new double[count];
            for (int i = 0; i < count; i++)
            {
                data[i] = (rank + 1) * (double)(i % 1000);
            }
            Collectives.of(world).allReduce(data, 0, data.length, ReduceOp.SUM);
            final double factor = size * (size + 1) / 2.0;
            int wrong = 0;
            for (int i = 0; i < count; i++)
            {
                if (data[i] != factor * (i % 1000))
                {
                    wrong++;
                }
            }
            final StringBuilder line = new StringBuilder("rank ").append(rank).append(" of ").append(size)
                .append(" on ").append(nodeName(rf, rank)).append(" (").append(rf.launcher()).append(" launch):")
                .append(" transports");
            for (int peer = 0; peer < size; peer++)
            {
                line.append(' ').append(peer).append('=').append(world.transportTo(peer));
            }
            line.append(wrong == 0 ? "; all-reduce ok" : "; all-reduce WRONG in " + wrong + " of " + count + " elements")
                .append(" (").append(count).append(" doubles, last ").append(data[count - 1]).append(')');
            System.out.println(line);
            world.barrier();
            if (wrong != 0)
            {
                System.exit(1);
            }
        }
    }

    /** Slurm's name for the node, which is what a user reads in squeue; else the host name. */
    private static String nodeName(final Ringfold rf, final int rank)
    {
        final String slurm = System.getenv("SLURMD_NODENAME");
        return slurm != null ? slurm : rf.host(rank);
    }
}
