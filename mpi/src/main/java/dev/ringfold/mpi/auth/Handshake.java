package dev.ringfold.mpi.auth;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * Mutual challenge–response over HMAC-SHA256 that every connection of a job (rank to rank, rank to rendezvous)
 * runs before anything else is read from it. Both sides pick a fresh nonce; each proves the key by a MAC over both
 * nonces with its own role label, so no proof can be replayed on another connection or reflected back, and the key
 * never crosses the wire:
 * <pre>
 *   connector → acceptor  MAGIC VERSION purpose nonceC[32]
 *   acceptor → connector  MAGIC nonceA[32] HMAC(K, "accept"  purpose nonceC nonceA)
 *   connector → acceptor  HMAC(K, "connect" purpose nonceC nonceA)
 *   acceptor → connector  ACCEPTED
 * </pre>
 * Every read has a fixed length known in advance (nothing is sized by the peer before it is authenticated) and the
 * whole exchange has one deadline, so a stranger costs at most {@link #TIME_LIMIT_MS} of one thread and a few
 * hundred bytes. Authentication only: the bytes that follow are neither encrypted nor integrity-protected.
 */
public final class Handshake
{
    public static final int MAGIC = 0x52464853; // "RFHS"
    public static final int VERSION = 1;
    /** The connection will carry rendezvous rounds. */
    public static final int RENDEZVOUS = 1;
    /** The connection will carry engine frames between two ranks. */
    public static final int PEER = 2;
    /** How long the whole exchange may take; a real rank answers in well under a millisecond. */
    public static final long TIME_LIMIT_MS = 5_000;

    static final int NONCE_BYTES = 32;
    static final int MAC_BYTES = 32;
    private static final int ACCEPTED = 0x4F4B2121; // "OK!!"
    private static final byte[] ACCEPT_LABEL = {'a', 'c', 'c', 'e', 'p', 't'};
    private static final byte[] CONNECT_LABEL = {'c', 'o', 'n', 'n', 'e', 'c', 't'};

    private Handshake()
    {
    }

    /**
     * The connecting side. Returns when the acceptor has proved the key and accepted this side's proof.
     *
     * @throws HandshakeException when the acceptor is not of this job (its proof is wrong) or refuses ours.
     * @throws IOException        when the connection fails or the deadline passes.
     */
    public static void connect(final Socket socket, final JobSecret secret, final int purpose) throws IOException
    {
        final long deadline = System.currentTimeMillis() + TIME_LIMIT_MS;
        final byte[] nonceC = nonce();
        final ByteBuffer hello = ByteBuffer.allocate(12 + NONCE_BYTES);
        hello.putInt(MAGIC).putInt(VERSION).putInt(purpose).put(nonceC);
        socket.getOutputStream().write(hello.array());
        socket.getOutputStream().flush();

        final ByteBuffer answer = ByteBuffer.wrap(
            read(socket, 4 + NONCE_BYTES + MAC_BYTES, deadline, TIME_LIMIT_MS, "answer"));
        if (answer.getInt() != MAGIC)
        {
            throw new HandshakeException(socket.getRemoteSocketAddress() + " is not a Ringfold endpoint (bad magic)");
        }
        final byte[] nonceA = new byte[NONCE_BYTES];
        answer.get(nonceA);
        final byte[] proofA = new byte[MAC_BYTES];
        answer.get(proofA);
        if (!MessageDigest.isEqual(proofA, mac(secret, ACCEPT_LABEL, purpose, nonceC, nonceA)))
        {
            throw new HandshakeException(socket.getRemoteSocketAddress() + " does not know this job's secret (" +
                secret.source() + "): its proof does not match");
        }
        socket.getOutputStream().write(mac(secret, CONNECT_LABEL, purpose, nonceC, nonceA));
        socket.getOutputStream().flush();
        if (ByteBuffer.wrap(read(socket, 4, deadline, TIME_LIMIT_MS, "acceptance")).getInt() != ACCEPTED)
        {
            throw new HandshakeException(socket.getRemoteSocketAddress() + " refused this side's proof");
        }
    }

    /**
     * The accepting side: on return, the connector has proved the key.
     *
     * @throws HandshakeException with the reason to log when it has not; the caller closes the socket.
     */
    public static void accept(final Socket socket, final JobSecret secret, final int purpose) throws HandshakeException
    {
        accept(socket, secret, purpose, TIME_LIMIT_MS);
    }

    /**
     * The accepting side with its own time limit, for a listener that must drop strangers sooner than
     * {@link #TIME_LIMIT_MS}.
     */
    public static void accept(final Socket socket, final JobSecret secret, final int purpose, final long limitMs)
        throws HandshakeException
    {
        final long deadline = System.currentTimeMillis() + limitMs;
        try
        {
            // the magic alone first, so that a stranger that sends less than a whole hello is told off at once
            final int magic = ByteBuffer.wrap(read(socket, 4, deadline, limitMs, "hello")).getInt();
            if (magic != MAGIC)
            {
                throw new HandshakeException(String.format("not a Ringfold hello (first bytes 0x%08x)", magic));
            }
            final ByteBuffer hello = ByteBuffer.wrap(read(socket, 8 + NONCE_BYTES, deadline, limitMs, "hello"));
            final int version = hello.getInt();
            if (version != VERSION)
            {
                throw new HandshakeException("handshake version " + version + ", this side speaks " + VERSION);
            }
            final int claimed = hello.getInt();
            if (claimed != purpose)
            {
                throw new HandshakeException("wrong port for this connection (purpose " + claimed + ", expected " +
                    purpose + ")");
            }
            final byte[] nonceC = new byte[NONCE_BYTES];
            hello.get(nonceC);
            final byte[] nonceA = nonce();
            final ByteBuffer answer = ByteBuffer.allocate(4 + NONCE_BYTES + MAC_BYTES);
            answer.putInt(MAGIC).put(nonceA).put(mac(secret, ACCEPT_LABEL, purpose, nonceC, nonceA));
            socket.getOutputStream().write(answer.array());
            socket.getOutputStream().flush();
            final byte[] proofC = read(socket, MAC_BYTES, deadline, limitMs, "proof");
            if (!MessageDigest.isEqual(proofC, mac(secret, CONNECT_LABEL, purpose, nonceC, nonceA)))
            {
                throw new HandshakeException("wrong secret (its proof does not match)");
            }
            socket.getOutputStream().write(ByteBuffer.allocate(4).putInt(ACCEPTED).array());
            socket.getOutputStream().flush();
        }
        catch (final HandshakeException ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            throw new HandshakeException(ex.getMessage(), ex);
        }
    }

    private static byte[] read(final Socket socket, final int length, final long deadline, final long limitMs,
        final String what)
        throws IOException
    {
        final byte[] bytes = new byte[length];
        final InputStream in = socket.getInputStream();
        int got = 0;
        while (got < length)
        {
            final long left = deadline - System.currentTimeMillis();
            if (left <= 0)
            {
                throw new SocketTimeoutException("no complete " + what + " within " + limitMs + " ms");
            }
            socket.setSoTimeout((int)left);
            final int n;
            try
            {
                n = in.read(bytes, got, length - got);
            }
            catch (final SocketTimeoutException ex)
            {
                throw new SocketTimeoutException("no complete " + what + " within " + limitMs + " ms (" + got +
                    " of " + length + " bytes)");
            }
            if (n < 0)
            {
                throw new EOFException("closed during the handshake, in its " + what + " (" + got + " of " + length +
                    " bytes)");
            }
            got += n;
        }
        return bytes;
    }

    private static byte[] nonce()
    {
        return KernelRandom.bytes(NONCE_BYTES);
    }

    static byte[] mac(final JobSecret secret, final byte[] label, final int purpose, final byte[] nonceC,
        final byte[] nonceA)
    {
        return HmacSha256.mac(secret.key(), label, ByteBuffer.allocate(4).putInt(purpose).array(), nonceC, nonceA);
    }
}
