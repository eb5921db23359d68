package dev.ringfold.hpctests.reliability;

import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;

/**
 * {@code EarlyExitRanks HOW}: rank 1 leaves before it calls Ringfold.init, by returning from main (HOW
 * {@code return}) or by a SIGKILL of its own pid ({@code sigkill}), printing {@code early: rank 1 leaving at <epoch ms>}
 * first; the other ranks start Ringfold and print {@code early: rank R told at <epoch ms>: <message>} when that
 * fails, then exit 3.
 */
public final class EarlyExitRanks
{
    private EarlyExitRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rank = Integer.parseInt(System.getenv(LaunchEnvironment.RANK));
        if (rank == 1)
        {
            System.out.println("early: rank 1 leaving at " + System.currentTimeMillis());
            System.out.flush();
            if (args[0].equals("sigkill"))
            {
                new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                Thread.sleep(60_000);
            }
            return;
        }
        try (Ringfold rf = Ringfold.init())
        {
            rf.world().barrier();
            System.out.println("early: rank " + rank + " started without rank 1");
        }
        catch (final RuntimeException ex)
        {
            System.out.println("early: rank " + rank + " told at " + System.currentTimeMillis() + ": " + ex.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
