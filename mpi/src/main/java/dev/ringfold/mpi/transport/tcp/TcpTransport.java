package dev.ringfold.mpi.transport.tcp;

import dev.ringfold.mpi.auth.Handshake;
import dev.ringfold.mpi.auth.HandshakeException;
import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.auth.RejectLog;
import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import dev.ringfold.mpi.transport.InputWaiter;
import dev.ringfold.mpi.transport.Transport;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jdk.net.ExtendedSocketOptions;

/**
 * TCP between ranks on different nodes (or anywhere, when forced): one connection per pair, non-blocking NIO,
 * frames length-prefixed in direct buffers that live as long as the connection, so moving a message allocates
 * nothing. The higher rank of a pair connects, the lower one accepts; connections are made at start-up.
 * <p>
 * A replacement of a dead rank (mpjrun --elastic with replacements) connects to every survivor it reaches over TCP
 * after the start-up, with the incarnation the launcher gave it in its hello: a survivor takes that connection only
 * for a slot it was told to expect ({@link #expectReplacement}) and only for that incarnation, then puts it in the
 * dead process's place ({@link #admit}); the dead process's connection is read out and closed first
 * ({@link #clearFor}), so that nothing of the old incarnation is taken for the new one's.
 * <p>
 * Every connection proves the job secret ({@link Handshake}) before a byte of it is taken as a hello or a frame.
 * Incoming connections are handled by a gate thread that lives as long as the transport, so that a stranger can
 * neither stall start-up for longer than one handshake's time limit nor, later, sit unnoticed in the backlog:
 * after start-up every peer is connected, and whatever knocks is checked, logged and closed.
 */
public final class TcpTransport implements Transport, InputWaiter
{
    /** The waits only need to end: the next poll reads and writes every connection anyway. */
    private static final Consumer<SelectionKey> WAKE_ONLY = key ->
    {
    };
    private static final int HELLO_MAGIC = 0x5446524C; // "TFRL"
    static final int DEFAULT_BUFFER_BYTES = 4 << 20;
    /** Handshakes that may run at once; more strangers than this are turned away without being heard. */
    private static final int MAX_PENDING_HANDSHAKES = 16;
    private static final int MAX_JOB_ID_BYTES = 256;
    /** Reads of a dead peer's connection before it is closed for its replacement (each up to a buffer's worth). */
    private static final int DRAIN_READS = 64;

    private final int worldRank;
    private final ServerSocketChannel server;
    private final String advertisedHost;
    private final TcpChannel[] byPeer;
    private final Selector selector;
    private TcpChannel[] active = new TcpChannel[0];
    private final int bufferBytes;
    private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
    private final Semaphore handshakes = new Semaphore(MAX_PENDING_HANDSHAKES);
    private volatile JobSecret secret;
    private volatile byte[] jobId;
    private volatile boolean[] expected;
    /** Per world rank, the incarnation of a replacement this rank expects to connect, or {@link #NONE}. */
    private final java.util.concurrent.atomic.AtomicIntegerArray lateExpected;
    /** Per world rank, a replacement's authenticated connection, waiting for {@link #admit}. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<SocketChannel> lateArrived;
    private static final int NONE = -1;
    /** Opened by {@link #connect}: a peer faster than this rank waits here instead of being turned away. */
    private final CountDownLatch peersKnown = new CountDownLatch(1);
    /** How long an authenticated peer may wait for this rank to reach {@link #connect}. */
    private static final long PEERS_KNOWN_WAIT_MS = 60_000;
    /** Keepalive: probe a connection idle this long, this often, and give up after this many unanswered probes. */
    private static final int KEEPALIVE_IDLE_S = 1;
    private static final int KEEPALIVE_INTERVAL_S = 1;
    private static final int KEEPALIVE_PROBES = 3;

    /** An authenticated peer that introduced itself, waiting for {@link #connect} to take it. */
    private record Arrival(int rank, SocketChannel channel)
    {
    }

    private TcpTransport(final int worldRank, final int worldSize, final ServerSocketChannel server,
        final String advertisedHost, final int bufferBytes) throws IOException
    {
        this.selector = Selector.open();
        this.worldRank = worldRank;
        this.server = server;
        this.advertisedHost = advertisedHost;
        this.byPeer = new TcpChannel[worldSize];
        this.bufferBytes = bufferBytes;
        this.lateExpected = new java.util.concurrent.atomic.AtomicIntegerArray(worldSize);
        this.lateArrived = new java.util.concurrent.atomic.AtomicReferenceArray<>(worldSize);
        for (int r = 0; r < worldSize; r++)
        {
            lateExpected.set(r, NONE);
        }
    }

