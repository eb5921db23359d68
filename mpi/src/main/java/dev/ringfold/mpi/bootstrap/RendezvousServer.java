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
 * <p>
 * <b>Late joiners</b> (started with {@code lateJoins}, for {@code mpjrun --elastic}): the port stays open after the
 * start-up rounds, still behind the same secret handshake. Once the launcher {@link #reopen reopens} a dead rank's
 * slot, one process may take it: its hello names the rank and the slot's new incarnation (a hello for any other
 * incarnation, or for a slot that is not open, is turned away with the reason and changes nothing). The newcomer
 * then runs rounds as at start-up, but against the survivors: each of its blobs goes to every survivor over that
 * survivor's lifeline ({@link #JOIN}), each survivor answers with a blob of its own, and the newcomer receives every
 * rank's blob in rank order (an empty one for a rank that is not there). When the newcomer sends {@link #LIFELINE}
 * it has joined ({@link #JOINED} to the survivors); when it goes away first, the survivors are told
 * ({@link #ABANDONED}), and the next try needs the launcher to reopen the slot, for a new incarnation: whatever a
 * try began is never taken for another's. One join runs at a time.
 */
public final class RendezvousServer implements AutoCloseable
{
    static final int MAGIC = 0x52464C44; // "RFLD"
    static final int VERSION = 3; // 3: the hello carries the rank's incarnation
    /** Sent to a survivor over its lifeline: a newcomer's round (or its end) follows. */
    static final int JOIN = 0x4A4F494E; // "JOIN"
    /** In place of a join round's number: the newcomer went away before it joined; no answer is expected. */
    static final int ABANDONED = -1;
    /** In place of a join round's number: the newcomer holds its lifeline, it has joined; no answer is expected. */
    static final int JOINED = -2;
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
    private final boolean lateJoins;
    private final int[] incarnation;  // guarded by this
    private final boolean[] open;     // guarded by this: a slot reopened for a newcomer that has not joined yet
    private final boolean[] gone;     // guarded by this: a slot whose connection is closed (its rank died)
    private final Object joining = new Object(); // one join at a time
    private volatile String failure;
    private volatile boolean finished;

    private RendezvousServer(final ServerSocket socket, final int size, final String jobId, final JobSecret secret,
        final long timeoutMs, final boolean lateJoins)
    {
        this.lateJoins = lateJoins;
        this.incarnation = new int[size];
        this.open = new boolean[size];
        this.gone = new boolean[size];
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
        return start(bindHost, port, size, jobId, secret, timeoutMs, false);
    }

    /**
     * @param lateJoins whether to keep listening after the start-up rounds, for replacements of dead ranks
     *                  ({@link #reopen}); the same secret handshake admits them.
     */
    public static RendezvousServer start(final String bindHost, final int port, final int size, final String jobId,
        final JobSecret secret, final long timeoutMs, final boolean lateJoins) throws IOException
    {
        final ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        // the kernel caps the backlog (somaxconn); a deep one keeps a burst of strangers from filling it
        socket.bind(new InetSocketAddress(bindHost, port), Math.max(MAX_PENDING, size));
        final RendezvousServer server = new RendezvousServer(socket, size, jobId, secret, timeoutMs, lateJoins);
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
     * Opens a dead rank's slot for a replacement: its old connection is closed (its frames, if any were in flight,
     * belong to the old incarnation) and the next hello for {@code rank} must carry the returned incarnation. Only
     * after the start-up rounds, and only on a rendezvous started with {@code lateJoins}.
     *
     * @return the incarnation the replacement must present (1 for the first replacement of a rank, then 2, ...).
     */
    public int reopen(final int rank)
    {
        synchronized (this)
        {
            if (!lateJoins)
            {
                throw new IllegalStateException("reopen(" + rank + "): this rendezvous of job " + jobId +
                    " was started without late joins");
            }
            if (rank < 0 || rank >= size)
            {
                throw new IllegalArgumentException("reopen(" + rank + "): no such rank in a job of " + size);
            }
            if (!finished || failure != null)
            {
                throw new IllegalStateException("reopen(" + rank + "): the start-up rounds of job " + jobId +
                    (failure != null ? " failed (" + failure + ")" : " are not over"));
            }
            // every reopen is a new incarnation, also of a slot whose newcomer never came (it died on the way):
            // the one awaited before can no longer take it
            closeQuietly(clients[rank]);
            gone[rank] = true;
            open[rank] = true;
            return ++incarnation[rank];
        }
    }

    /** The incarnation of {@code rank}'s current (or awaited) process: 0 for the one started with the job. */
    public synchronized int incarnation(final int rank)
    {
        return incarnation[rank];
    }

    /** Whether {@code rank}'s slot was reopened and no newcomer has joined it yet. */
    public synchronized boolean awaitingNewcomer(final int rank)
    {
        return open[rank];
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
        final int claimedIncarnation;
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
            claimedIncarnation = din.readInt();
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
            if (finished && lateJoins && failure == null)
            {
                final String refused = lateHello(rank, claimedSize, claimedJob, claimedIncarnation);
                if (refused != null)
                {
                    // a stale or stray newcomer: turned away alone, the running job is not failed for it
                    tell(client, refused);
                    closeQuietly(client);
                    return;
                }
                open[rank] = false;
                Thread.ofPlatform().daemon().name("ringfold-rendezvous-join-" + rank)
                    .start(() -> join(rank, claimedIncarnation, client, din));
                return;
            }
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
            if (claimedSize == size && jobId.equals(claimedJob) && rank >= 0 && rank < size && clients[rank] == null &&
                claimedIncarnation == 0)
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
                (claimedIncarnation != 0 ? " as incarnation " + claimedIncarnation : "") +
                " but this rendezvous serves job '" + jobId + "' of size " + size +
                (claimedIncarnation != 0 ? ", whose start-up admits no replacement" : "") +
                (rank >= 0 && rank < size && clients[rank] != null ? " and already has that rank" : "");
        }
        closeQuietly(client); // not in clients[]: closed here so that its rank fails now, not at a timeout
        failWith(mismatch);
    }

    /** Why a hello after the start-up may not take a slot, or null when it may. Called holding this. */
    private String lateHello(final int rank, final int claimedSize, final String claimedJob, final int claimed)
    {
        if (claimedSize != size || !jobId.equals(claimedJob) || rank < 0 || rank >= size)
        {
            return "rank " + rank + " came with job '" + claimedJob + "' and size " + claimedSize +
                " but this rendezvous serves job '" + jobId + "' of size " + size;
        }
        if (!open[rank])
        {
            return "rank " + rank + " (incarnation " + claimed + ") came after the start-up, but its slot is not open" +
                " for a replacement (incarnation " + incarnation[rank] + " holds it or left it)";
        }
        if (claimed != incarnation[rank])
        {
            return "rank " + rank + " came as incarnation " + claimed + ", but its slot awaits incarnation " +
                incarnation[rank];
        }
        return null;
    }

    /**
     * A newcomer's rounds against the survivors, until it holds its lifeline (it has joined) or goes away (the
     * survivors are told, and the launcher may reopen the slot for another incarnation).
     */
    private void join(final int rank, final int incarnationOfNewcomer, final Socket client, final DataInputStream din)
    {
        synchronized (joining)
        {
            boolean joinedNow = false;
            try
            {
                final DataOutputStream dout = new DataOutputStream(new BufferedOutputStream(client.getOutputStream()));
                client.setSoTimeout((int)Math.min(Integer.MAX_VALUE, timeoutMs));
                while (true)
                {
                    final int round = din.readInt();
                    if (round == LIFELINE)
                    {
                        client.setSoTimeout(0);
                        synchronized (this)
                        {
                            if (socket.isClosed() || incarnation[rank] != incarnationOfNewcomer)
                            {
                                // shut down, or the slot reopened for a later incarnation meanwhile: not joined
                                throw new IOException("rank " + rank + " incarnation " + incarnationOfNewcomer +
                                    " came too late");
                            }
                            clients[rank] = client;
                            in[rank] = din;
                            out[rank] = dout;
                            gone[rank] = false;
                        }
                        joinedNow = true;
                        askSurvivors(rank, incarnationOfNewcomer, JOINED, new byte[0]);
                        return;
                    }
                    final int length = din.readInt();
                    if (round < 0 || length < 0 || length > (1 << 20))
                    {
                        throw new IOException("rank " + rank + " (incarnation " + incarnationOfNewcomer +
                            ") sent round " + round + " of " + length + " bytes");
                    }
                    final byte[][] blobs = askSurvivors(rank, incarnationOfNewcomer, round, din.readNBytes(length));
                    dout.writeInt(size);
                    for (final byte[] blob : blobs)
                    {
                        dout.writeInt(blob.length);
                        dout.write(blob);
                    }
                    dout.flush();
                }
            }
            catch (final IOException ex)
            {
                // the newcomer went away, timed out or broke the protocol: what it began is undone below
            }
            finally
            {
                if (!joinedNow)
                {
                    closeQuietly(client);
                    askSurvivors(rank, incarnationOfNewcomer, ABANDONED, new byte[0]);
                }
            }
        }
    }

    /**
     * Sends a newcomer's round (or its end: {@link #JOINED}, {@link #ABANDONED}) to every survivor and, for a round,
     * collects their answers in rank order, the newcomer's own blob at its place and an empty blob where a rank is
     * not there (a survivor whose lifeline fails here is taken as gone). No lock is held while waiting on a rank.
     */
    private byte[][] askSurvivors(final int newcomer, final int incarnationOfNewcomer, final int round,
        final byte[] blob)
    {
        final byte[][] answers = new byte[size][];
        final DataOutputStream[] outs = new DataOutputStream[size];
        final DataInputStream[] ins = new DataInputStream[size];
        final Socket[] sockets = new Socket[size];
        synchronized (this)
        {
            for (int r = 0; r < size; r++)
            {
                answers[r] = r == newcomer ? blob : new byte[0];
                if (r != newcomer && !gone[r] && clients[r] != null)
                {
                    outs[r] = out[r];
                    ins[r] = in[r];
                    sockets[r] = clients[r];
                }
            }
        }
        for (int r = 0; r < size; r++)
        {
            if (outs[r] == null)
            {
                continue;
            }
            try
            {
                outs[r].writeInt(JOIN);
                outs[r].writeInt(newcomer);
                outs[r].writeInt(incarnationOfNewcomer);
                outs[r].writeInt(round);
                outs[r].writeInt(blob.length);
                outs[r].write(blob);
                outs[r].flush();
            }
            catch (final IOException ex)
            {
                lost(r, sockets[r]);
                outs[r] = null;
            }
        }
        if (round < 0)
        {
            return answers;
        }
        for (int r = 0; r < size; r++)
        {
            if (outs[r] == null)
            {
                continue;
            }
            try
            {
                sockets[r].setSoTimeout((int)Math.min(Integer.MAX_VALUE, timeoutMs));
                final int length = ins[r].readInt();
                if (length < 0 || length > (1 << 20))
                {
                    throw new IOException("rank " + r + " answered a join round with " + length + " bytes");
                }
                answers[r] = ins[r].readNBytes(length);
                sockets[r].setSoTimeout(0);
            }
            catch (final IOException ex)
            {
                lost(r, sockets[r]);
            }
        }
        return answers;
    }

    /**
     * A survivor did not answer a join (dead, or busy past the limit): it is left out of this join and later ones
     * (an answer arriving late would be read as the next one's). Its connection stays open: it is still that rank's
     * lifeline, and a live rank whose lifeline closed would take it for the launcher's end.
     */
    private synchronized void lost(final int rank, final Socket client)
    {
        if (clients[rank] == client)
        {
            gone[rank] = true;
        }
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
            if (!lateJoins)
            {
                closeQuietly(socket); // everyone is here: nobody else has anything to say
            }
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
