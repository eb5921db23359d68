package dev.ringfold.mpi.auth;


/**
 * HMAC-SHA256 (RFC 2104) over {@link Sha256}. {@code javax.crypto.Mac} computes the same, but looking it up starts
 * the JCE provider framework, 40–80 ms of CPU in each rank's start-up (JDK 25, this machine), and every rank runs a
 * handshake before its first message; the JDK's {@code MessageDigest} alone still sets up the provider list.
 * {@code HmacSha256Test} checks it against RFC 4231's vectors and against {@code Mac}.
 */
final class HmacSha256
{
    static final int BLOCK_BYTES = 64;
    private static final byte INNER_PAD = 0x36;
    private static final byte OUTER_PAD = 0x5c;

    private HmacSha256()
    {
    }

    /** HMAC(key, parts[0] || parts[1] || ...). */
    static byte[] mac(final byte[] key, final byte[]... parts)
    {
        final Sha256 sha = new Sha256();
        final byte[] k = key.length > BLOCK_BYTES ? sha.digest(key) : key;
        final byte[] pad = new byte[BLOCK_BYTES];
        for (int i = 0; i < BLOCK_BYTES; i++)
        {
            pad[i] = (byte)((i < k.length ? k[i] : 0) ^ INNER_PAD);
        }
        sha.update(pad);
        for (final byte[] part : parts)
        {
            sha.update(part);
        }
        final byte[] inner = sha.digest();
        for (int i = 0; i < BLOCK_BYTES; i++)
        {
            pad[i] = (byte)((i < k.length ? k[i] : 0) ^ OUTER_PAD);
        }
        sha.update(pad);
        return sha.digest(inner);
    }
}
