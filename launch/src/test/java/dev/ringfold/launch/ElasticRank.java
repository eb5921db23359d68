package dev.ringfold.launch;

import dev.ringfold.mpi.Ringfold;

/**
 * Joins the job; the last rank then sends itself SIGKILL, the others wait until they know it failed (through a
 * barrier on the world, which fails on them) and exit with the status of args[0].
 */
public final class ElasticRank
{
    private ElasticRank()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int status = Integer.parseInt(args[0]);
        try (Ringfold rf = Ringfold.init())
        {
            rf.world().barrier();
            System.out.println("joined as " + rf.world().rank() + " of " + rf.world().size());
            if (rf.world().rank() == rf.world().size() - 1)
            {
                new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).inheritIO().start()
                    .waitFor();
                Thread.sleep(60_000);
            }
            try
            {
                rf.world().barrier();
            }
            catch (final RuntimeException ex)
            {
                System.out.println("rank " + rf.world().rank() + " saw: " + ex.getClass().getSimpleName());
            }
        }
        System.exit(status);
    }
}
