package dev.ringfold.launch;

/** Rank 1 sends itself SIGKILL once everyone is up; the others sleep 60 s. */
public final class SelfKillingRank
{
    private SelfKillingRank()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        TestRanks.announce();
        TestRanks.awaitPeers();
        if (TestRanks.rank() == 1)
        {
            // ProcessHandle.current().destroyForcibly() is refused, so ask kill(1)
            new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
        }
        Thread.sleep(60_000);
    }
}
