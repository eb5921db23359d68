package dev.ringfold.mpi.bootstrap;

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
        return Blobs.write(out ->
        {
            out.writeInt(rank);
            out.writeLong(pid);
            out.writeUTF(node);
            out.writeUTF(host);
        });
    }

    public static EndpointCard decode(final byte[] blob)
    {
        return Blobs.read(blob, "endpoint card",
            in -> new EndpointCard(in.readInt(), in.readLong(), in.readUTF(), in.readUTF()));
    }
}
