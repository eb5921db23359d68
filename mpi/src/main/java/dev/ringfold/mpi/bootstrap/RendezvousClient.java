package dev.ringfold.mpi.bootstrap;

import dev.ringfold.mpi.auth.Handshake;
import dev.ringfold.mpi.auth.HandshakeException;
import dev.ringfold.mpi.auth.JobSecret;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A rank's side of the {@link RendezvousServer}: connect (retrying until the deadline while nobody listens), prove
 * the job secret and check the server's proof ({@link Handshake}), then rounds. A server that answers with a wrong
 * proof is not retried: it is another job's, or the secrets differ, and waiting would not change that. When the
 * rendezvous fails, the server says why in place of a round's answer, and the round throws with that reason.
 * <p>
 * Where a launcher that outlives the job hosts the rendezvous, the connection can outlast the rounds as a lifeline
 * ({@link #holdAsLifeline}): it ends only when the launcher closes it or dies. Over it the launcher may also bring a
 * replacement of a dead rank (a newcomer, {@link Newcomers}): each of the newcomer's rounds reaches this rank there,
 * and this rank's answer goes back the same way. A newcomer itself connects with its incarnation and then runs
 * ordinary rounds ({@link #allGather}), which the server answers with the survivors' blobs.
 */
public final class RendezvousClient implements AutoCloseable
{
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final int rank;
    private int round;
    private volatile boolean closed;

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
        return connect(host, port, rank, size, jobId, secret, deadlineMs, false);
    }

    /**
     * @param listeningBeforeStart whether the rendezvous was listening before this rank was started (Ringfold's
     *                             launcher opens it first): then a refused connection means it is gone, and waiting
     *                             for it would only keep an orphaned rank alive until the deadline.
     */
    public static RendezvousClient connect(final String host, final int port, final int rank, final int size,
        final String jobId, final JobSecret secret, final long deadlineMs, final boolean listeningBeforeStart)
        throws IOException
    {
        return connect(host, port, rank, size, jobId, secret, deadlineMs, listeningBeforeStart, 0);
    }

    /**
     * @param incarnation 0 for a rank started with the job; for a replacement of a dead rank, the incarnation its
     *                    launcher reopened the slot with ({@code RendezvousServer.reopen}).
     */
    public static RendezvousClient connect(final String host, final int port, final int rank, final int size,
        final String jobId, final JobSecret secret, final long deadlineMs, final boolean listeningBeforeStart,
        final int incarnation) throws IOException
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
                client.out.writeInt(incarnation);
                client.out.flush();
                return client;
            }
            catch (final HandshakeException ex)
            {
                socket.close();
                throw new IOException("rank " + rank + ": the rendezvous at " + host + ":" + port +
                    " failed the secret handshake: " + ex.getMessage(), ex);
            }
            catch (final ConnectException ex)
            {
                socket.close();
                if (listeningBeforeStart)
                {
                    throw new RendezvousLostException("rank " + rank + ": the launcher's rendezvous at " + host + ":" + port +
                        " refused the connection (" + ex.getMessage() + "): the launcher is gone", ex);
                }
                last = ex;
                pause();
            }
            catch (final IOException ex)
            {
                last = ex;
                socket.close();
                pause();
            }
        }
        throw new IOException("rank " + rank + ": no rendezvous at " + host + ":" + port + " before the deadline" +
            (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    private static void pause() throws IOException
    {
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

    /**
     * One round: sends this rank's blob, returns every rank's, indexed by rank.
     *
     * @throws RendezvousLostException when the connection ends without the server saying why.
     * @throws IOException             with the server's reason when the rendezvous failed.
     */
    public byte[][] allGather(final byte[] blob) throws IOException
    {
        String reason = null;
        try
        {
            out.writeInt(round++);
            out.writeInt(blob.length);
            out.write(blob);
            out.flush();
            final int size = in.readInt();
            if (size == RendezvousServer.FAILED)
            {
                reason = in.readUTF();
                throw new IOException("the rendezvous failed: " + reason);
            }
            final byte[][] all = new byte[size][];
            for (int r = 0; r < size; r++)
            {
                all[r] = in.readNBytes(in.readInt());
            }
            return all;
        }
        catch (final IOException ex)
        {
            final String message = "rank " + rank + ": rendezvous round " + (round - 1) + " failed (" +
                (ex.getMessage() != null ? ex.getMessage() : ex instanceof EOFException ? "the connection closed" : ex) + ")";
            if (reason != null)
            {
                throw new IOException(message, ex);
            }
            throw new RendezvousLostException(message + "; another rank failed to start or the launcher stopped the job",
                ex);
        }
    }

    /**
     * Ends the rounds but keeps the connection, watching it from a daemon thread: when the other end closes it or
     * it breaks, {@code onLost} runs once, unless {@link #close()} came first. Nothing is sent on it afterwards.
     */
    public void holdAsLifeline(final Runnable onLost) throws IOException
    {
        holdAsLifeline(onLost, null);
    }

    /**
     * What a survivor does with a newcomer that the launcher brings in over the lifeline. Called on the lifeline's
     * thread, one newcomer's round at a time.
     */
    public interface Newcomers
    {
        /** A round of {@code rank}'s newcomer: returns this rank's blob for it (what the newcomer receives). */
        byte[] round(int rank, int incarnation, int round, byte[] blob);

        /** The newcomer holds its lifeline ({@code joined}) or went away before it did (everything it began is void). */
        void ended(int rank, int incarnation, boolean joined);
    }

    /**
     * As {@link #holdAsLifeline(Runnable)}, answering newcomers' rounds with {@code newcomers} (null: an empty blob
     * for each).
     */
    public void holdAsLifeline(final Runnable onLost, final Newcomers newcomers) throws IOException
    {
        out.writeInt(RendezvousServer.LIFELINE);
        out.flush();
        socket.setSoTimeout(0);
        // at exit the JVM waits up to 300 ms for threads still in native code, such as one blocked reading this
        // socket: closing it first lets the reader leave quietly (closed is set) and the rank exit at once
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("ringfold-lifeline-close").unstarted(this::close));
        Thread.ofPlatform().daemon().name("ringfold-lifeline").start(() ->
        {
            try
            {
                while (in.readInt() == RendezvousServer.JOIN)
                {
                    final int rank = in.readInt();
                    final int incarnation = in.readInt();
                    final int round = in.readInt();
                    final byte[] blob = in.readNBytes(in.readInt());
                    if (round >= 0)
                    {
                        final byte[] answer = newcomers == null ? new byte[0] :
                            newcomers.round(rank, incarnation, round, blob);
                        out.writeInt(answer.length);
                        out.write(answer);
                        out.flush();
                    }
                    else if (newcomers != null)
                    {
                        newcomers.ended(rank, incarnation, round == RendezvousServer.JOINED);
                    }
                }
            }
            catch (final IOException ex)
            {
                // closed or broken; a message that is not a join's cannot come from our server: the same
            }
            if (!closed)
            {
                onLost.run();
            }
        });
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
        closed = true;
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
        }
    }
}
