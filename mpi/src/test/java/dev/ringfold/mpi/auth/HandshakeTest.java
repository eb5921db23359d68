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

    /** The acceptor's verdict ("accepted" or its refusal) and what the connector threw (null for nothing). */
    private record Outcome(String verdict, Throwable connectorError)
    {
    }

    /** Runs {@code connector} against an accepting side with {@code acceptorSecret}. */
    private static Outcome acceptWith(final JobSecret acceptorSecret, final Connector connector) throws Exception
    {
        final CompletableFuture<Throwable> connectorOutcome = new CompletableFuture<>();
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
            String verdict;
            try (Socket accepted = server.accept())
            {
                Handshake.accept(accepted, acceptorSecret, Handshake.PEER);
                verdict = "accepted";
            }
            catch (final HandshakeException ex)
            {
                verdict = ex.getMessage();
            }
            finally
            {
                client.join(10_000);
            }
            return new Outcome(verdict, connectorOutcome.getNow(new AssertionError("the connector did not finish")));
        }
    }

    @Test
    @Timeout(20)
    void bothSidesWithTheSameSecretAcceptEachOther() throws Exception
    {
        final JobSecret secret = JobSecret.generate();
        assertEquals(new Outcome("accepted", null),
            acceptWith(secret, s -> Handshake.connect(s, secret, Handshake.PEER)));
    }

    @Test
    @Timeout(20)
    void aWrongSecretIsRefusedByBothSides() throws Exception
    {
        final JobSecret ours = JobSecret.generate();
        final JobSecret theirs = JobSecret.generate();
        // a forger that does not check our proof but answers with its own key
        final Outcome o = acceptWith(ours, s -> Handshake.connect(s, theirs, Handshake.PEER));
        // the connector refuses first: our proof does not match its key, so it never sends its own
        assertTrue(o.verdict().startsWith("closed during the handshake, in its proof (0 of 32 bytes)"), o.verdict());
        final Throwable seen = o.connectorError();
        assertTrue(seen instanceof HandshakeException && seen.getMessage().contains("does not know this job's secret"),
            String.valueOf(seen));
    }

    @Test
    @Timeout(20)
    void aProofMadeWithAnotherKeyIsAWrongSecret() throws Exception
    {
        final JobSecret ours = JobSecret.generate();
        final JobSecret theirs = JobSecret.generate();
        final Outcome o = acceptWith(ours, s ->
        {
            final var out = s.getOutputStream();
            final byte[] nonceC = new byte[Handshake.NONCE_BYTES];
            out.write(java.nio.ByteBuffer.allocate(12 + nonceC.length).putInt(Handshake.MAGIC).putInt(Handshake.VERSION)
                .putInt(Handshake.PEER).put(nonceC).array());
            final byte[] answer = s.getInputStream().readNBytes(4 + Handshake.NONCE_BYTES + Handshake.MAC_BYTES);
            final byte[] nonceA = java.util.Arrays.copyOfRange(answer, 4, 4 + Handshake.NONCE_BYTES);
            out.write(Handshake.mac(theirs, "connect".getBytes(), Handshake.PEER, nonceC, nonceA));
            assertEquals(-1, s.getInputStream().read(), "the acceptor must close, not accept");
        });
        assertEquals(new Outcome("wrong secret (its proof does not match)", null), o);
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
        assertEquals("not a Ringfold hello (first bytes 0x47455420)",
            acceptWith(JobSecret.generate(), s -> s.getOutputStream().write(junk)).verdict());
    }

    @Test
    @Timeout(20)
    void aSilentClientIsDroppedAtTheTimeLimit() throws Exception
    {
        final long start = System.nanoTime();
        final Outcome o = acceptWith(JobSecret.generate(), s ->
        {
            s.setSoTimeout(15_000);
            s.getInputStream().read(); // says nothing, waits for the acceptor to give up
        });
        final long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("no complete hello within 5000 ms (0 of 4 bytes)", o.verdict());
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
