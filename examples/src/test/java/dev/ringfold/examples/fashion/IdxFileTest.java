package dev.ringfold.examples.fashion;

import dev.ringfold.tensors.Tensor;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class IdxFileTest
{
    @Test
    void readsPlainAndGzippedFilesIntoTheirShape(@TempDir final Path dir) throws IOException
    {
        final byte[] data = new byte[2 * 3 * 4];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)(250 + i);
        }
        SyntheticFashion.idx(dir.resolve("a-idx3-ubyte"), data, 2, 3, 4);
        SyntheticFashion.idx(dir.resolve("a-idx3-ubyte.gz"), data, 2, 3, 4);
        try (BufferAllocator allocator = new RootAllocator())
        {
            for (final String name : new String[]{ "a-idx3-ubyte", "a-idx3-ubyte.gz" })
            {
                try (Tensor t = IdxFile.read(dir.resolve(name), allocator))
                {
                    assertArrayEquals(new long[]{ 2, 3, 4 }, t.shape(), name);
                    assertEquals(250, t.getLong(0, 0, 0), name);
                    assertEquals((250 + 23) & 0xff, t.getLong(1, 2, 3), name);
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void badFilesAreNamed(@TempDir final Path dir) throws IOException
    {
        final Path wrongMagic = dir.resolve("float-idx");
        Files.write(wrongMagic, new byte[]{ 0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0 });
        final Path truncated = dir.resolve("short-idx");
        Files.write(truncated, new byte[]{ 0, 0, 8, 1, 0, 0, 0, 9, 1, 2, 3 });
        try (BufferAllocator allocator = new RootAllocator())
        {
            final IOException magic = assertThrows(IOException.class, () -> IdxFile.read(wrongMagic, allocator));
            assertTrue(magic.getMessage().contains("float-idx") && magic.getMessage().contains("0xd01"),
                magic.getMessage());
            final IOException shortFile = assertThrows(IOException.class, () -> IdxFile.read(truncated, allocator));
            assertTrue(shortFile.getMessage().contains("after 3 of 9"), shortFile.getMessage());
            assertEquals(0, allocator.getAllocatedMemory(), "nothing kept after a failed read");
        }
    }

    @Test
    void aMissingDataSetSaysWhatToInstall(@TempDir final Path dir)
    {
        try (BufferAllocator allocator = new RootAllocator())
        {
            final FashionMnist.MissingDataException missing = assertThrows(FashionMnist.MissingDataException.class,
                () -> FashionMnist.load(dir, true, allocator));
            assertTrue(missing.getMessage().contains("apt-get install dataset-fashion-mnist") &&
                missing.getMessage().contains("--data DIR") &&
                missing.getMessage().contains(dir.resolve("train-images-idx3-ubyte.gz").toString()),
                missing.getMessage());
        }
    }

    @Test
    void gatherScalesPixelsAndPicksLabels(@TempDir final Path dir) throws IOException
    {
        SyntheticFashion.write(dir, 20, 5, 1);
        try (BufferAllocator allocator = new RootAllocator();
             FashionMnist train = FashionMnist.load(dir, true, allocator);
             Tensor raw = IdxFile.read(dir.resolve("train-images-idx3-ubyte.gz"), allocator);
             Tensor rawLabels = IdxFile.read(dir.resolve("train-labels-idx1-ubyte.gz"), allocator);
             Tensor x = dev.ringfold.tensors.Tensors.zeros(allocator, dev.ringfold.tensors.DType.F32, 2, 784);
             Tensor y = dev.ringfold.tensors.Tensors.zeros(allocator, dev.ringfold.tensors.DType.I32, 2))
        {
            assertEquals(20, train.size());
            train.gather(new int[]{ 0, 7, 3 }, 1, 2, x, y);
            assertEquals(rawLabels.getLong(7), y.getLong(0));
            assertEquals(rawLabels.getLong(3), y.getLong(1));
            for (int p = 0; p < 784; p++)
            {
                assertEquals(raw.getLong(7, p / 28, p % 28) / 255.0f, x.getFloat(0, p), 1e-7f, "pixel " + p);
            }
            assertTrue(Arrays.stream(new long[]{ y.getLong(0) }).allMatch(v -> v >= 0 && v < 10));
        }
    }

    @Test
    void optionsAreCheckedAndNamed()
    {
        final TrainingOptions options = TrainingOptions.parse(new String[]{ "--epochs", "3", "--optimizer", "adam",
            "--batch-size", "64", "--timing" });
        assertEquals(3, options.epochs);
        assertEquals(64, options.batchSize);
        assertEquals(1e-3f, options.learningRate, "Adam's default rate");
        assertEquals(1e-3f, options.learningRate(1));
        assertTrue(options.learningRate(3) < options.learningRate(2), "cosine decay");
        assertEquals(128 << 10, TrainingOptions.parse(new String[0]).bucketBytes, "buckets that overlap this model");
        final TrainingOptions ps = TrainingOptions.parse(new String[]{ "--mode", "ps", "--servers", "2", "--trace",
            "--print-digest" });
        assertEquals(TrainingOptions.Mode.PS, ps.mode);
        assertEquals(2, ps.servers);
        assertTrue(ps.trace && ps.printDigest);
        for (final String[] bad : new String[][]{ { "--epochs", "0" }, { "--lr", "-1" }, { "--mode", "ring" },
            { "--frobnicate", "1" }, { "--epochs" }, { "--resume" }, { "--servers", "0" }, { "--bucket-bytes", "-5" },
            { "--checkpoint", "/tmp/x", "--mode", "ps" } })
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> TrainingOptions.parse(bad));
            assertTrue(ex.getMessage().contains(bad[0]), ex.getMessage());
        }
    }

    @Test
    void anUnreadableFileIsAnUncheckedIoError(@TempDir final Path dir) throws IOException
    {
        SyntheticFashion.write(dir, 4, 4, 2);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), new byte[]{ 1, 2, 3 });
        try (BufferAllocator allocator = new RootAllocator())
        {
            assertThrows(UncheckedIOException.class, () -> FashionMnist.load(dir, false, allocator));
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }
}
