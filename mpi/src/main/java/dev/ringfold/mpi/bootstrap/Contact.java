package dev.ringfold.mpi.bootstrap;

/**
 * Where a rank can be reached, told in the rendezvous's second round once every rank knows from the
 * {@link EndpointCard}s which peers it has on TCP: its ring file's name (for the ranks of its node) and the address
 * it listens on for TCP, which is empty with port 0 where it has no TCP peer and so does not listen.
 */
public record Contact(String ringFile, String tcpHost, int tcpPort)
{
    public byte[] encode()
    {
        return Blobs.write(out ->
        {
            out.writeUTF(ringFile);
            out.writeUTF(tcpHost);
            out.writeInt(tcpPort);
        });
    }

    public static Contact decode(final byte[] blob)
    {
        return Blobs.read(blob, "contact", in -> new Contact(in.readUTF(), in.readUTF(), in.readInt()));
    }
}
