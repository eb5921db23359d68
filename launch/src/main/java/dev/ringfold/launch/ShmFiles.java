package dev.ringfold.launch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Removes what a job left in /dev/shm: files of this user named for the job (another user's, however named,
 * are not the job's). Ranks unlink their ring files as soon as every peer has mapped them, so
 * this only finds something when a rank died during bootstrap; but /dev/shm is memory, and nobody else would
 * ever free it.
 */
final class ShmFiles
{
    static final Path SHM = Path.of("/dev/shm");

    private ShmFiles()
    {
    }

    /** Returns how many files were removed. */
    static int removeLeftovers(final Path dir, final String jobId)
    {
        if (!Files.isDirectory(dir))
        {
            return 0;
        }
        int removed = 0;
        // job ids are [A-Za-z0-9_.-], none of which is special in a glob
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "ringfold-" + jobId + "-*"))
        {
            // /proc/self belongs to this process's user: only files of that user are the job's
            final Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            for (final Path file : files)
            {
                try
                {
                    if (uid.equals(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)) &&
                        Files.deleteIfExists(file))
                    {
                        removed++;
                    }
                }
                catch (final IOException ignore)
                {
                    // gone meanwhile: the next one
                }
            }
        }
        catch (final IOException ignore)
        {
            // best effort: a file another process removed meanwhile, or a directory we may not list
        }
        return removed;
    }
}
