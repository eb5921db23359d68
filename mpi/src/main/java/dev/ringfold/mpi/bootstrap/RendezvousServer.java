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
import java.util.concurrent.Semaphore;

/**
 * The meeting point of a job's ranks: each rank connects, says who it is, and then takes part in rounds; in each
 * round every rank sends one blob and receives the blobs of all ranks (an all-gather), which doubles as a barrier.
 * Hosted by the launcher when there is one, else by rank 0 in a thread of its own. Everything has a deadline:
 * a rank that does not come, or goes away, fails the bootstrap of every rank with a message naming it, which the
 * ranks that have joined are told in place of a round's answer.
 * <p>
 * Strangers cannot hold it up: connections are accepted as they come and each is heard in a platform thread of its
 * own, which first has it prove the job secret ({@link Handshake}) and then say which rank it is, all within
 * {@link #HELLO_LIMIT_MS}; one that does not is logged and dropped without anything of it being read. At most
 * {@link #MAX_PENDING} connections are heard at a time; past that a new one is closed at once (a rank whose
 * connection is closed dials again).
 * <p>
 * A rank started by Ringfold's launcher ends the rounds with {@link #LIFELINE} instead of a round number and keeps
 * its connection open: when the launcher dies, however it dies, the kernel closes the connection and the rank
 * learns it at once (see {@code Ringfold}). Ranks of other launchers close it after the last round.
 */
public final class RendezvousServer implements AutoCloseable
{
    static final int MAGIC = 0x52464C44; // "RFLD"
    static final int VERSION = 2;
    /** Sent in place of a round number by a rank that is done with the rounds and keeps the connection open. */
    static final int LIFELINE = -1;
    /** Sent in place of a round's answer (the world size): the rendezvous failed, and a UTF reason follows. */
    static final int FAILED = -1;
    /** How long a connection has to prove the secret and then to say which rank it is, each. */
    static final long HELLO_LIMIT_MS = 2_000;
    /** How many connections may be in their hello at once; what a flood of strangers can cost is bounded by it. */
    static final int MAX_PENDING = 1024;
    /** A hello handler needs little stack; a small one keeps a flood of strangers cheap. */
    private static final long HELLO_STACK_BYTES = 256 * 1024;

