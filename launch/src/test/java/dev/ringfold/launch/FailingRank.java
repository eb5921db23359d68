package dev.ringfold.launch;

/** Rank 1 exits with code 3 once everyone is up; rank 0 also starts a child process; all others sleep 60 s. */
public final class FailingRank
{
    private FailingRank()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (TestRanks.rank() == 0)
        {
            final Process child = new ProcessBuilder("sleep", "60").start();
            System.out.println("child " + child.pid());
        }
        TestRanks.onceAllAreUp(1, () -> System.exit(3));
    }
}
