package dev.ringfold.mpi.bootstrap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The byte form of what ranks tell each other at start-up ({@link EndpointCard}, {@link Contact}): fields in order
 * through {@link DataOutputStream} and read back in the same order through {@link DataInputStream}.
 */
public final class Blobs
{
    /** Writes a value's fields. */
    @FunctionalInterface
    public interface Writer
    {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads a value's fields back, in the order its {@link Writer} wrote them. */
    @FunctionalInterface
    public interface Reader<T>
    {
        T read(DataInputStream in) throws IOException;
    }

    private Blobs()
    {
    }

    public static byte[] write(final Writer writer)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            writer.write(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // a byte array does not fail to take bytes
        }
        return bytes.toByteArray();
    }

    /** The value in {@code blob}; a blob too short for it is an {@link IllegalStateException} naming {@code what}. */
    public static <T> T read(final byte[] blob, final String what, final Reader<T> reader)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob)))
        {
            return reader.read(in);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("malformed " + what + " of " + blob.length + " bytes", ex);
        }
    }
}