    private final ServerSocket socket;
    private final int size;
    private final String jobId;
    private final JobSecret secret;
    private final long timeoutMs;
    private final long deadline;
    private final Thread thread;
    private final Thread acceptor;
    private final Semaphore pending = new Semaphore(MAX_PENDING);
    private final Socket[] clients;
    private final DataInputStream[] in;
    private final DataOutputStream[] out;
    private int joined; // guarded by this
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
        this.deadline = System.currentTimeMillis() + timeoutMs;
        this.clients = new Socket[size];
        this.in = new DataInputStream[size];
        this.out = new DataOutputStream[size];
        this.thread = Thread.ofPlatform().daemon().name("ringfold-rendezvous").unstarted(this::serve);
        this.acceptor = Thread.ofPlatform().daemon().name("ringfold-rendezvous-accept").unstarted(this::acceptAll);
    }

    /**
     * Binds and starts serving in daemon threads.
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
        // the kernel caps the backlog (somaxconn); a deep one keeps a burst of strangers from filling it
        socket.bind(new InetSocketAddress(bindHost, port), Math.max(MAX_PENDING, size));
        final RendezvousServer server = new RendezvousServer(socket, size, jobId, secret, timeoutMs);
        server.acceptor.start();
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

    /** Whether {@code rank} has proved the secret and said who it is. */
    public synchronized boolean joined(final int rank)
    {
        return clients[rank] != null;
    }

    /** How many ranks have joined so far. */
    public synchronized int joinedCount()
    {
        return joined;
    }

    /**
     * Fails the bootstrap from outside (the launcher saw a rank end before it joined): every rank that has joined is
     * told {@code reason} in place of its next round's answer. Does nothing once the rounds are over or it failed.
     */
    public void fail(final String reason)
    {
        failWith(reason);
    }

    private void acceptAll()
    {
        while (!socket.isClosed())
        {
            final Socket client;
            try
            {
                client = socket.accept();
            }
            catch (final IOException ex)
            {
                return; // closed: every rank has joined, the rendezvous failed, or it is shut down
            }
            if (!pending.tryAcquire())
            {
                closeQuietly(client);
                continue;
            }
            // a platform thread, not a virtual one: a virtual thread's socket reads start the JDK's poller threads,
            // which then sit in epoll_wait, native code, for the rest of the process, and at exit the JVM waits up
            // to 300 ms for threads in native code (every mpjrun paid it, BENCHMARKS.md "Start-up"); a hello ends
            // within HELLO_LIMIT_MS, and MAX_PENDING bounds how many run at once
            Thread.ofPlatform().daemon().stackSize(HELLO_STACK_BYTES).name("ringfold-rendezvous-hello").start(() ->
            {
                try
                {
                    admit(client);
                }
                finally
                {
                    pending.release();
                }
            });
        }
    }

    /** Hears one connection: the secret, then the rank's hello; a rank that passes both takes its place. */
    private void admit(final Socket client)
    {
        try
        {
            client.setTcpNoDelay(true);
            Handshake.accept(client, secret, Handshake.RENDEZVOUS, HELLO_LIMIT_MS);
        }
        catch (final HandshakeException ex)
        {
            RejectLog.stderr().reject("rendezvous of job " + jobId, client.getRemoteSocketAddress(), ex.getMessage());
            closeQuietly(client);
            return;
        }
        catch (final IOException ex)
        {
            closeQuietly(client);
            return;
        }
        final DataInputStream din;
        final int rank;
        final int claimedSize;
        final String claimedJob;
        try
        {
            client.setSoTimeout((int)HELLO_LIMIT_MS);
            din = new DataInputStream(new BufferedInputStream(client.getInputStream()));
            if (din.readInt() != MAGIC || din.readInt() != VERSION)
            {
                throw new IOException("knows the secret but sent no rank hello of version " + VERSION);
            }
            rank = din.readInt();
            claimedSize = din.readInt();
            claimedJob = din.readUTF();
            client.setSoTimeout(0); // the rounds set their own limits
        }
        catch (final IOException ex)
        {
            RejectLog.stderr().reject("rendezvous of job " + jobId, client.getRemoteSocketAddress(),
                "authenticated, but no rank hello followed (" + ex + ")");
            closeQuietly(client);
            return;
        }
        final String mismatch;
        synchronized (this)
        {
            if (failure != null)
            {
                tell(client, failure);
                closeQuietly(client);
                return;
            }
            if (socket.isClosed())
            {
                closeQuietly(client);
                return;
            }
            if (claimedSize == size && jobId.equals(claimedJob) && rank >= 0 && rank < size && clients[rank] == null)
            {
                try
                {
                    out[rank] = new DataOutputStream(new BufferedOutputStream(client.getOutputStream()));
                }
                catch (final IOException ex)
                {
                    closeQuietly(client);
                    return;
                }
                clients[rank] = client;
                in[rank] = din;
                joined++;
                notifyAll();
                return;
            }
            mismatch = "rank " + rank + " joined with job '" + claimedJob + "' and size " + claimedSize +
                " but this rendezvous serves job '" + jobId + "' of size " + size +
                (rank >= 0 && rank < size && clients[rank] != null ? " and already has that rank" : "");
        }
        closeQuietly(client); // not in clients[]: closed here so that its rank fails now, not at a timeout
        failWith(mismatch);
    }

    private void serve()
    {
        try
        {
            synchronized (this)
            {
                while (joined < size && failure == null)
                {
                    final long left = deadline - System.currentTimeMillis();
                    if (left <= 0)
                    {
                        throw new IOException(missing() + " did not reach the rendezvous within " + timeoutMs + " ms");
                    }
                    wait(left);
                }
                if (failure != null)
                {
                    return;
                }
            }
            closeQuietly(socket); // everyone is here: nobody else has anything to say
            rounds();
        }
        catch (final IOException ex)
        {
            failWith(ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            failWith("the rendezvous was shut down");
        }
    }

    private void rounds() throws IOException
    {
        final byte[][] blobs = new byte[size][];
        while (true)
        {
            int lifelines = 0;
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
                    if (r == 0 && lifelines == 0)
                    {
                        finished = true;
                        closeClients();
                        return; // the ranks are done with the rendezvous
                    }
                    throw new IOException("rank " + r + " left the rendezvous early");
                }
                catch (final SocketTimeoutException ex)
                {
                    throw new IOException("rank " + r + " did not finish bootstrapping within " + timeoutMs + " ms");
                }
                if (round == LIFELINE)
                {
                    lifelines++;
                    continue;
                }
                if (lifelines > 0)
                {
                    throw new IOException("rank " + r + " sent round " + round + " where the others ended the rounds");
                }
                final int length = in[r].readInt();
                if (length < 0 || length > (1 << 20))
                {
                    throw new IOException("rank " + r + " sent a rendezvous blob of " + length + " bytes in round " + round);
                }
                blobs[r] = in[r].readNBytes(length);
            }
            if (lifelines == size)
            {
                for (final Socket client : clients)
                {
                    client.setSoTimeout(0);
                }
                finished = true; // the connections stay open until close(): each is a rank's lifeline
                return;
            }
            if (lifelines > 0)
            {
                throw new IOException("some ranks ended the rounds while others went on");
            }
            synchronized (this)
            {
                if (failure != null)
                {
                    return;
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
    }

    /** Records the first failure, tells every rank that has joined why, and closes everything. */
    private void failWith(final String reason)
    {
        synchronized (this)
        {
            if (failure != null || finished)
            {
                return;
            }
            failure = reason;
            notifyAll();
            for (int r = 0; r < size; r++)
            {
                if (clients[r] != null)
                {
                    tell(clients[r], reason);
                }
            }
            closeClients();
        }
        // the port stays open until close(): a rank that comes late is told the reason too, not refused
    }

    /** Tells a rank why the rendezvous failed, in place of its next round's answer. */
    private static void tell(final Socket client, final String reason)
    {
        try
        {
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(client.getOutputStream()));
            out.writeInt(FAILED);
            out.writeUTF(reason.length() > 8_000 ? reason.substring(0, 8_000) + "…" : reason);
            out.flush();
        }
        catch (final IOException ignore)
        {
            // that rank is gone already
        }
    }

    private synchronized void closeClients()
    {
        for (final Socket client : clients)
        {
            closeQuietly(client);
        }
    }

    private synchronized String missing()
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

    /** Closes the port and every rank's connection, lifelines included: ranks still running take that as the end. */
    @Override
    public void close()
    {
        closeQuietly(socket);
        thread.interrupt();
        closeClients();
    }
}
