package dev.ringfold.examples.fashion;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.apache.arrow.memory.BufferAllocator;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Reads an IDX file (the MNIST format: big-endian magic {@code 0x0000_08_NN} for unsigned bytes in NN dimensions,
 * the NN extents as big-endian ints, then the bytes), gzipped ({@code .gz}) or not, into a U8 tensor of that shape.
 */
final class IdxFile
{
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxFile()
    {
    }

    /** The extents of the file's dimensions, from its header alone (the data is not read). */
    static long[] shape(final Path file) throws IOException
    {
        try (DataInputStream in = open(file))
        {
            return header(file, in);
        }
    }

    static Tensor read(final Path file, final BufferAllocator allocator) throws IOException
    {
        try (DataInputStream in = open(file))
        {
            final long[] shape = header(file, in);
            final Tensor tensor = Tensors.allocate(allocator, DType.U8, shape).name(file.getFileName().toString());
            try
            {
                final byte[] chunk = new byte[1 << 16];
                final long total = tensor.byteSize();
                for (long done = 0; done < total; )
                {
                    final int want = (int)Math.min(chunk.length, total - done);
                    final int got = in.read(chunk, 0, want);
                    if (got < 0)
                    {
                        throw new EOFException(file + ": ends after " + done + " of " + total + " data bytes");
                    }
                    MemorySegment.copy(chunk, 0, tensor.segment(), JAVA_BYTE, done, got);
                    done += got;
                }
                return tensor;
            }
            catch (final IOException | RuntimeException ex)
            {
                tensor.close();
                throw ex;
            }
        }
    }

    private static DataInputStream open(final Path file) throws IOException
    {
        final InputStream raw = Files.newInputStream(file);
        try
        {
            return new DataInputStream(new BufferedInputStream(file.toString().endsWith(".gz") ?
                new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16));
        }
        catch (final IOException | RuntimeException ex)
        {
            raw.close();
            throw ex;
        }
    }

    /** Reads the magic number and the extents; the stream is then at the first data byte. */
    private static long[] header(final Path file, final DataInputStream in) throws IOException
    {
        final int magic = in.readInt();
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE || (magic & 0xff) < 1)
        {
            throw new IOException(file + ": not an IDX file of unsigned bytes (magic 0x" +
                Integer.toHexString(magic) + ", expected 0x000008NN)");
        }
        final long[] shape = new long[magic & 0xff];
        for (int d = 0; d < shape.length; d++)
        {
            shape[d] = in.readInt();
            if (shape[d] < 0)
            {
                throw new IOException(file + ": negative extent " + shape[d] + " in dimension " + d);
            }
        }
        return shape;
    }
}
