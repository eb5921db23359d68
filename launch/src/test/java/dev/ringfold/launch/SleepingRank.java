package dev.ringfold.launch;

/** Announces itself and sleeps 60 s: something to time out or to be stopped. */
public final class SleepingRank
{
    private SleepingRank()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        TestRanks.announce();
        Thread.sleep(60_000);
    }
}
