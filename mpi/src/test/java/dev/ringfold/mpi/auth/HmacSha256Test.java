package dev.ringfold.mpi.auth;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class HmacSha256Test
{
    private static byte[] hex(final String s)
    {
        return HexFormat.of().parseHex(s);
    }

    private static byte[] repeat(final int value, final int count)
    {
        final byte[] b = new byte[count];
        Arrays.fill(b, (byte)value);
        return b;
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 4231, test cases 1, 2, 3, 4, 6 and 7 (5 is a truncated output). */
    @Test
    void rfc4231Vectors()
    {
        assertArrayEquals(hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            HmacSha256.mac(repeat(0x0b, 20), ascii("Hi There")));
        assertArrayEquals(hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            HmacSha256.mac(ascii("Jefe"), ascii("what do ya want "), ascii("for nothing?")));
        assertArrayEquals(hex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            HmacSha256.mac(repeat(0xaa, 20), repeat(0xdd, 50)));
        assertArrayEquals(hex("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            HmacSha256.mac(hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50)));
        assertArrayEquals(hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            HmacSha256.mac(repeat(0xaa, 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First")));
        assertArrayEquals(hex("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
            HmacSha256.mac(repeat(0xaa, 131), ascii("This is a test using a larger than block-size key and a " +
                "larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.")));
    }

    /** The JDK's Mac agrees for keys around the block size and messages of many lengths and splits. */
    @Test
    void agreesWithTheJdksMac() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(4231);
        for (final int keyBytes : new int[] {0, 1, 16, 32, 63, 64, 65, 200})
        {
            for (int round = 0; round < 20; round++)
            {
                final byte[] key = new byte[keyBytes];
                final byte[] a = new byte[random.nextInt(0, 300)];
                final byte[] b = new byte[random.nextInt(0, 300)];
                random.nextBytes(key);
                random.nextBytes(a);
                random.nextBytes(b);
                final Mac jdk = Mac.getInstance("HmacSHA256");
                jdk.init(new SecretKeySpec(keyBytes == 0 ? new byte[1] : key, "HmacSHA256"));
                if (keyBytes == 0)
                {
                    // SecretKeySpec refuses an empty key; HMAC pads any key with zeros, so one zero byte is the same
                    assertArrayEquals(HmacSha256.mac(new byte[1], a, b), HmacSha256.mac(key, a, b));
                }
                jdk.update(a);
                jdk.update(b);
                assertArrayEquals(jdk.doFinal(), HmacSha256.mac(key, a, b), "key " + keyBytes + " round " + round);
            }
        }
    }

    @Test
    void kernelRandomBytesAreFreshEachTime()
    {
        final byte[] first = KernelRandom.bytes(32);
        final byte[] second = KernelRandom.bytes(32);
        assertEquals(32, first.length);
        assertFalse(Arrays.equals(first, second), "two 32-byte draws were equal");
    }
}
