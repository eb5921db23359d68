package dev.ringfold.examples.fashion;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * The Fashion-MNIST data set (Zalando; 60,000 training and 10,000 test images of 28 x 28 grey pixels, 10 classes)
 * from the IDX files of Debian's {@code dataset-fashion-mnist}. Images stay as bytes (47 MB, not 188 MB of floats);
 * {@link #gather} turns the rows a batch needs into F32 in [0, 1].
 */
final class FashionMnist implements AutoCloseable
{
    static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
    static final int PIXELS = 28 * 28;
    static final int CLASSES = 10;

    private final int size;
    /** The images and labels being read on a thread of their own ({@link #loadInBackground}), else null. */
    private final CompletableFuture<Tensor[]> pending;
    /** Read by the thread that trains only; set from {@link #pending} at its first use. */
    private Tensor images;
    private Tensor labels;

    private FashionMnist(final Tensor images, final Tensor labels)
    {
        this.images = images;
        this.labels = labels;
        this.size = (int)images.shape(0);
        this.pending = null;
    }

    private FashionMnist(final int size, final CompletableFuture<Tensor[]> pending)
    {
        this.size = size;
        this.pending = pending;
    }

    /** The training ({@code train-*}) or test ({@code t10k-*}) split from {@code dir}. */
    static FashionMnist load(final Path dir, final boolean training, final BufferAllocator allocator)
    {
        final String prefix = training ? "train" : "t10k";
        final Tensor[] read = read(find(dir, prefix + "-images-idx3-ubyte"), find(dir, prefix + "-labels-idx1-ubyte"),
            prefix, allocator);
        return new FashionMnist(read[0], read[1]);
    }

    /**
     * As {@link #load}, but the images and labels are read and decompressed on a thread of their own: a missing
     * file fails here, {@link #size()} is known at once (from the images' header), and the first {@link #gather}
     * (or {@link #awaitLoaded}) waits for the rest and fails as {@link #load} would. Lets a rank join the job and
     * build its model while the data set is read (a replacement joining a running job, mostly).
     */
    static FashionMnist loadInBackground(final Path dir, final boolean training, final BufferAllocator allocator)
    {
        final String prefix = training ? "train" : "t10k";
        final Path imageFile = find(dir, prefix + "-images-idx3-ubyte");
        final Path labelFile = find(dir, prefix + "-labels-idx1-ubyte");
        final long[] shape;
        try
        {
            shape = IdxFile.shape(imageFile);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final CompletableFuture<Tensor[]> pending = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("fashion-mnist " + prefix).start(() ->
        {
            try
            {
                pending.complete(read(imageFile, labelFile, prefix, allocator));
            }
            catch (final Throwable ex)
            {
                pending.completeExceptionally(ex);
            }
        });
        return new FashionMnist((int)Math.min(Integer.MAX_VALUE, shape[0]), pending);
    }

    /** Waits until the images and labels are in memory (at once for {@link #load}); fails as the read did. */
    FashionMnist awaitLoaded()
    {
        if (images == null)
        {
            final Tensor[] read;
            try
            {
                read = pending.join();
            }
            catch (final CompletionException ex)
            {
                if (ex.getCause() instanceof RuntimeException cause)
                {
                    throw cause;
                }
                throw ex;
            }
            images = read[0];
            labels = read[1];
        }
        return this;
    }

    /** The images and labels of the two files, checked against each other. */
    private static Tensor[] read(final Path imageFile, final Path labelFile, final String prefix,
        final BufferAllocator allocator)
    {
        try
        {
            final Tensor images = IdxFile.read(imageFile, allocator);
            try (Tensor bytes = IdxFile.read(labelFile, allocator))
            {
                if (images.rank() != 3 || images.shape(1) * images.shape(2) != PIXELS)
                {
                    throw new IOException(imageFile + ": expected images of 28 x 28, got shape " +
                        java.util.Arrays.toString(images.shape()));
                }
                if (bytes.rank() != 1 || bytes.shape(0) != images.shape(0))
                {
                    throw new IOException(labelFile + ": " + bytes.describe() + " does not label the " +
                        images.shape(0) + " images of " + imageFile);
                }
                final Tensor labels = Tensors.zeros(allocator, DType.I32, bytes.shape(0)).name(prefix + " labels");
                final MemorySegment from = bytes.segment();
                final MemorySegment to = labels.segment();
                for (long i = 0; i < bytes.shape(0); i++)
                {
                    final int label = from.get(JAVA_BYTE, i) & 0xff;
                    if (label >= CLASSES)
                    {
                        labels.close();
                        images.close();
                        throw new IOException(labelFile + ": label " + label + " at " + i + " is not a class 0..9");
                    }
                    to.set(JAVA_INT_UNALIGNED, 4 * i, label);
                }
                return new Tensor[] { images, labels };
            }
            catch (final IOException | RuntimeException ex)
            {
                images.close();
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** The file, gzipped or not; when neither is there, says what to install or pass. */
    private static Path find(final Path dir, final String name)
    {
        final List<Path> tried = new ArrayList<>();
        for (final String candidate : new String[]{ name + ".gz", name })
        {
            final Path file = dir.resolve(candidate);
            if (Files.isReadable(file))
            {
                return file;
            }
            tried.add(file);
        }
        throw new MissingDataException("Fashion-MNIST not found: no " + tried.get(0) + " (nor " + tried.get(1) +
            "). Install Debian's package (sudo apt-get install " + DEBIAN_PACKAGE + ", files in " + DEBIAN_DIR +
            ") or pass --data DIR with the IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], " +
            "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]).");
    }

    int size()
    {
        return size;
    }

    /**
     * Rows {@code 0..count-1} of {@code x} (F32[>=count, 784]) and {@code y} (I32[>=count]) become the samples
     * {@code samples[from..from+count-1]}, or {@code from..from+count-1} themselves when {@code samples} is null.
     */
    void gather(final int[] samples, final int from, final int count, final Tensor x, final Tensor y)
    {
        awaitLoaded();
        final MemorySegment pixels = images.segment();
        final MemorySegment classes = labels.segment();
        final MemorySegment xs = x.segment();
        final MemorySegment ys = y.segment();
        final float scale = 1.0f / 255.0f;
        for (int k = 0; k < count; k++)
        {
            final int sample = samples == null ? from + k : samples[from + k];
            final long source = (long)sample * PIXELS;
            final long target = 4L * k * PIXELS;
            for (int p = 0; p < PIXELS; p++)
            {
                xs.set(JAVA_FLOAT_UNALIGNED, target + 4L * p, (pixels.get(JAVA_BYTE, source + p) & 0xff) * scale);
            }
            ys.set(JAVA_INT_UNALIGNED, 4L * k, classes.get(JAVA_INT_UNALIGNED, 4L * sample));
        }
    }

    @Override
    public void close()
    {
        if (images == null)
        {
            try
            {
                awaitLoaded();
            }
            catch (final RuntimeException ex)
            {
                return; // the read failed and released what it had made
            }
        }
        images.close();
        labels.close();
    }

    /** The data set is not where it was looked for; the message says how to get it. */
    static final class MissingDataException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        MissingDataException(final String message)
        {
            super(message);
        }
    }
}
