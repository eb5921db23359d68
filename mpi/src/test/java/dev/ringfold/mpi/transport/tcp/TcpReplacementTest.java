package dev.ringfold.mpi.transport.tcp;

import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replacement of a dead rank connecting to a survivor after the start-up, over real loopback connections with the
 * secret handshake: the dead process's connection is read out (what it sent before it went is delivered) and
 * dropped; the survivor takes a replacement's connection only for the slot it expects and only for that
 * incarnation, once; a replacement without the job's secret, or of another incarnation, is refused; the admitted one
 * carries frames both ways under the slot's world rank.
 */
class TcpReplacementTest
{
    private static final String JOB = "j-replacement-test";
    private static final int SIZE = 3;
    private static final int SURVIVOR = 0;
    private static final int SLOT = 1;
    private final JobSecret secret = JobSecret.generate();
    private final List<TcpTransport> opened = new ArrayList<>();

    /** Records what a transport delivers, by peer. */
    private static final class Events implements FrameHandler
    {
        final List<String> seen = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        @Override
        public void onFrame(final int peer, final DirectBuffer buffer, final int offset, final int length)
        {
            seen.add("frame " + buffer.getInt(offset) + " from " + peer);
        }

        @Override
        public void onPeerFailure(final int peer, final String reason)
        {
            failures.add(peer + ": " + reason);
        }

        @Override
        public void onMovedByAddress(final int id)
        {
        }
    }

    @AfterEach
    void close()
    {
        opened.forEach(TcpTransport::close);
    }

    private TcpTransport listen(final int rank, final JobSecret key)
    {
        final TcpTransport t = TcpTransport.listen("127.0.0.1", "127.0.0.1", rank, SIZE, key, JOB);
        opened.add(t);
        return t;
    }

    /** The survivor and the first process of the slot, connected as at a start-up. */
    private TcpTransport[] startUp() throws Exception
    {
        final TcpTransport survivor = listen(SURVIVOR, secret);
        final TcpTransport old = listen(SLOT, secret);
        final String[] hosts = {"127.0.0.1", "127.0.0.1", null};
        final int[] ports = {survivor.port(), old.port(), 0};
        final long deadline = System.currentTimeMillis() + 10_000;
        final CompletableFuture<Void> accepting = CompletableFuture.runAsync(() ->
            survivor.connect(new int[] {SLOT}, hosts, ports, deadline));
        old.connect(new int[] {SURVIVOR}, hosts, ports, deadline);
        accepting.get();
        return new TcpTransport[] {survivor, old};
    }

    private static TcpTransport replacementOf(final TcpReplacementTest test, final JobSecret key,
        final TcpTransport survivor, final int incarnation)
    {
        final TcpTransport t = test.listen(SLOT, key);
        t.connectAsReplacement(new int[] {SURVIVOR}, new String[] {"127.0.0.1", null, null},
            new int[] {survivor.port(), 0, 0}, incarnation, System.currentTimeMillis() + 10_000);
        return t;
    }

    private static void frame(final Channel channel, final int value)
    {
        final int at = channel.tryClaim(8);
        assertTrue(at >= 0, "room for a frame");
        channel.buffer().putInt(at, value);
        channel.commit(at);
    }

    private static void pump(final BooleanSupplier done, final TcpTransport a, final Events atA, final TcpTransport b,
        final Events atB)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "not done in 10 s: " + atA.seen + " " + atB.seen);
            a.poll(atA, Integer.MAX_VALUE);
            b.poll(atB, Integer.MAX_VALUE);
        }
    }

    @Test
    @Timeout(60)
    void theDeadProcessIsReadOutAndOnlyTheExpectedIncarnationTakesItsPlace() throws Exception
    {
        final TcpTransport[] pair = startUp();
        final TcpTransport survivor = pair[0];
        final TcpTransport old = pair[1];
        final Events atSurvivor = new Events();
        frame(old.channel(SURVIVOR), 41);
        old.poll(new Events(), Integer.MAX_VALUE); // flushes
        old.close(); // the old process dies, its last frame in flight

        survivor.clearFor(SLOT, atSurvivor);
        assertEquals(List.of("frame 41 from 1"), atSurvivor.seen, "what the dead process sent is still a message");
        assertEquals(1, atSurvivor.failures.size(), "its death is reported once: " + atSurvivor.failures);
        assertEquals(null, survivor.channel(SLOT), "its connection is dropped");

        // before the slot is reopened here, a replacement is refused
        replacementOf(this, secret, survivor, 1);
        assertFalse(survivor.awaitReplacement(SLOT, 300));

        survivor.expectReplacement(SLOT, 2);
        final Exception stranger = assertThrows(java.io.UncheckedIOException.class,
            () -> replacementOf(this, JobSecret.generate(), survivor, 2)); // without the job's secret
        assertTrue(stranger.getMessage().contains("failed the secret handshake"), stranger.getMessage());
        replacementOf(this, secret, survivor, 1); // a stale incarnation
        assertFalse(survivor.awaitReplacement(SLOT, 300), "only incarnation 2 of rank 1 is expected");
        assertThrows(IllegalStateException.class, () -> survivor.admit(SLOT));

        final TcpTransport fresh = replacementOf(this, secret, survivor, 2);
        assertTrue(survivor.awaitReplacement(SLOT, 10_000));
        final Channel toFresh = survivor.admit(SLOT);
        replacementOf(this, secret, survivor, 2); // taken once: a second connection for the slot is refused
        assertFalse(survivor.awaitReplacement(SLOT, 300));

        final Events atFresh = new Events();
        frame(toFresh, 7);
        frame(fresh.channel(SURVIVOR), 8);
        pump(() -> atFresh.seen.size() == 1 && atSurvivor.seen.size() == 2, survivor, atSurvivor, fresh, atFresh);
        assertEquals(List.of("frame 7 from 0"), atFresh.seen);
        assertEquals(List.of("frame 41 from 1", "frame 8 from 1"), atSurvivor.seen);
        assertEquals(1, atSurvivor.failures.size(), "nothing more failed: " + atSurvivor.failures);
        assertTrue(atFresh.failures.isEmpty(), atFresh.failures::toString);
    }
}
