package dev.ringfold.mpi.transport.shm;

import dev.ringfold.mpi.transport.Channel;
import dev.ringfold.mpi.transport.FrameHandler;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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

    @Test
    void aParkingOwnerAsksForPreciseTimers() throws Throwable
    {
        final long[] slack = new long[2];
        final Throwable[] failed = new Throwable[1];
        final Thread owner = Thread.ofPlatform().start(() ->
        {
            try
            {
                // Linux's usual slack (a thread inherits its creator's, which other tests' waits may have set)
                prctl(PR_SET_TIMERSLACK, 50_000L);
                slack[0] = prctl(PR_GET_TIMERSLACK, 0L);
                rank0.pause(1_000);
                slack[1] = prctl(PR_GET_TIMERSLACK, 0L);
            }
            catch (final Throwable ex)
            {
                failed[0] = ex;
            }
        });
        owner.join(TimeUnit.SECONDS.toMillis(30));
        if (failed[0] != null)
        {
            throw failed[0];
        }
        assertEquals(50_000L, slack[0], "the thread's timer slack before");
        assertEquals(Futex.PRECISE_SLACK_NS, slack[1], "after a park in the doorbell, the thread's timer slack");
    }

    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;

    /** {@code prctl(2)} on the calling thread, linked here apart from the runtime's. */
    private static long prctl(final int option, final long argument) throws Throwable
    {
        final Linker linker = Linker.nativeLinker();
        final MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1));
        return (int)prctl.invokeExact(option, argument, 0L, 0L, 0L);
    }

    private static void send(final Channel channel, final int value)
    {
        final int index = channel.tryClaim(8);
        assertTrue(index >= 0, "room in the ring");
        channel.buffer().putLong(index, value);
        channel.commit(index);
    }
}
