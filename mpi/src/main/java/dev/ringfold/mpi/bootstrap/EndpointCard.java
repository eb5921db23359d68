package dev.ringfold.mpi.bootstrap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a rank tells the others first at start-up: who it is and which node it is on, from which every rank knows
 * whom it reaches through shared memory and whom over TCP. Where each listens follows in a {@link Contact}.
 *
 * @param node    ranks with equal node identity talk through shared memory.
 * @param host    this rank's host name, for messages.
 */
public record EndpointCard(int rank, long pid, String node, String host)
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
            return new EndpointCard(in.readInt(), in.readLong(), in.readUTF(), in.readUTF());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("malformed endpoint card of " + blob.length + " bytes", ex);
        }
    }
}
