package dev.ringfold.launch;

import dev.ringfold.mpi.Ringfold;

/** Joins the job, says so, and leaves. */
public final class JoiningRank
{
    private JoiningRank()
    {
    }

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            rf.world().barrier();
            System.out.println("joined as " + rf.world().rank() + " of " + rf.world().size());
        }
    }
}
