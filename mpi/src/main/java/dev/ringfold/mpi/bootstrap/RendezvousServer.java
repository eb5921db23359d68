package dev.ringfold.mpi.bootstrap;

import dev.ringfold.mpi.auth.Handshake;
import dev.ringfold.mpi.auth.HandshakeException;
import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.auth.RejectLog;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The meeting point of a job's ranks: each rank connects, says who it is, and then takes part in rounds; in each
 * round every rank sends one blob and receives the blobs of all ranks (an all-gather), which doubles as a barrier.
 * Hosted by the launcher when there is one, else by rank 0 in a thread of its own. Everything has a deadline:
 * a rank that does not come, or goes away, fails the bootstrap of every rank with a message naming it.
 * <p>
 * Every connection first proves the job secret ({@link Handshake}); one that does not is logged and dropped
 * without anything of it being read, and the rendezvous goes on waiting for the real ranks.
 */
public final class RendezvousServer implements AutoCloseable
{
    static final int MAGIC = 0x52464C44; // "RFLD"
    static final int VERSION = 1;

    private final ServerSocket socket;
    private final int size;
    private final String jobId;
    private final JobSecret secret;
    private final long timeoutMs;
    private final Thread thread;
    private volatile String failure;
    private volatile boolean finished;

    private RendezvousServer(final ServerSocket socket, final int size, final String jobId, final JobSecret secret,
        final long timeoutMs)
    {
        this.socket = socket;
        this.size = size;
        this.jobId = jobId;
        this.secret = secret;
        this.timeoutMs = timeoutMs;
        this.thread = Thread.ofPlatform().daemon().name("ringfold-rendezvous").unstarted(this::serve);
    }

    /**
     * Binds and starts serving in a daemon thread.
     *
     * @param bindHost  the address to listen on ("0.0.0.0" for all), port 0 for any free port.
     * @param size      how many ranks will come.
     * @param secret    the key every rank proves before it is heard.
     * @param timeoutMs how long the whole bootstrap may take.
     */
    public static RendezvousServer start(final String bindHost, final int port, final int size, final String jobId,
        final JobSecret secret, final long timeoutMs) throws IOException
    {
        final ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(bindHost, port), Math.max(50, size));
        final RendezvousServer server = new RendezvousServer(socket, size, jobId, secret, timeoutMs);
        server.thread.start();
        return server;
    }

    public int port()
    {
        return socket.getLocalPort();
    }

    /** Why the bootstrap failed, or null while it has not. */
    public String failure()
    {
        return failure;
    }

    public boolean finished()
    {
        return finished;
    }

    private void serve()
    {
        final Socket[] clients = new Socket[size];
        final DataInputStream[] in = new DataInputStream[size];
        final DataOutputStream[] out = new DataOutputStream[size];
        final long deadline = System.currentTimeMillis() + timeoutMs;
        try
        {
            for (int joined = 0; joined < size; joined++)
            {
                final int wait = (int)Math.max(1, deadline - System.currentTimeMillis());
                socket.setSoTimeout(wait);
                final Socket client;
                try
                {
                    client = socket.accept();
                }
                catch (final SocketTimeoutException ex)
                {
                    throw new IOException(missing(clients) + " did not reach the rendezvous within " + timeoutMs + " ms");
                }
                client.setTcpNoDelay(true);
                try
                {
                    Handshake.accept(client, secret, Handshake.RENDEZVOUS);
                }
                catch (final HandshakeException ex)
                {
                    RejectLog.stderr().reject("rendezvous of job " + jobId, client.getRemoteSocketAddress(), ex.getMessage());
                    closeQuietly(client);
                    joined--;
                    continue;
                }
                // an authenticated client has a few seconds to say which rank it is
                client.setSoTimeout((int)Math.max(1, Math.min(deadline - System.currentTimeMillis(), 5_000)));
                final DataInputStream din = new DataInputStream(new BufferedInputStream(client.getInputStream()));
                final int rank;
                final int claimedSize;
                final String claimedJob;
                try
                {
                    if (din.readInt() != MAGIC || din.readInt() != VERSION)
                    {
                        throw new IOException("knows the secret but sent no rank hello");
                    }
                    rank = din.readInt();
                    claimedSize = din.readInt();
                    claimedJob = din.readUTF();
                }
                catch (final IOException ex)
                {
                    // a rank that gave up waiting behind a stranger and dialled again also ends here, harmlessly
                    RejectLog.stderr().reject("rendezvous of job " + jobId, client.getRemoteSocketAddress(),
                        "authenticated, but no rank hello followed (" + ex + ")");
                    closeQuietly(client);
                    joined--;
                    continue;
                }
                client.setSoTimeout((int)Math.max(1, deadline - System.currentTimeMillis()));
                if (claimedSize != size || !jobId.equals(claimedJob) || rank < 0 || rank >= size || clients[rank] != null)
                {
                    closeQuietly(client); // not in clients[] yet: closed here so that its rank fails now, not at a timeout
                    throw new IOException("rank " + rank + " joined with job '" + claimedJob + "' and size " + claimedSize +
                        " but this rendezvous serves job '" + jobId + "' of size " + size +
                        (rank >= 0 && rank < size && clients[rank] != null ? " and already has that rank" : ""));
                }
                clients[rank] = client;
                in[rank] = din;
                out[rank] = new DataOutputStream(new BufferedOutputStream(client.getOutputStream()));
            }
            final byte[][] blobs = new byte[size][];
            while (true)
            {
                for (int r = 0; r < size; r++)
                {
                    clients[r].setSoTimeout((int)Math.max(1, deadline - System.currentTimeMillis()));
                    final int round;
                    try
                    {
                        round = in[r].readInt();
                    }
                    catch (final EOFException ex)
                    {
                        if (r == 0)
                        {
                            finished = true;
                            return; // the ranks are done with the rendezvous
                        }
                        throw new IOException("rank " + r + " left the rendezvous early");
                    }
                    catch (final SocketTimeoutException ex)
                    {
                        throw new IOException("rank " + r + " did not finish bootstrapping within " + timeoutMs + " ms");
                    }
                    final int length = in[r].readInt();
                    if (length < 0 || length > (1 << 20))
                    {
                        throw new IOException("rank " + r + " sent a rendezvous blob of " + length + " bytes in round " + round);
                    }
                    blobs[r] = in[r].readNBytes(length);
                }
                for (int r = 0; r < size; r++)
                {
                    out[r].writeInt(size);
                    for (final byte[] blob : blobs)
                    {
                        out[r].writeInt(blob.length);
                        out[r].write(blob);
                    }
                    out[r].flush();
                }
            }
        }
        catch (final IOException ex)
        {
            failure = ex.getMessage();
        }
        finally
        {
            for (final Socket client : clients)
            {
                closeQuietly(client);
            }
            closeQuietly(socket);
        }
    }

    private static String missing(final Socket[] clients)
    {
        final StringBuilder sb = new StringBuilder("ranks");
        int count = 0;
        for (int r = 0; r < clients.length; r++)
        {
            if (clients[r] == null)
            {
                if (count < 16)
                {
                    sb.append(' ').append(r);
                }
                count++;
            }
        }
        return count > 16 ? sb.append(" … (").append(count).append(" in all)").toString() : sb.toString();
    }

    private static void closeQuietly(final AutoCloseable c)
    {
        if (c != null)
        {
            try
            {
                c.close();
            }
            catch (final Exception ignore)
            {
            }
        }
    }

    @Override
    public void close()
    {
        closeQuietly(socket);
        thread.interrupt();
    }
}
