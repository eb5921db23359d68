package dev.ringfold.launch;

/** Says hello with everything mpjrun told it; sleeps -Decho.sleepMs first, then exits 0. */
public final class EchoRank
{
    private EchoRank()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        Thread.sleep(Long.getLong("echo.sleepMs", 0));
        System.out.println("hello from " + System.getenv("RINGFOLD_RANK") + " of " + System.getenv("RINGFOLD_SIZE"));
        System.out.println("job=" + System.getenv("RINGFOLD_JOB_ID") + " rendezvous=" +
            System.getenv("RINGFOLD_RENDEZVOUS") + " dev=" + System.getenv("RINGFOLD_DEV") + " local=" +
            System.getenv("RINGFOLD_LOCAL_RANK") + " FOO=" + System.getenv("FOO") + " cwd=" +
            System.getProperty("user.dir") + " args=" + String.join("|", args));
        System.err.println("stderr of " + System.getenv("RINGFOLD_RANK"));
    }
}
