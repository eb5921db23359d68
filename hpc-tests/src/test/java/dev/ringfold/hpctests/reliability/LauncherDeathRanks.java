package dev.ringfold.hpctests.reliability;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;

/**
 * {@code LauncherDeathRanks MODE}: ranks for a launcher that is killed under them. Each prints
 * {@code orphan: rank R pid P job J}, starts Ringfold, passes a barrier and prints {@code orphan: rank R ready};
 * then with MODE {@code sleep} every rank sleeps, with {@code collective} rank 0 sleeps while the others wait in
 * barriers that cannot complete without it. A rank that outlived its launcher would run for ten minutes.
 */
public final class LauncherDeathRanks
{
    private LauncherDeathRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rank = Integer.parseInt(System.getenv(LaunchEnvironment.RANK));
        System.out.println("orphan: rank " + rank + " pid " + ProcessHandle.current().pid() + " job " +
            System.getenv(LaunchEnvironment.JOB_ID));
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator w = rf.world();
            w.barrier();
            System.out.println("orphan: rank " + rank + " ready");
            System.out.flush();
            if (args[0].equals("collective") && rank != 0)
            {
                while (true)
                {
                    w.barrier();
                }
            }
            Thread.sleep(600_000);
        }
    }
}
