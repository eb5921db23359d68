package dev.ringfold.mpi.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeTest
{
    private interface Connector
    {
        void run(Socket socket) throws IOException;
    }

    /** Runs {@code connector} against an accepting side with {@code acceptorSecret}; returns the acceptor's verdict. */
    private static String acceptWith(final JobSecret acceptorSecret, final Connector connector,
        final CompletableFuture<Throwable> connectorOutcome) throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Thread client = Thread.ofPlatform().start(() ->
            {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()))
                {
                    connector.run(s);
                    connectorOutcome.complete(null);
                }
                catch (final Throwable ex)
                {
                    connectorOutcome.complete(ex);
                }
            });
            try (Socket accepted = server.accept())
            {
                Handshake.accept(accepted, acceptorSecret, Handshake.PEER);
                return "accepted";
            }
            catch (final HandshakeException ex)
            {
                return ex.getMessage();
            }
            finally
            {
                client.join(10_000);
            }
        }
    }

    @Test
    @Timeout(20)
    void bothSidesWithTheSameSecretAcceptEachOther() throws Exception
    {
        final JobSecret secret = JobSecret.generate();
        final CompletableFuture<Throwable> connector = new CompletableFuture<>();
        assertEquals("accepted", acceptWith(secret, s -> Handshake.connect(s, secret, Handshake.PEER), connector));
        assertEquals(null, connector.get());
    }

    @Test
    @Timeout(20)
    void aWrongSecretIsRefusedByBothSides() throws Exception
    {
        final JobSecret ours = JobSecret.generate();
        final JobSecret theirs = JobSecret.generate();
        final CompletableFuture<Throwable> connector = new CompletableFuture<>();
        final String verdict = acceptWith(ours, s ->
        {
            // a forger that does not check our proof but answers with its own key
            Handshake.connect(s, theirs, Handshake.PEER);
        }, connector);
        // the connector refuses first: our proof does not match its key, so it never sends its own
        assertTrue(verdict.startsWith("closed during the handshake, in its proof (0 of 32 bytes)"), verdict);
        final Throwable seen = connector.get();
        assertTrue(seen instanceof HandshakeException && seen.getMessage().contains("does not know this job's secret"),
            String.valueOf(seen));
    }

    @Test
    @Timeout(20)
    void aProofMadeWithAnotherKeyIsAWrongSecret() throws Exception
    {
        final JobSecret ours = JobSecret.generate();
        final JobSecret theirs = JobSecret.generate();
        final CompletableFuture<Throwable> connector = new CompletableFuture<>();
        final String verdict = acceptWith(ours, s ->
        {
            final var out = s.getOutputStream();
            final byte[] nonceC = new byte[Handshake.NONCE_BYTES];
            out.write(java.nio.ByteBuffer.allocate(12 + nonceC.length).putInt(Handshake.MAGIC).putInt(Handshake.VERSION)
                .putInt(Handshake.PEER).put(nonceC).array());
            final byte[] answer = s.getInputStream().readNBytes(4 + Handshake.NONCE_BYTES + Handshake.MAC_BYTES);
            final byte[] nonceA = java.util.Arrays.copyOfRange(answer, 4, 4 + Handshake.NONCE_BYTES);
            out.write(Handshake.mac(theirs, "connect".getBytes(), Handshake.PEER, nonceC, nonceA));
            assertEquals(-1, s.getInputStream().read(), "the acceptor must close, not accept");
        }, connector);
        assertEquals("wrong secret (its proof does not match)", verdict);
        assertEquals(null, connector.get());
    }

    @Test
    @Timeout(20)
    void randomBytesAreNotAHello() throws Exception
    {
        final byte[] junk = new byte[4096];
        new Random(42).nextBytes(junk);
        junk[0] = 'G';
        junk[1] = 'E';
        junk[2] = 'T';
        junk[3] = ' ';
        final CompletableFuture<Throwable> connector = new CompletableFuture<>();
        final String verdict = acceptWith(JobSecret.generate(), s -> s.getOutputStream().write(junk), connector);
        assertEquals("not a Ringfold hello (first bytes 0x47455420)", verdict);
    }

    @Test
    @Timeout(20)
    void aSilentClientIsDroppedAtTheTimeLimit() throws Exception
    {
        final long start = System.nanoTime();
        final CompletableFuture<Throwable> connector = new CompletableFuture<>();
        final String verdict = acceptWith(JobSecret.generate(), s ->
        {
            s.setSoTimeout(15_000);
            s.getInputStream().read(); // says nothing, waits for the acceptor to give up
        }, connector);
        final long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("no complete hello within 5000 ms (0 of 4 bytes)", verdict);
        assertTrue(ms >= Handshake.TIME_LIMIT_MS - 100 && ms < Handshake.TIME_LIMIT_MS + 5_000, ms + " ms");
    }

    @Test
    void aDerivedKeyIsNotAuthenticationAndShortKeysAreRefused()
    {
        final JobSecret derived = JobSecret.derivedFrom("slurm42.0");
        assertEquals(false, derived.authenticated());
        assertEquals(derived.toHex(), JobSecret.derivedFrom("slurm42.0").toHex());
        assertTrue(JobSecret.generate().authenticated());
        final IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
            () -> JobSecret.ofHex("abcd", "RINGFOLD_SECRET"));
        assertEquals("RINGFOLD_SECRET: the job secret has 2 bytes; at least 16 are needed (generate one with:" +
            " openssl rand -hex 32)", shortKey.getMessage());
        final IllegalArgumentException notHex = assertThrows(IllegalArgumentException.class,
            () -> JobSecret.ofHex("zz".repeat(32), "RINGFOLD_SECRET"));
        assertEquals("RINGFOLD_SECRET: the job secret is not hex digits (64 characters)", notHex.getMessage());
    }
}
