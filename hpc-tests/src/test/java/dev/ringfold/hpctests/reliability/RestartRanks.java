package dev.ringfold.hpctests.reliability;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.ReduceOp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code RestartRanks CHECKPOINT STEPS KILL_AT}: a small "training": STEPS all-reduces folded into a running
 * value, which rank 0 checkpoints after every step (written to a temporary file and renamed over the checkpoint,
 * so it is always whole). Every run starts from the checkpoint if there is one. On the first run
 * ({@code RINGFOLD_RESTART=0}) rank 1 kills itself with SIGKILL when it reaches step KILL_AT (-1: never); under
 * {@code mpjrun --max-restarts} the job starts again and resumes. Rank 0 prints
 * {@code result value=V restart=N resumed-from=S}.
 */
public final class RestartRanks
{
    private RestartRanks()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path checkpoint = Path.of(args[0]);
        final int steps = Integer.parseInt(args[1]);
        final int killAt = Integer.parseInt(args[2]);
        final int restart = Integer.parseInt(System.getenv().getOrDefault("RINGFOLD_RESTART", "-1"));
        long value = 17;
        int from = 0;
        if (Files.exists(checkpoint))
        {
            final String[] saved = Files.readString(checkpoint, StandardCharsets.UTF_8).trim().split(" ");
            from = Integer.parseInt(saved[0]);
            value = Long.parseLong(saved[1]);
        }
        try (Ringfold rf = Ringfold.init())
        {
            final int rank = rf.world().rank();
            final Collectives c = Collectives.of(rf.world());
            System.out.println("rank " + rank + " run with RINGFOLD_RESTART=" + restart + " resumes at step " + from);
            final long[] contribution = new long[1];
            for (int step = from; step < steps; step++)
            {
                if (restart == 0 && rank == 1 && step == killAt)
                {
                    FaultRanks.die(rank, "training", "step " + step);
                }
                contribution[0] = (rank + 1L) * (step + 3);
                c.allReduce(contribution, 0, 1, ReduceOp.SUM);
                value = value * 31 + contribution[0];
                if (rank == 0)
                {
                    final Path partial = checkpoint.resolveSibling(checkpoint.getFileName() + ".partial");
                    Files.writeString(partial, (step + 1) + " " + value, StandardCharsets.UTF_8);
                    Files.move(partial, checkpoint, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            c.barrier();
            if (rank == 0)
            {
                System.out.println("result value=" + value + " restart=" + restart + " resumed-from=" + from);
            }
        }
    }
}
