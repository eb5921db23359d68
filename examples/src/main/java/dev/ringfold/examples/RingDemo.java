package dev.ringfold.examples;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.ReduceOp;

import java.util.Set;
import java.util.TreeSet;

/**
 * The program {@code make demo} runs: every rank says which transport reaches its two neighbours; a token goes
 * once round the ring of ranks, each adding its rank and printing a line as it passes it on; then the ranks
 * all-reduce a vector of a million doubles with {@link Collectives} and check every sum, and rank 0 prints one
 * summary line, {@code ring ok: token=6, allreduce ok on 4 ranks (shm)}. Exits non-zero (an exception on rank 0)
 * when anything is wrong.
 */
public final class RingDemo
{
    private static final int TOKEN_TAG = 1;
    private static final int VECTOR_LENGTH = 1_000_003;

    private RingDemo()
    {
    }

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final int rank = world.rank();
            final int size = world.size();
            final int right = (rank + 1) % size;
            final int left = (rank - 1 + size) % size;
            System.out.println("rank " + rank + " of " + size + " on " + rf.host(world.worldRank(rank)) +
                ": left " + left + " via " + world.transportTo(left) + ", right " + right + " via " +
                world.transportTo(right));

            // 1. the token: rank 0 starts it with its own rank (0); everyone else adds theirs and passes it on
            final long[] token = {0};
            if (rank == 0)
            {
                System.out.println("token 0 -> rank " + right);
                world.send(token, 0, 1, right, TOKEN_TAG);
                world.recv(token, 0, 1, left, TOKEN_TAG);
            }
            else
            {
                world.recv(token, 0, 1, left, TOKEN_TAG);
                token[0] += rank;
                System.out.println("token " + token[0] + " -> rank " + right);
                world.send(token, 0, 1, right, TOKEN_TAG);
            }

            // 2. all-reduce: v[i] = rank + i on every rank, so the sum is size * (size - 1) / 2 + size * i
            final double[] v = new double[VECTOR_LENGTH];
            for (int i = 0; i < v.length; i++)
            {
                v[i] = rank + i;
            }
            final Collectives collectives = Collectives.of(world);
            collectives.allReduce(v, 0, v.length, ReduceOp.SUM);
            final double[] wrong = {0};
            for (int i = 0; i < v.length; i++)
            {
                if (v[i] != size * (size - 1) / 2.0 + (double)size * i)
                {
                    wrong[0]++;
                }
            }
            // every rank learns how many elements were wrong anywhere
            collectives.allReduce(wrong, 0, wrong.length, ReduceOp.SUM);

            if (rank == 0)
            {
                final long expectedToken = (long)size * (size - 1) / 2;
                if (token[0] != expectedToken || wrong[0] != 0)
                {
                    throw new IllegalStateException("ring FAILED: token=" + token[0] + " (expected " + expectedToken +
                        "), " + (long)wrong[0] + " wrong elements after the all-reduce");
                }
                System.out.println("ring ok: token=" + token[0] + ", allreduce ok on " + size +
                    (size == 1 ? " rank (" : " ranks (") + transports(world) + ")");
            }
        }
    }

    /** The transports rank 0 uses to reach the others, e.g. "shm", "tcp" or "shm+tcp". */
    private static String transports(final Communicator world)
    {
        final Set<String> kinds = new TreeSet<>();
        for (int r = 0; r < world.size(); r++)
        {
            if (r != world.rank() || world.size() == 1)
            {
                kinds.add(world.transportTo(r));
            }
        }
        return String.join("+", kinds);
    }
}
