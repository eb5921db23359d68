package dev.ringfold.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the test ranks share: they only read the environment mpjrun gives them, they do not use Ringfold.
 * A rank announces itself (prints its pid, leaves a marker in READY_DIR) so that a test knows every rank is up
 * before one of them fails, and can later check that the others are gone.
 */
final class TestRanks
{
    static final String READY_DIR = "READY_DIR";

    private TestRanks()
    {
    }

    static int rank()
    {
        return Integer.parseInt(System.getenv("RINGFOLD_RANK"));
    }

    static int size()
    {
        return Integer.parseInt(System.getenv("RINGFOLD_SIZE"));
    }

    static void announce() throws IOException
    {
        System.out.println("pid " + ProcessHandle.current().pid());
        final String dir = System.getenv(READY_DIR);
        if (dir != null)
        {
            Files.writeString(Path.of(dir, "rank-" + rank()), Long.toString(ProcessHandle.current().pid()));
        }
    }

    /** What one rank does once every rank is up. */
    @FunctionalInterface
    interface Action
    {
        void run() throws Exception;
    }

    /**
     * Announces this rank and waits for its peers; rank {@code actor} then does {@code action}; every rank (the actor
     * too, if it is still there) then sleeps 60 s, for the test to see what the launcher makes of it.
     */
    static void onceAllAreUp(final int actor, final Action action) throws Exception
    {
        announce();
        awaitPeers();
        if (rank() == actor)
        {
            action.run();
        }
        Thread.sleep(60_000);
    }

    /** Waits until every rank has announced itself, or 30 s at most. */
    static void awaitPeers() throws IOException, InterruptedException
    {
        final String dir = System.getenv(READY_DIR);
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (dir != null && System.nanoTime() < deadline)
        {
            try (var files = Files.list(Path.of(dir)))
            {
                if (files.filter(f -> f.getFileName().toString().startsWith("rank-")).count() >= size())
                {
                    return;
                }
            }
            Thread.sleep(20);
        }
    }
}
