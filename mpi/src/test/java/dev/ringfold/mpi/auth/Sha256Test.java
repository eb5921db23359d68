package dev.ringfold.mpi.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class Sha256Test
{
    private static byte[] hex(final String s)
    {
        return HexFormat.of().parseHex(s);
    }

    /** FIPS 180-4's examples (one block, two blocks) and the empty message. */
    @Test
    void fipsExamples()
    {
        assertArrayEquals(hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            new Sha256().digest("abc".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            new Sha256().digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
                .getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            new Sha256().digest());
    }

    /**
     * The JDK's digest agrees for every length from 0 to 300 bytes (every position of the padding around one and
     * several blocks), given whole or in two parts, and a digest starts the object over.
     */
    @Test
    void agreesWithTheJdksDigest() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(180_4);
        final Sha256 reused = new Sha256();
        for (int length = 0; length <= 300; length++)
        {
            final byte[] message = new byte[length];
            random.nextBytes(message);
            final byte[] expected = MessageDigest.getInstance("SHA-256").digest(message);
            assertArrayEquals(expected, new Sha256().digest(message), "length " + length);
            final int split = length == 0 ? 0 : random.nextInt(length);
            reused.update(java.util.Arrays.copyOfRange(message, 0, split));
            assertArrayEquals(expected, reused.digest(java.util.Arrays.copyOfRange(message, split, length)),
                "length " + length + " split at " + split);
        }
    }
}
