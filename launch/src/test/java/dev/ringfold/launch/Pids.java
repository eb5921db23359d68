package dev.ringfold.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks on processes by pid, written independently of the launcher's own checks. */
final class Pids
{
    private Pids()
    {
    }

    /** Whether the process runs: exists and is not a zombie waiting for a parent that may never reap it. */
    static boolean running(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            final String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** The pids still running after waiting up to {@code seconds} for all to end. */
    static List<Long> stillRunningAfter(final List<Long> pids, final long seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true)
        {
            final List<Long> running = new ArrayList<>();
            for (final long pid : pids)
            {
                if (running(pid))
                {
                    running.add(pid);
                }
            }
            if (running.isEmpty() || System.nanoTime() > deadline)
            {
                return running;
            }
            Thread.sleep(50);
        }
    }
}
