package dev.ringfold.launch;

import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.auth.KernelRandom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Hands a job's secret to its ranks through a file only the user can read: a 0700 directory made for this job
 * alone, holding a 0600 file created with those permissions (never readable by others, not even for an instant).
 * A file rather than an environment variable because the ranks' children, core dumps and {@code --dry-run} output
 * inherit or show the environment, while only the path is passed on here; and the file is deleted when the job
 * ends. The ranks find it through {@code RINGFOLD_SECRET_FILE}.
 */
final class SecretFile implements AutoCloseable
{
    static final String NAME = "secret";
    /** Shown by --dry-run, which makes no secret. */
    static final String DRY_RUN_PATH = "<private 0600 file>";

    private final Path dir;
    private final Path file;

    private SecretFile(final Path dir, final Path file)
    {
        this.dir = dir;
        this.file = file;
    }

    /** Where the private directory goes: {@code $TMPDIR} where it is set (as the docs say), else the JVM's temp dir. */
    static Path parentDir(final Map<String, String> env)
    {
        final String tmpdir = env.get("TMPDIR");
        return Path.of(tmpdir != null && !tmpdir.isBlank() ? tmpdir.trim() : System.getProperty("java.io.tmpdir"))
            .toAbsolutePath();
    }

    /**
     * Writes {@code secret} into a fresh private directory under {@code parent} ({@link #parentDir}). The directory's
     * name ends in 128 bits from the kernel ({@link KernelRandom}), where {@code Files.createTempDirectory} would set
     * up a {@code SecureRandom} first, which held back the ranks' start by tens of milliseconds (BENCHMARKS.md, "Where
     * a 4-rank job's time goes"); {@code createDirectory} fails on a name that exists, so no one else's directory is
     * ever used.
     */
    static SecretFile write(final Path parent, final String jobId, final JobSecret secret) throws IOException
    {
        final Path dir = Files.createDirectory(parent.resolve("ringfold-" + jobId + "-" + KernelRandom.nameSuffix()),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final Path file = dir.resolve(NAME);
        try
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, secret.toHex() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
            throw ex;
        }
        return new SecretFile(dir, file);
    }

    Path path()
    {
        return file;
    }

    /** Deletes the file and its directory; safe to call more than once and from a shutdown hook. */
    @Override
    public void close()
    {
        try
        {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        catch (final IOException ex)
        {
            System.err.println("mpjrun: cannot delete the job's secret file " + file + ": " + ex.getMessage());
        }
    }
}
