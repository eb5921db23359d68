package dev.ringfold.mpi.bootstrap;

import dev.ringfold.mpi.auth.Handshake;
import dev.ringfold.mpi.auth.HandshakeException;
import dev.ringfold.mpi.auth.JobSecret;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A rank's side of the {@link RendezvousServer}: connect (retrying until the deadline while nobody listens), prove
 * the job secret and check the server's proof ({@link Handshake}), then rounds. A server that answers with a wrong
 * proof is not retried: it is another job's, or the secrets differ, and waiting would not change that.
 */
public final class RendezvousClient implements AutoCloseable
{
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final int rank;
    private int round;

    private RendezvousClient(final Socket socket, final int rank) throws IOException
    {
        this.socket = socket;
        this.rank = rank;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    public static RendezvousClient connect(final String host, final int port, final int rank, final int size,
        final String jobId, final JobSecret secret, final long deadlineMs) throws IOException
    {
        IOException last = null;
        while (System.currentTimeMillis() < deadlineMs)
        {
            final Socket socket = new Socket();
            try
            {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), (int)Math.max(1, Math.min(5_000, deadlineMs - System.currentTimeMillis())));
                Handshake.connect(socket, secret, Handshake.RENDEZVOUS);
                socket.setSoTimeout((int)Math.max(1, deadlineMs - System.currentTimeMillis()));
                final RendezvousClient client = new RendezvousClient(socket, rank);
                client.out.writeInt(RendezvousServer.MAGIC);
                client.out.writeInt(RendezvousServer.VERSION);
                client.out.writeInt(rank);
                client.out.writeInt(size);
                client.out.writeUTF(jobId);
                client.out.flush();
                return client;
            }
            catch (final HandshakeException ex)
            {
                socket.close();
                throw new IOException("rank " + rank + ": the rendezvous at " + host + ":" + port +
                    " failed the secret handshake: " + ex.getMessage(), ex);
            }
            catch (final IOException ex)
            {
                last = ex;
                socket.close();
                try
                {
                    Thread.sleep(20);
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while connecting to the rendezvous", ie);
                }
            }
        }
        throw new IOException("rank " + rank + ": no rendezvous at " + host + ":" + port + " before the deadline" +
            (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    /** One round: sends this rank's blob, returns every rank's, indexed by rank. */
    public byte[][] allGather(final byte[] blob) throws IOException
    {
        try
        {
            out.writeInt(round++);
            out.writeInt(blob.length);
            out.write(blob);
            out.flush();
            final int size = in.readInt();
            final byte[][] all = new byte[size][];
            for (int r = 0; r < size; r++)
            {
                all[r] = in.readNBytes(in.readInt());
            }
            return all;
        }
        catch (final IOException ex)
        {
            throw new IOException("rank " + rank + ": rendezvous round " + (round - 1) + " failed (" + ex.getMessage() +
                "); another rank failed to start or the launcher stopped the job", ex);
        }
    }

    /** This end's address of the connection: an address of this host that the network routes to the rendezvous. */
    public String localAddress()
    {
        return socket.getLocalAddress().getHostAddress();
    }

    public void barrier() throws IOException
    {
        allGather(new byte[0]);
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
        }
    }
}
