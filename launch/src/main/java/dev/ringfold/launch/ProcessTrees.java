package dev.ringfold.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Ends processes together with everything they started. SIGTERM first, so that JVMs run their shutdown hooks
 * (the program's own; a rank's ring files are already unlinked once bootstrap ends), then SIGKILL for whatever is
 * left after the grace period.
 * Descendants are looked up before anything is signalled: once a parent dies, its children are re-parented and
 * can no longer be found through it.
 */
final class ProcessTrees
{
    private static final long POLL_MS = 20;

    private ProcessTrees()
    {
    }

    /** Returns the processes still running afterwards (normally none). */
    static List<ProcessHandle> stop(final List<ProcessHandle> roots, final long graceMs, final long killWaitMs)
    {
        final Set<ProcessHandle> tree = withDescendants(roots);
        tree.forEach(ProcessHandle::destroy);
        awaitGone(tree, graceMs);

        final Set<ProcessHandle> left = withDescendants(roots);
        left.addAll(tree);
        left.removeIf(p -> !isRunning(p));
        left.forEach(ProcessHandle::destroyForcibly);
        awaitGone(left, killWaitMs);

        final List<ProcessHandle> survivors = new ArrayList<>();
        for (final ProcessHandle p : left)
        {
            if (isRunning(p))
            {
                survivors.add(p);
            }
        }
        return survivors;
    }

    /**
     * Alive and not a zombie. A descendant whose parent died is re-parented, and if nothing reaps it there (a
     * container whose pid 1 never waits), it lingers as a zombie that {@link ProcessHandle#isAlive} still counts.
     */
    static boolean isRunning(final ProcessHandle process)
    {
        if (!process.isAlive())
        {
            return false;
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            final int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        }
        catch (final IOException | RuntimeException ex)
        {
            return process.isAlive(); // no /proc (not Linux) or it just vanished
        }
    }

    private static Set<ProcessHandle> withDescendants(final List<ProcessHandle> roots)
    {
        final Set<ProcessHandle> all = new LinkedHashSet<>();
        for (final ProcessHandle root : roots)
        {
            if (root.isAlive())
            {
                root.descendants().forEach(all::add);
                all.add(root);
            }
        }
        return all;
    }

    private static void awaitGone(final Set<ProcessHandle> processes, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() < deadline)
        {
            boolean anyRunning = false;
            for (final ProcessHandle p : processes)
            {
                if (isRunning(p))
                {
                    anyRunning = true;
                    break;
                }
            }
            if (!anyRunning)
            {
                return;
            }
            try
            {
                Thread.sleep(POLL_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
