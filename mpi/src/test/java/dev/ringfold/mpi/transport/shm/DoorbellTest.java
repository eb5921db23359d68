package dev.ringfold.mpi.transport.shm;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The doorbell protocol in one process: two ranks' shared-memory transports over real ring files, the owner asleep in
 * {@code awaitInput} and a sender committing a frame from another thread. Bounds are wide (a loaded machine), and
 * far below the sleep's timeout, so only a wake-up by the frame passes.
 */
final class DoorbellTest
{
    private static final long LONG_SLEEP_NS = TimeUnit.SECONDS.toNanos(20);

    private static final FrameHandler DISCARD = new FrameHandler()
    {
        @Override
        public void onFrame(final int peer, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        @Override
        public void onPeerFailure(final int peer, final String reason)
        {
        }
    };

    private Path dir;
    private ShmTransport rank0;
    private ShmTransport rank1;

    @BeforeEach
    void twoRanks() throws Exception
    {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "ringfold-doorbell-test");
        final int[] local = {0, 1};
        rank0 = ShmTransport.create(dir, "doorbell", 0, 2, local, 1 << 16);
        rank1 = ShmTransport.create(dir, "doorbell", 1, 2, local, 1 << 16);
        final long pid = ProcessHandle.current().pid();
        final String[] names = {rank0.fileName(), rank1.fileName()};
        rank0.mapPeers(dir, "doorbell", names, new long[] {pid, pid});
        rank1.mapPeers(dir, "doorbell", names, new long[] {pid, pid});
        Futex.link();
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Futex.ready() && System.nanoTime() < until)
        {
            Thread.sleep(1);
        }
        assertTrue(Futex.ready(), "futex(2) linked (Linux, x86-64 or aarch64)");
    }

    @AfterEach
    void close() throws Exception
    {
        rank0.close();
        rank1.close();
        try (var files = Files.list(dir))
        {
            files.forEach(f -> f.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void aSleepingOwnerIsWokenByTheNextFrame() throws Exception
    {
        for (int round = 0; round < 20; round++)
        {
            final CountDownLatch asleep = new CountDownLatch(1);
            final long[] slept = new long[1];
            final Thread owner = Thread.ofPlatform().start(() ->
            {
                asleep.countDown();
                final long t0 = System.nanoTime();
                rank0.awaitInput(LONG_SLEEP_NS);
                slept[0] = System.nanoTime() - t0;
            });
            asleep.await();
            Thread.sleep(20); // most rounds: the owner is in the futex by now; the others test the race
            send(rank1.channel(0), round);
            owner.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(slept[0] > 0 && slept[0] < TimeUnit.SECONDS.toNanos(10),
                "round " + round + ": woken by the frame, not the timeout (" + slept[0] / 1e6 + " ms)");
            assertEquals(1, rank0.poll(DISCARD, 16), "the frame is there");
        }
    }

    @Test
    void anOwnerWithInputWaitingDoesNotSleep()
    {
        send(rank1.channel(0), 7);
        final long t0 = System.nanoTime();
        rank0.awaitInput(LONG_SLEEP_NS);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "returned at once: a frame was waiting");
    }

    @Test
    void withNoInputTheSleepEndsAtItsTimeout()
    {
        final long t0 = System.nanoTime();
        rank0.awaitInput(TimeUnit.MILLISECONDS.toNanos(50));
        final long slept = System.nanoTime() - t0;
        assertTrue(slept >= TimeUnit.MILLISECONDS.toNanos(45), "slept its timeout: " + slept / 1e6 + " ms");
    }

    private static void send(final Channel channel, final int value)
    {
        final int index = channel.tryClaim(8);
        assertTrue(index >= 0, "room in the ring");
        channel.buffer().putLong(index, value);
        channel.commit(index);
    }
}
