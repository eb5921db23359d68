package dev.ringfold.mpi.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Random bytes from the kernel's generator, {@code /dev/urandom}: what {@code SecureRandom}'s default (NativePRNG)
 * reads on Linux as well, read directly because setting up {@code SecureRandom} costs each rank 30–40 ms of CPU at
 * start-up. Ringfold runs on Linux only (shared memory in /dev/shm, cross-memory attach).
 */
public final class KernelRandom
{
    private static final Path URANDOM = Path.of("/dev/urandom");

    private KernelRandom()
    {
    }

    /** Hex digits of a file name's random part ({@link #nameSuffix}). */
    public static final int NAME_SUFFIX_CHARS = 32;

    /**
     * 128 random bits as 32 lower-case hex digits: the end of a name in a shared folder (/dev/shm) that no other
     * user can predict and create first.
     */
    public static String nameSuffix()
    {
        return HexFormat.of().formatHex(bytes(NAME_SUFFIX_CHARS / 2));
    }

    public static byte[] bytes(final int count)
    {
        try (InputStream in = Files.newInputStream(URANDOM))
        {
            final byte[] bytes = in.readNBytes(count);
            if (bytes.length != count)
            {
                throw new IOException("read " + bytes.length + " of " + count + " bytes");
            }
            return bytes;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read random bytes from " + URANDOM + ": " + ex.getMessage(), ex);
        }
    }
}
