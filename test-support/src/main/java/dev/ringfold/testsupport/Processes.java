package dev.ringfold.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a test learns about a job's processes from /proc: whether one still runs, its environment, a rank's pid. */
public final class Processes
{
    private Processes()
    {
    }

    /**
     * Running: alive and not a zombie. A rank whose launcher died is reparented to PID 1 and stays a zombie until that
     * reaps it, which some process managers do only every second or so; it has exited all the same.
     */
    public static boolean running(final ProcessHandle process)
    {
        return process.isAlive() && running(process.pid());
    }

    /**
     * As {@link #running(ProcessHandle)}, by pid alone (a pid another process took meanwhile counts as running: a
     * handle, which compares start times, does not have that flaw).
     */
    public static boolean running(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            final char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        }
        catch (final IOException ex)
        {
            return false; // gone meanwhile
        }
    }

    /** The pids still running after waiting up to {@code seconds} for all to end. */
    public static List<Long> stillRunningAfter(final List<Long> pids, final long seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true)
        {
            final List<Long> running = pids.stream().filter(Processes::running).toList();
            if (running.isEmpty() || System.nanoTime() > deadline)
            {
                return running;
            }
            Thread.sleep(50);
        }
    }

    /**
     * The pid of a rank's JVM under a launcher (mpjrun, or a tool that runs it), found by the rank number mpjrun
     * puts in its environment; waits for it to start.
     */
    public static long rankPid(final ProcessHandle launcherProcess, final int rank, final long waitSeconds)
        throws InterruptedException
    {
        final String wanted = "RINGFOLD_RANK=" + rank;
        final long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            for (final ProcessHandle h : launcherProcess.descendants().toList())
            {
                try
                {
                    if (List.of(environ(h.pid())).contains(wanted) && h.info().command().orElse("").endsWith("java"))
                    {
                        return h.pid();
                    }
                }
                catch (final IOException ex)
                {
                    // gone, or not ours to read: not the rank
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("rank " + rank + " did not start within " + waitSeconds + " s under pid " +
            launcherProcess.pid());
    }

    /** A variable of a running process's environment (a rank's job id, rendezvous, secret file). */
    public static String environment(final long pid, final String name) throws IOException
    {
        for (final String entry : environ(pid))
        {
            if (entry.startsWith(name + "="))
            {
                return entry.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " is not in the environment of pid " + pid);
    }

    private static String[] environ(final long pid) throws IOException
    {
        return Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.ISO_8859_1).split("\0");
    }
}
