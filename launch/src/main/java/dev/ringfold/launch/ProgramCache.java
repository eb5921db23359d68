package dev.ringfold.launch;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A program's own AOT cache ({@code mpjrun --aot-cache FILE}): JDK 25's AOT cache (JEP 483, 514, 515) recorded from a
 * run of this program and mapped by every rank of its later runs, so that they start with the classes of the
 * program and of the parts of Ringfold it uses already loaded and linked, and with the method profiles of the
 * recording run, which lets the JIT compile the program's hot loops early. The shared caches of
 * {@link ClassDataSharing} are trained on Ringfold's own demos and know nothing of the program's code; for a short
 * job that is where the warm-up goes (BENCHMARKS.md, "A program's own AOT cache").
 *
 * <p>While FILE is current (newer than every jar of Ringfold's folder and of the program's class path) every rank
 * starts with it. Otherwise this run records it: rank 0 runs with {@code -XX:AOTCacheOutput} into a file of its own
 * beside FILE (the JVM writes it as rank 0 exits, which takes a few seconds), the other ranks start as without the
 * option, and when the job ends with exit code 0 the new file replaces FILE in one rename; a failed job leaves FILE
 * as it was. The JDK records a cache only for a class path of jars: with a folder on the program's class path the
 * option says so and the job runs without it (a recording would fail rank 0 at its exit).
 */
final class ProgramCache
{
    private static final List<String> QUIET = List.of("-Xlog:aot=off", "-Xlog:cds=off");

    private final Path file;
    private final Path recording;
    private final boolean use;
    private final String unusable;

    private ProgramCache(final Path file, final Path recording, final boolean use, final String unusable)
    {
        this.file = file;
        this.recording = recording;
        this.use = use;
        this.unusable = unusable;
    }

    /**
     * @param file      where the cache is kept (absolute).
     * @param classPath the ranks' whole class path, Ringfold's part and the mpi API jar first (absolute entries;
     *                  "dir/*" for a folder's jars): a jar of it newer than the cache makes this run record again.
     */
    static ProgramCache of(final Path file, final List<String> classPath)
    {
        final List<Path> jars = new ArrayList<>();
        for (final String entry : classPath)
        {
            if (entry.endsWith(java.io.File.separator + "*"))
            {
                jars.addAll(ClassDataSharing.jarsIn(Path.of(entry.substring(0, entry.length() - 2))));
                continue;
            }
            final Path path = Path.of(entry);
            if (Files.isDirectory(path))
            {
                if (isEmptyDirectory(path))
                {
                    continue; // the JDK accepts an empty folder
                }
                return new ProgramCache(file, null, false, "the ranks' class path holds the folder " + entry +
                    ", and the JDK records AOT caches for class paths of jars only; this job runs without it");
            }
            jars.add(path);
        }
        if (ClassDataSharing.current(file, jars))
        {
            return new ProgramCache(file, null, true, null);
        }
        final Path recording = file.resolveSibling(file.getFileName() + ".recording-" + ProcessHandle.current().pid());
        return new ProgramCache(file, recording, false, null);
    }

    /** Why the cache cannot serve this job (mpjrun says it once), or null. */
    String unusable()
    {
        return unusable;
    }

    /** Whether this run records the cache (it is missing or older than a jar). */
    boolean records()
    {
        return recording != null;
    }

    /**
     * The options of rank {@code rank}'s JVM for this cache, or null where the rank starts as without
     * {@code --aot-cache} (the shared caches apply).
     */
    List<String> rankOptions(final int rank)
    {
        if (use)
        {
            final List<String> options = new ArrayList<>();
            options.add("-XX:AOTCache=" + file);
            options.addAll(QUIET);
            return options;
        }
        if (recording != null && rank == 0)
        {
            final List<String> options = new ArrayList<>();
            options.add("-XX:AOTCacheOutput=" + recording);
            options.addAll(QUIET);
            return options;
        }
        return null;
    }

    /**
     * After the job: a recording of a job that ended with exit code 0 becomes the cache; any other is deleted.
     *
     * @return what to tell the user, or null.
     */
    String jobEnded(final int exitCode)
    {
        if (recording == null)
        {
            return null;
        }
        if (exitCode != 0 || !Files.exists(recording))
        {
            discard();
            return exitCode != 0 ? null : "rank 0 wrote no AOT cache to " + recording + "; " + file + " is unchanged";
        }
        try
        {
            try
            {
                Files.move(recording, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(recording, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return "recorded the AOT cache " + file + " from this run; later runs of the program start with it";
        }
        catch (final IOException ex)
        {
            return "cannot keep the AOT cache recorded in " + recording + " as " + file + ": " + ex.getMessage();
        }
    }

    /**
     * Deletes this run's recording and the JDK's configuration file beside it (which the JDK deletes itself once
     * the cache is assembled), if rank 0 wrote them: for a job that failed or that mpjrun was told to stop.
     */
    void discard()
    {
        if (recording != null)
        {
            for (final Path file : List.of(recording, recording.resolveSibling(recording.getFileName() + ".config")))
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException ex)
                {
                    // nothing more to do in a launcher that is stopping; the files are named as this run's, not FILE
                }
            }
        }
    }

    private static boolean isEmptyDirectory(final Path dir)
    {
        try (var entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
