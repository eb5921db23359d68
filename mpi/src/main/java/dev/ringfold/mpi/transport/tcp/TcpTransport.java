package dev.ringfold.mpi.transport.tcp;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import dev.ringfold.mpi.transport.Transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * TCP between ranks on different nodes (or anywhere, when forced): one connection per pair, non-blocking NIO,
 * frames length-prefixed in direct buffers that live as long as the connection, so moving a message allocates
 * nothing. The higher rank of a pair connects, the lower one accepts; connections are made at start-up.
 */
public final class TcpTransport implements Transport
{
    private static final int HELLO_MAGIC = 0x5446524C; // "TFRL"
    static final int DEFAULT_BUFFER_BYTES = 4 << 20;

    private final int worldRank;
    private final ServerSocketChannel server;
    private final String advertisedHost;
    private final TcpChannel[] byPeer;
    private TcpChannel[] active = new TcpChannel[0];
    private final int bufferBytes;

    private TcpTransport(final int worldRank, final int worldSize, final ServerSocketChannel server,
        final String advertisedHost, final int bufferBytes)
    {
        this.worldRank = worldRank;
        this.server = server;
        this.advertisedHost = advertisedHost;
        this.byPeer = new TcpChannel[worldSize];
        this.bufferBytes = bufferBytes;
    }

    /** Listens on {@code bindHost} (any free port) so that peers can connect once they know the address. */
    public static TcpTransport listen(final String bindHost, final String advertisedHost, final int worldRank,
        final int worldSize)
    {
        try
        {
            final ServerSocketChannel server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(bindHost, 0), Math.max(64, worldSize));
            server.configureBlocking(false);
            return new TcpTransport(worldRank, worldSize, server, advertisedHost, DEFAULT_BUFFER_BYTES);
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
    public void connect(final int[] peers, final String[] hosts, final int[] ports, final String jobId,
        final long deadlineMs)
    {
        final byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        int toAccept = 0;
        try
        {
            for (final int peer : peers)
            {
                if (peer < worldRank)
                {
                    final SocketChannel ch = SocketChannel.open();
                    ch.connect(new InetSocketAddress(hosts[peer], ports[peer]));
                    final ByteBuffer hello = ByteBuffer.allocate(12 + job.length);
                    hello.putInt(HELLO_MAGIC).putInt(worldRank).putInt(job.length).put(job).flip();
                    while (hello.hasRemaining())
                    {
                        ch.write(hello);
                    }
                    register(peer, ch);
                }
                else if (peer > worldRank)
                {
                    toAccept++;
                }
            }
            while (toAccept > 0)
            {
                final SocketChannel ch = server.accept();
                if (ch == null)
                {
                    if (System.currentTimeMillis() > deadlineMs)
                    {
                        throw new IOException("rank " + worldRank + ": " + toAccept + " peers did not connect before the deadline");
                    }
                    Thread.onSpinWait();
                    Thread.sleep(1);
                    continue;
                }
                ch.configureBlocking(true);
                ch.socket().setSoTimeout(5_000);
                final ByteBuffer head = readFully(ch, 12);
                final int magic = head.getInt();
                final int rank = head.getInt();
                final int jobLength = head.getInt();
                final boolean ours = magic == HELLO_MAGIC && jobLength == job.length &&
                    ByteBuffer.wrap(job).equals(readFully(ch, jobLength)) &&
                    rank > worldRank && rank < byPeer.length && byPeer[rank] == null && contains(peers, rank);
                if (!ours)
                {
                    ch.close(); // a stranger or a stray from another job
                    continue;
                }
                register(rank, ch);
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

    private static boolean contains(final int[] peers, final int rank)
    {
        for (final int p : peers)
        {
            if (p == rank)
            {
                return true;
            }
        }
        return false;
    }

    private static ByteBuffer readFully(final SocketChannel ch, final int bytes) throws IOException
    {
        if (bytes < 0 || bytes > 4096)
        {
            throw new IOException("bad hello length " + bytes);
        }
        final ByteBuffer b = ByteBuffer.allocate(bytes);
        while (b.hasRemaining())
        {
            if (ch.read(b) < 0)
            {
                throw new IOException("connection closed during hello");
            }
        }
        return b.flip();
    }

    private void register(final int peer, final SocketChannel ch) throws IOException
    {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
        final TcpChannel channel = new TcpChannel(peer, ch, bufferBytes);
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
            if (!ch.failed())
            {
                frames += ch.flush();
                frames += ch.receive(handler, limit);
            }
        }
        return frames;
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
        try
        {
            server.close();
        }
        catch (final IOException ignore)
        {
        }
    }
}
