package dev.ringfold.mpi.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

/**
 * The key every connection of a job proves knowledge of (see {@link Handshake}). It comes from
 * {@code RINGFOLD_SECRET_FILE} (a file holding the key in hex, which mpjrun writes 0600 in a private directory),
 * else {@code RINGFOLD_SECRET} (hex, the way to hand a key through srun or another launcher's environment), else
 * it is derived from the job id. The derived key is public knowledge to anyone who can guess the job id: it keeps
 * strays of other jobs out but is not authentication, which {@link #authenticated()} reports.
 */
public final class JobSecret
{
    public static final String FILE_VARIABLE = "RINGFOLD_SECRET_FILE";
    public static final String VARIABLE = "RINGFOLD_SECRET";
    /** 32 bytes: the HMAC-SHA256 block is larger, and 256 bits is more than any guessing can cover. */
    public static final int GENERATED_BYTES = 32;
    /** Shorter keys are refused: they would make the proof guessable. */
    public static final int MIN_BYTES = 16;
    /** The secret file is read only so far: it holds a hex key, anything larger is a mistake. */
    private static final long MAX_FILE_BYTES = 4096;

    private final byte[] key;
    private final boolean authenticated;
    private final String source;

    private JobSecret(final byte[] key, final boolean authenticated, final String source)
    {
        this.key = key;
        this.authenticated = authenticated;
        this.source = source;
    }

    /** A fresh random key, for a launcher to hand to its ranks. */
    public static JobSecret generate()
    {
        return new JobSecret(KernelRandom.bytes(GENERATED_BYTES), true, "generated");
    }

    /** A key given in hex, as in {@code RINGFOLD_SECRET}. */
    public static JobSecret ofHex(final String hex, final String source)
    {
        final String trimmed = hex.trim();
        final byte[] key;
        try
        {
            key = HexFormat.of().parseHex(trimmed);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(source + ": the job secret is not hex digits (" + trimmed.length() +
                " characters)");
        }
        if (key.length < MIN_BYTES)
        {
            throw new IllegalArgumentException(source + ": the job secret has " + key.length + " bytes; at least " +
                MIN_BYTES + " are needed (generate one with: openssl rand -hex 32)");
        }
        return new JobSecret(key, true, source);
    }

    /** The key derived from the job id alone: not authentication, only a guard against other jobs' strays. */
    public static JobSecret derivedFrom(final String jobId)
    {
        final byte[] key = new Sha256().digest(("ringfold unauthenticated job " + jobId)
            .getBytes(StandardCharsets.UTF_8));
        return new JobSecret(key, false, "derived from job id " + jobId);
    }

    /** The job's key from the environment, in the order the class comment gives. */
    public static JobSecret fromEnvironment(final Map<String, String> env, final String jobId)
    {
        final String file = env.get(FILE_VARIABLE);
        if (file != null && !file.isBlank())
        {
            final Path path = Path.of(file.trim());
            try
            {
                if (Files.size(path) > MAX_FILE_BYTES)
                {
                    throw new IllegalArgumentException(FILE_VARIABLE + "=" + path + " is larger than " + MAX_FILE_BYTES +
                        " bytes; it should hold a hex key");
                }
                return ofHex(Files.readString(path, StandardCharsets.US_ASCII), FILE_VARIABLE + "=" + path);
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException(FILE_VARIABLE + "=" + path + " cannot be read: " + ex.getMessage(), ex);
            }
        }
        final String hex = env.get(VARIABLE);
        if (hex != null && !hex.isBlank())
        {
            return ofHex(hex, VARIABLE);
        }
        return derivedFrom(jobId);
    }

    /**
     * Removes the secret file that Ringfold's launcher made for job {@code jobId}, and its private directory, for a
     * rank that finds the launcher gone. Only a file in a directory named as the launcher names them
     * ({@code ringfold-JOB-...}) is touched: a secret file the user made and named is theirs to keep. Best effort:
     * another rank may remove them first.
     */
    public static void removeLaunchersFile(final Map<String, String> env, final String jobId)
    {
        final String file = env.get(FILE_VARIABLE);
        if (file == null || file.isBlank())
        {
            return;
        }
        final Path path = Path.of(file.trim()).toAbsolutePath();
        final Path dir = path.getParent();
        if (dir == null || dir.getFileName() == null || !dir.getFileName().toString().startsWith("ringfold-" + jobId + "-"))
        {
            return;
        }
        try
        {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
        catch (final IOException ignore)
        {
            // another rank got there first, or the directory holds something else now: leave it
        }
    }

    public String toHex()
    {
        return HexFormat.of().formatHex(key);
    }

    /** Whether the key is secret (given or generated) rather than derived from the job id. */
    public boolean authenticated()
    {
        return authenticated;
    }

    /** Where the key came from, for messages; never the key itself. */
    public String source()
    {
        return source;
    }

    byte[] key()
    {
        return key;
    }

    @Override
    public String toString()
    {
        return "JobSecret(" + source + ")";
    }
}