    /** Listens on {@code bindHost} (any free port) so that peers can connect once they know the address. */
    public static TcpTransport listen(final String bindHost, final String advertisedHost, final int worldRank,
        final int worldSize, final JobSecret secret, final String jobId)
    {
        try
        {
            final ServerSocketChannel server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(bindHost, 0), Math.max(64, worldSize));
            final TcpTransport transport = new TcpTransport(worldRank, worldSize, server, advertisedHost,
                DEFAULT_BUFFER_BYTES);
            transport.secret = secret;
            transport.jobId = jobId.getBytes(StandardCharsets.UTF_8);
            transport.expected = new boolean[worldSize];
            Thread.ofPlatform().daemon().name("ringfold-tcp-gate-r" + worldRank).start(transport::gate);
            return transport;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("rank " + worldRank + ": cannot listen on " + bindHost + ": " + ex.getMessage(), ex);
        }
    }

    public int port()
    {
        return server.socket().getLocalPort();
    }

    public String advertisedHost()
    {
        return advertisedHost;
    }

    /**
     * Connects to every peer this transport serves: to lower ranks actively, from higher ranks by accepting.
     *
     * @param hosts and {@code ports} are indexed by world rank; {@code peers} lists the ranks to connect.
     */
    public void connect(final int[] peers, final String[] hosts, final int[] ports, final long deadlineMs)
    {
        int toAccept = 0;
        final boolean[] expecting = new boolean[byPeer.length];
        for (final int peer : peers)
        {
            if (peer > worldRank)
            {
                expecting[peer] = true;
                toAccept++;
            }
        }
        expected = expecting; // from here on the gate hands these ranks over
        peersKnown.countDown();
        try
        {
            for (final int peer : peers)
            {
                if (peer < worldRank)
                {
                    register(peer, dial(peer, hosts[peer], ports[peer], 0, deadlineMs));
                }
            }
            while (toAccept > 0)
            {
                final Arrival arrival = arrivals.poll(Math.max(1, deadlineMs - System.currentTimeMillis()),
                    TimeUnit.MILLISECONDS);
                if (arrival == null)
                {
                    throw new IOException("rank " + worldRank + ": " + toAccept + " peers did not connect before the deadline");
                }
                register(arrival.rank(), arrival.channel());
                toAccept--;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("rank " + worldRank + ": TCP connection set-up failed: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("rank " + worldRank + ": interrupted while connecting", ex);
        }
    }

    private SocketChannel dial(final int peer, final String host, final int port, final int incarnation,
        final long deadlineMs) throws IOException
    {
        final SocketChannel ch = SocketChannel.open();
        try
        {
            ch.socket().connect(new InetSocketAddress(host, port),
                (int)Math.max(1, Math.min(Handshake.TIME_LIMIT_MS, deadlineMs - System.currentTimeMillis())));
            try
            {
                Handshake.connect(ch.socket(), secret, Handshake.PEER);
            }
            catch (final HandshakeException ex)
            {
                throw new IOException("rank " + peer + " at " + host + ":" + port + " failed the secret handshake: " +
                    ex.getMessage(), ex);
            }
            final ByteBuffer hello = ByteBuffer.allocate(16 + jobId.length);
            hello.putInt(HELLO_MAGIC).putInt(worldRank).putInt(incarnation).putInt(jobId.length).put(jobId).flip();
            while (hello.hasRemaining())
            {
                ch.write(hello);
            }
            return ch;
        }
        catch (final IOException ex)
        {
            ch.close();
            throw ex;
        }
    }

    /** The gate thread: accepts for as long as the transport is open, each handshake on a thread of its own. */
    private void gate()
    {
        while (server.isOpen())
        {
            final SocketChannel ch;
            try
            {
                ch = server.accept();
            }
            catch (final ClosedChannelException ex)
            {
                return; // the transport is closed
            }
            catch (final IOException ex)
            {
                RejectLog.stderr().reject("rank " + worldRank + " TCP", "(accept)", ex.toString());
                continue;
            }
            if (!handshakes.tryAcquire())
            {
                RejectLog.stderr().reject("rank " + worldRank + " TCP", remote(ch),
                    MAX_PENDING_HANDSHAKES + " handshakes already in progress");
                closeQuietly(ch);
                continue;
            }
            // a platform thread, not a virtual one: a virtual thread's blocking socket I/O starts the JDK's poller
            // threads, which then sit in epoll_wait for the life of the JVM, and at exit HotSpot waits up to 300 ms
            // for threads in native code (a 2-rank hello over TCP took 0.79 s instead of 0.43 s)
            Thread.ofPlatform().daemon().name("ringfold-tcp-handshake-r" + worldRank).start(() ->
            {
                try
                {
                    authenticate(ch);
                }
                finally
                {
                    handshakes.release();
                }
            });
        }
    }

    /** Authenticates one incoming connection and hands it to {@link #connect}, or logs why not and closes it. */
    private void authenticate(final SocketChannel ch)
    {
        final SocketAddress from = remote(ch);
        try
        {
            Handshake.accept(ch.socket(), secret, Handshake.PEER);
            ch.socket().setSoTimeout((int)Handshake.TIME_LIMIT_MS);
            final DataInputStream in = new DataInputStream(ch.socket().getInputStream());
            final int magic = in.readInt();
            final int rank = in.readInt();
            final int incarnation = in.readInt();
            final int jobLength = in.readInt();
            if (magic != HELLO_MAGIC || jobLength < 0 || jobLength > MAX_JOB_ID_BYTES)
            {
                throw new IOException("authenticated, but no rank hello followed");
            }
            final byte[] job = in.readNBytes(jobLength);
            if (!java.util.Arrays.equals(job, jobId))
            {
                throw new IOException("authenticated, but of job '" + new String(job, StandardCharsets.UTF_8) + "'");
            }
            if (incarnation != 0)
            {
                arrivedLate(rank, incarnation, ch);
                return;
            }
            if (!peersKnown.await(PEERS_KNOWN_WAIT_MS, TimeUnit.MILLISECONDS))
            {
                throw new IOException("authenticated as rank " + rank + ", but this rank did not get to connecting");
            }
            final boolean[] expecting = expected;
            synchronized (this)
            {
                if (rank < 0 || rank >= expecting.length || !expecting[rank])
                {
                    throw new IOException("authenticated as rank " + rank + ", which this rank does not expect" +
                        " (or is already connected)");
                }
                expecting[rank] = false;
            }
            arrivals.add(new Arrival(rank, ch));
        }
        catch (final IOException ex)
        {
            RejectLog.stderr().reject("rank " + worldRank + " TCP", from, ex.getMessage());
            closeQuietly(ch);
        }
        catch (final InterruptedException ex)
        {
            closeQuietly(ch);
        }
    }

    /** A replacement's connection: taken once, for the slot and incarnation this rank expects, else refused. */
    private void arrivedLate(final int rank, final int incarnation, final SocketChannel ch) throws IOException
    {
        if (rank < 0 || rank >= byPeer.length || incarnation < 0 ||
            !lateExpected.compareAndSet(rank, incarnation, NONE))
        {
            throw new IOException("authenticated as world rank " + rank + "'s replacement (incarnation " +
                incarnation + "), which this rank does not expect (expected: " + (rank < 0 || rank >= byPeer.length ?
                "nothing" : lateExpected.get(rank) == NONE ? "no replacement of that rank" :
                "incarnation " + lateExpected.get(rank)) + ")");
        }
        synchronized (lateArrived)
        {
            lateArrived.set(rank, ch);
            lateArrived.notifyAll();
        }
    }

    /**
     * A replacement of dead rank {@code peer} is coming as {@code incarnation}: its connection is taken from now on
     * (once; a connection naming another incarnation, an older replacement's say, is refused and logged).
     * Call after {@link #clearFor}.
     */
    public void expectReplacement(final int peer, final int incarnation)
    {
        dropArrival(peer);
        lateExpected.set(peer, incarnation);
    }

    /**
     * Waits, on a thread other than the rank's, for the connection of the replacement {@link #expectReplacement}
     * announced. The replacement connects before it sends its next round, so a short wait covers the handshake.
     *
     * @return whether it has arrived.
     */
    public boolean awaitReplacement(final int peer, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (lateArrived)
        {
            while (lateArrived.get(peer) == null)
            {
                final long left = deadline - System.currentTimeMillis();
                if (left <= 0)
                {
                    return false;
                }
                lateArrived.wait(left);
            }
            return true;
        }
    }

    /**
     * Readies the slot of dead rank {@code peer} for a replacement: what the dead process sent before it went is
     * delivered and its death reported (as a read of its closed connection would, if none did yet), then its
     * connection is closed and dropped, so that nothing of it can be taken for the replacement's. On the rank's
     * thread.
     */
    public void clearFor(final int peer, final FrameHandler handler)
    {
        final TcpChannel old = byPeer[peer];
        if (old == null)
        {
            return;
        }
        // the launcher saw the process end: what is in the socket is all it sent; a few reads bound the drain even
        // where the process lives on behind a remote launcher that lost it
        boolean more = true;
        for (int reads = 0; more && reads < DRAIN_READS && !old.hasReported(); reads++)
        {
            more = old.receive(handler, Integer.MAX_VALUE) > 0;
        }
        if (!old.hasReported())
        {
            old.markReported();
            handler.onPeerFailure(peer, "its process ended (the launcher reports it and starts a replacement)");
        }
        old.close();
        byPeer[peer] = null;
        active = java.util.Arrays.stream(active).filter(c -> c != old).toArray(TcpChannel[]::new);
    }

    /**
     * The replacement of {@code peer} takes its place: its connection, authenticated and arrived
     * ({@link #awaitReplacement}), is served from now on. On the rank's thread.
     *
     * @return the channel to the replacement.
     */
    public Channel admit(final int peer) throws IOException
    {
        final SocketChannel ch = lateArrived.getAndSet(peer, null);
        if (ch == null)
        {
            throw new IllegalStateException("rank " + worldRank + ": world rank " + peer + "'s replacement has not " +
                "connected");
        }
        if (byPeer[peer] != null)
        {
            throw new IllegalStateException("rank " + worldRank + ": world rank " + peer + "'s old connection was " +
                "not cleared");
        }
        register(peer, ch);
        return byPeer[peer];
    }

    /** Drops what a replacement of {@code peer} that went away before it joined had set up here. */
    public void abandon(final int peer)
    {
        lateExpected.set(peer, NONE);
        dropArrival(peer);
    }

    private void dropArrival(final int peer)
    {
        final SocketChannel ch = lateArrived.getAndSet(peer, null);
        if (ch != null)
        {
            closeQuietly(ch);
        }
    }

    /**
     * This rank is a replacement (incarnation {@code incarnation} of its world rank), joining after the start-up:
     * it connects to each of {@code peers}, every one of them a survivor that expects it, whatever their order; later
     * replacements of other ranks connect to it.
     */
    public void connectAsReplacement(final int[] peers, final String[] hosts, final int[] ports,
        final int incarnation, final long deadlineMs)
    {
        expected = new boolean[byPeer.length]; // nobody connects as at a start-up
        peersKnown.countDown();
        try
        {
            for (final int peer : peers)
            {
                register(peer, dial(peer, hosts[peer], ports[peer], incarnation, deadlineMs));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("rank " + worldRank + " (replacement, incarnation " + incarnation +
                "): TCP connection to a survivor failed: " + ex.getMessage(), ex);
        }
    }

    /** Wakes this rank if it sleeps in {@link #awaitInput}: from another thread that left it work (a join's round). */
    public void wake()
    {
        selector.wakeup();
    }

    private static SocketAddress remote(final SocketChannel ch)
    {
        try
        {
            return ch.getRemoteAddress();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static void closeQuietly(final SocketChannel ch)
    {
        try
        {
            ch.close();
        }
        catch (final IOException ignore)
        {
        }
    }

    /**
     * A peer whose host dies or drops off the network closes nothing, and an idle connection would never notice: the
     * kernel's keepalive probes find it within KEEPALIVE_IDLE_S + KEEPALIVE_PROBES * KEEPALIVE_INTERVAL_S seconds,
     * and the engine hears of it as of a closed connection (then tells every other rank). The peer's kernel answers
     * the probes even while its rank computes, so a busy rank is never taken for dead, as a heartbeat that its
     * runtime had to send would be (the runtime has no thread of its own).
     */
    private static void keepAlive(final SocketChannel ch) throws IOException
    {
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (ch.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE))
        {
            ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_S);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL_S);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_PROBES);
        }
    }

    private void register(final int peer, final SocketChannel ch) throws IOException
    {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
        keepAlive(ch);
        final TcpChannel channel = new TcpChannel(peer, ch, bufferBytes);
        channel.watch(ch.register(selector, SelectionKey.OP_READ));
        byPeer[peer] = channel;
        active = java.util.Arrays.copyOf(active, active.length + 1);
        active[active.length - 1] = channel;
    }

    @Override
    public Channel channel(final int peer)
    {
        return byPeer[peer];
    }

    @Override
    public int poll(final FrameHandler handler, final int limit)
    {
        int frames = 0;
        for (final TcpChannel ch : active)
        {
            frames += ch.flush();
            frames += ch.receive(handler, limit); // also reports, once, a connection a write found gone
        }
        return frames;
    }

    @Override
    public void awaitInput(final long timeoutNs)
    {
        for (final TcpChannel ch : active)
        {
            ch.updateInterest();
        }
        try
        {
            selector.select(WAKE_ONLY, Math.max(1, timeoutNs / 1_000_000));
        }
        catch (final IOException ex)
        {
            // nothing to do here: the next poll reads and writes every connection and meets any error there
        }
    }

    @Override
    public void checkLiveness(final FrameHandler handler)
    {
        // a dead peer's connection reads end-of-stream or an error in poll
    }

    @Override
    public void close()
    {
        for (final TcpChannel ch : active)
        {
            ch.close();
        }
        Arrival late;
        while ((late = arrivals.poll()) != null)
        {
            closeQuietly(late.channel());
        }
        for (int r = 0; r < byPeer.length; r++)
        {
            abandon(r);
        }
        try
        {
            server.close();
        }
        catch (final IOException ignore)
        {
        }
        try
        {
            selector.close();
        }
        catch (final IOException ignore)
        {
        }
    }
}
