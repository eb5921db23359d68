package dev.ringfold.hpctests.security;

import dev.ringfold.testsupport.Checkout;
import dev.ringfold.mpi.auth.Handshake;
import dev.ringfold.mpi.auth.HandshakeException;
import dev.ringfold.mpi.auth.JobSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real job over {@code -dev tcp} while strays knock on its rendezvous and on its ranks' TCP ports with no secret
 * (the hello of the protocol before secrets), a wrong secret (the real client code with another key, and a forger
 * that sends a proof anyway) and random bytes. Every stray must be closed by the job, each with its logged reason,
 * and the job must still compute the right all-reduce.
 */
class TransportSecurityTest
{
    private static final int NP = 3;
    private static final long LINE_WAIT_S = 60;

    @TempDir
    Path tmp;

    @Test
    @Timeout(180)
    void straysWithoutTheSecretAreRejectedAndTheJobIsUnaffected() throws Exception
    {
        try (var jars = Files.list(Checkout.ROOT.resolve("build/lib")))
        {
            assumeTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "build/lib has no jars: run 'make' first");
        }
        final Path joinGate = tmp.resolve("join");
        final Path runGate = tmp.resolve("run");
        final List<String> cmd = List.of(Checkout.ROOT.resolve("bin/mpjrun").toString(), "-np", String.valueOf(NP),
            "-dev", "tcp", "--timeout", "150", "-cp", Checkout.TEST_CLASSES.toString(),
            StrayTargetRanks.class.getName(), joinGate.toString(), runGate.toString());
        final Process mpjrun = new ProcessBuilder(cmd).start();
        final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        final List<String> stderr = new CopyOnWriteArrayList<>();
        final Thread out = pump(mpjrun.getInputStream(), stdout::add);
        final Thread err = pump(mpjrun.getErrorStream(), stderr::add);
        try
        {
            final String rendezvousLine = awaitLine(stdout, "[0] rendezvous ", stderr);
            final String[] hostPort = rendezvousLine.substring(rendezvousLine.indexOf("rendezvous ") + 11).split(":");
            final InetSocketAddress rendezvous = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
            attack(rendezvous, Handshake.RENDEZVOUS, noSecretRendezvousHello());
            Files.createFile(joinGate);

            final Map<Integer, Integer> ports = new TreeMap<>();
            while (ports.size() < NP)
            {
                final String line = awaitLine(stdout, "tcp-port ", stderr);
                final String[] words = line.substring(line.indexOf("tcp-port ")).split(" ");
                ports.put(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
            }
            for (final int port : ports.values())
            {
                assertTrue(port > 0, "every rank of a -dev tcp job listens: " + ports);
            }
            attack(new InetSocketAddress("127.0.0.1", ports.get(0)), Handshake.PEER, noSecretPeerHello());
            attack(new InetSocketAddress("127.0.0.1", ports.get(1)), Handshake.PEER, noSecretPeerHello());
            Files.createFile(runGate);

            assertTrue(mpjrun.waitFor(120, TimeUnit.SECONDS), "the job did not end within 120 s");
            out.join(5_000);
            err.join(5_000);
            final List<String> lines = new ArrayList<>();
            stdout.drainTo(lines);
            assertEquals(0, mpjrun.exitValue(), "stdout: " + lines + "\nstderr: " + stderr);
            for (int r = 0; r < NP; r++)
            {
                assertTrue(lines.contains("[" + r + "] all-reduce ok 5994.0"), "rank " + r + ": " + lines);
            }
            final String errText = String.join("\n", stderr);
            for (final String where : List.of("ringfold: rendezvous of job ", "[0] ringfold: rank 0 TCP: ",
                "[1] ringfold: rank 1 TCP: "))
            {
                // no secret: the old hellos start with "RFLD" (rendezvous) and "TFRL" (peer)
                assertRejected(errText, where, where.startsWith("ringfold: rendezvous") ?
                    "not a Ringfold hello (first bytes 0x52464c44)" : "not a Ringfold hello (first bytes 0x5446524c)");
                assertRejected(errText, where, "closed during the handshake, in its proof (0 of 32 bytes)"); // wrong key
                assertRejected(errText, where, "wrong secret (its proof does not match)");                   // forger
                assertRejected(errText, where, "not a Ringfold hello (first bytes 0x16");                    // random
            }
            assertTrue(stderr.stream().noneMatch(l -> l.contains("has no secret")),
                "mpjrun must hand every rank a secret: " + errText);
            assertTrue(stderr.stream().noneMatch(l -> l.contains("[2] ringfold: rank 2 TCP: rejected")),
                "nobody attacked rank 2: " + errText);
        }
        finally
        {
            mpjrun.descendants().forEach(ProcessHandle::destroyForcibly);
            mpjrun.destroyForcibly();
            mpjrun.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void assertRejected(final String errText, final String where, final String reason)
    {
        final boolean found = errText.lines().anyMatch(l -> l.startsWith(where) &&
            l.contains(": rejected connection from /127.0.0.1:") && l.contains(reason));
        assertTrue(found, "no line '" + where + "… rejected connection from …: " + reason + "' in stderr:\n" + errText);
    }

    /** Four strays, one after the other; each must be closed by the target. */
    private static void attack(final InetSocketAddress target, final int purpose, final byte[] noSecretHello)
        throws IOException
    {
        // 1. no secret: the hello this protocol had before secrets
        try (Socket s = connect(target))
        {
            s.getOutputStream().write(noSecretHello);
            assertClosedByPeer(s, target + " (no secret)");
        }
        // 2. wrong secret, real client code: it sees the target's proof fail and gives up, without a proof of its own
        try (Socket s = connect(target))
        {
            final HandshakeException ex = assertThrows(HandshakeException.class,
                () -> Handshake.connect(s, JobSecret.generate(), purpose));
            assertTrue(ex.getMessage().contains("does not know this job's secret"), ex.getMessage());
        }
        // 3. wrong secret, a forger that answers the challenge with a proof made without the key
        try (Socket s = connect(target))
        {
            final byte[] nonce = new byte[32];
            new Random(7).nextBytes(nonce);
            s.getOutputStream().write(ByteBuffer.allocate(44).putInt(Handshake.MAGIC).putInt(Handshake.VERSION)
                .putInt(purpose).put(nonce).array());
            final byte[] challenge = s.getInputStream().readNBytes(68);
            assertEquals(68, challenge.length, target + " did not answer the forger's hello");
            final byte[] proof = new byte[32];
            new Random(8).nextBytes(proof);
            s.getOutputStream().write(proof);
            assertClosedByPeer(s, target + " (forged proof)");
        }
        // 4. random bytes, as from a port scanner or a confused client
        try (Socket s = connect(target))
        {
            final byte[] junk = new byte[1 << 16];
            new Random(9).nextBytes(junk);
            junk[0] = 0x16; // never our magic
            try
            {
                s.getOutputStream().write(junk);
            }
            catch (final IOException closedWhileWriting)
            {
                return; // the target closed after the first 44 bytes: also a rejection
            }
            assertClosedByPeer(s, target + " (random bytes)");
        }
    }

    private static Socket connect(final InetSocketAddress target) throws IOException
    {
        final Socket s = new Socket();
        s.connect(target, 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static void assertClosedByPeer(final Socket s, final String what) throws IOException
    {
        try
        {
            final byte[] rest = s.getInputStream().readAllBytes();
            // whatever the target sent before closing can only be its challenge (68 bytes) or nothing
            assertTrue(rest.length == 0 || rest.length == 68, what + " sent " + rest.length + " bytes before closing");
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError(what + " kept the stray's connection open for 20 s", ex);
        }
        catch (final java.net.SocketException reset)
        {
            // closed with unread input pending: a reset is a rejection too
        }
    }

    private static byte[] noSecretRendezvousHello()
    {
        final byte[] job = "j1-abcdef".getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(18 + job.length).putInt(0x52464C44).putInt(1).putInt(0).putInt(NP)
            .putShort((short)job.length).put(job).array();
    }

    private static byte[] noSecretPeerHello()
    {
        final byte[] job = "j1-abcdef".getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(12 + job.length).putInt(0x5446524C).putInt(2).putInt(job.length).put(job).array();
    }

    private static String awaitLine(final BlockingQueue<String> lines, final String fragment, final List<String> stderr)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LINE_WAIT_S);
        while (true)
        {
            final String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(line, "no line with '" + fragment + "' within " + LINE_WAIT_S + " s; stderr: " + stderr);
            if (line.contains(fragment))
            {
                return line;
            }
        }
    }

    private static Thread pump(final java.io.InputStream in, final java.util.function.Consumer<String> sink)
    {
        return Thread.ofPlatform().daemon().start(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    sink.accept(line);
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
        });
    }
}
