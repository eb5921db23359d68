package dev.ringfold.launch;

import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.bootstrap.RendezvousClient;

/** Rank 0 joins the rendezvous claiming a wrong world size, then sleeps like the others. */
public final class BadJoinRank
{
    private BadJoinRank()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        TestRanks.onceAllAreUp(0, () ->
        {
            final String[] hostPort = System.getenv("RINGFOLD_RENDEZVOUS").split(":");
            RendezvousClient.connect(hostPort[0], Integer.parseInt(hostPort[1]), 0, TestRanks.size() + 1,
                System.getenv("RINGFOLD_JOB_ID"), JobSecret.fromEnvironment(System.getenv(), System.getenv("RINGFOLD_JOB_ID")),
                System.currentTimeMillis() + 10_000);
        });
    }
}
