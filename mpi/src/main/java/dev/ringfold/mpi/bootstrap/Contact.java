package dev.ringfold.mpi.bootstrap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Where a rank can be reached, told in the rendezvous's second round once every rank knows from the
 * {@link EndpointCard}s which peers it has on TCP: its ring file's name (for the ranks of its node) and the address
 * it listens on for TCP, which is empty with port 0 where it has no TCP peer and so does not listen.
 */
public record Contact(String ringFile, String tcpHost, int tcpPort)
{
    public byte[] encode()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeUTF(ringFile);
            out.writeUTF(tcpHost);
            out.writeInt(tcpPort);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    public static Contact decode(final byte[] blob)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob)))
        {
            return new Contact(in.readUTF(), in.readUTF(), in.readInt());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("malformed contact of " + blob.length + " bytes", ex);
        }
    }
}
