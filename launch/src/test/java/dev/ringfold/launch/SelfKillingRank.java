package dev.ringfold.launch;

/** Rank 1 sends itself SIGKILL once everyone is up; the others sleep 60 s. */
public final class SelfKillingRank
{
    private SelfKillingRank()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        // ProcessHandle.current().destroyForcibly() is refused, so ask kill(1)
        TestRanks.onceAllAreUp(1, () -> new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid()))
            .inheritIO().start().waitFor());
    }
}
