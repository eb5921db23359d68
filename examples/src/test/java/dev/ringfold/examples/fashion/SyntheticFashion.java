package dev.ringfold.examples.fashion;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * A small learnable stand-in for Fashion-MNIST in the same IDX files, for tests that must not depend on the Debian
 * package: class c is a bright band of rows 2c..2c+2 over noise, so a few epochs classify it almost perfectly.
 */
public final class SyntheticFashion
{
    private SyntheticFashion()
    {
    }

    /** Writes train-* (train samples) and t10k-* (test samples) IDX files, gzipped, into {@code dir}. */
    public static Path write(final Path dir, final int train, final int test, final long seed) throws IOException
    {
        final SplittableRandom random = new SplittableRandom(seed);
        writeSplit(dir, "train", train, random);
        writeSplit(dir, "t10k", test, random);
        return dir;
    }

    /** As {@link #write}, into a new folder {@code data} under a test's folder; returns that folder. */
    public static Path writeDataFolder(final Path testDir, final int train, final int test, final long seed)
        throws IOException
    {
        return write(Files.createDirectory(testDir.resolve("data")), train, test, seed);
    }

    private static void writeSplit(final Path dir, final String prefix, final int count, final SplittableRandom random)
        throws IOException
    {
        final byte[] images = new byte[count * 28 * 28];
        final byte[] labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            final int label = random.nextInt(10);
            labels[i] = (byte)label;
            for (int p = 0; p < 28 * 28; p++)
            {
                final int row = p / 28;
                final boolean band = row >= 2 * label && row < 2 * label + 3;
                images[i * 28 * 28 + p] = (byte)(band ? 160 + random.nextInt(96) : random.nextInt(80));
            }
        }
        idx(dir.resolve(prefix + "-images-idx3-ubyte.gz"), images, count, 28, 28);
        idx(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), labels, count);
    }

    /** An IDX file of unsigned bytes with these extents. */
    public static void idx(final Path file, final byte[] data, final int... shape) throws IOException
    {
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(file.toString().endsWith(".gz") ?
                 new GZIPOutputStream(raw) : raw))
        {
            out.writeInt(0x0800 | shape.length);
            for (final int extent : shape)
            {
                out.writeInt(extent);
            }
            out.write(data);
        }
    }
}
