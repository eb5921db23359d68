package dev.ringfold.mpi.bootstrap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a rank tells the others at start-up: who it is, which node it is on, and where it listens.
 *
 * @param node    ranks with equal node identity talk through shared memory.
 * @param host    this rank's host name, for messages.
 */
public record EndpointCard(int rank, long pid, String node, String host, String tcpHost, int tcpPort)
{
    public byte[] encode()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeInt(rank);
            out.writeLong(pid);
            out.writeUTF(node);
            out.writeUTF(host);
            out.writeUTF(tcpHost);
            out.writeInt(tcpPort);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    public static EndpointCard decode(final byte[] blob)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob)))
        {
            return new EndpointCard(in.readInt(), in.readLong(), in.readUTF(), in.readUTF(), in.readUTF(), in.readInt());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("malformed endpoint card of " + blob.length + " bytes", ex);
        }
    }
}
