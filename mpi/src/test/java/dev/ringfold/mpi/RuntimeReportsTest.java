package dev.ringfold.mpi;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stall reports through the error handler, in the call's words; calls from two threads at once detected. */
@Timeout(60)
class RuntimeReportsTest
{
    private static final Map<String, String> ENV = Map.of("RINGFOLD_IDLE", "yield", "RINGFOLD_STALL_MS", "50",
        "RINGFOLD_CMA", "0");

    private static UnsafeBuffer buffer(final int bytes)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
    }

    @Test
    void stalledReceiveListsTheMessagesWaitingFromItsPeerWithTheirTags()
    {
        final LoopbackFabric f = new LoopbackFabric(2, 64 * 1024, false, ENV);
        final List<Throwable> reports = new ArrayList<>();
        f.engines[0].errorHandler(reports::add);
        f.worlds[1].isend(buffer(8), 0, 8, 0, 1); // tag 1 sent, tag 2 awaited
        f.pump();
        final Request r = f.worlds[0].irecv(buffer(8), 0, 8, 1, 2);
        assertThrows(DeadlineExceededException.class, () -> r.await(Duration.ofMillis(300)));
        assertEquals(1, reports.size(), "once per wait");
        final String line = reports.get(0).getMessage();
        assertTrue(reports.get(0) instanceof StallReport, line);
        assertTrue(line.startsWith("stall: rank 0 has waited ") &&
            line.contains("receive of up to 8 bytes from world rank 1 (tag 2) on WORLD") &&
            line.contains("waiting unreceived from world rank 1: tag 1 (8 bytes)"), line);
    }

    @Test
    void stalledBarrierIsCalledABarrier()
    {
        final LoopbackFabric f = new LoopbackFabric(2, 64 * 1024, false, ENV);
        final AtomicReference<Throwable> report = new AtomicReference<>();
        f.engines[0].errorHandler(report::set);
        f.worlds[0].timeout(Duration.ofMillis(300));
        final DeadlineExceededException ex = assertThrows(DeadlineExceededException.class, f.worlds[0]::barrier);
        assertTrue(ex.getMessage().contains("waiting on barrier on WORLD (waiting for a message from world rank 1)"),
            ex.getMessage());
        assertNotNull(report.get());
        assertTrue(report.get().getMessage().contains("on barrier on WORLD"), report.get().getMessage());
        // the communicator's own requests were withdrawn: a point-to-point call afterwards is described as such
        f.worlds[0].timeout(Duration.ofMillis(100));
        final DeadlineExceededException p2p = assertThrows(DeadlineExceededException.class,
            () -> f.worlds[0].recv(buffer(8), 0, 8, 1, 3));
        assertTrue(p2p.getMessage().contains("receive of up to 8 bytes from world rank 1 (tag 3)"), p2p.getMessage());
    }

    @Test
    void callsFromTwoThreadsAtOnceThrowNamingBoth() throws Exception
    {
        final LoopbackFabric f = new LoopbackFabric(2, 64 * 1024, false, ENV);
        final Communicator w = f.worlds[0];
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> seen = new AtomicReference<>();
        final CountDownLatch started = new CountDownLatch(1);
        final Thread driver = new Thread(() ->
        {
            started.countDown();
            try
            {
                while (!stop.get())
                {
                    w.progress();
                }
            }
            catch (final IllegalStateException ex)
            {
                seen.compareAndSet(null, ex);
            }
        }, "driver");
        driver.start();
        started.await();
        final UnsafeBuffer b = buffer(8);
        final String name = Thread.currentThread().getName();
        Thread.currentThread().setName("caller");
        try
        {
            for (int i = 0; i < 10_000_000 && seen.get() == null; i++)
            {
                try
                {
                    w.irecv(b, 0, 8, 1, 9, new Request()).cancel();
                }
                catch (final IllegalStateException ex)
                {
                    seen.compareAndSet(null, ex);
                }
            }
        }
        finally
        {
            stop.set(true);
            driver.join();
            Thread.currentThread().setName(name);
        }
        final Throwable ex = seen.get();
        assertNotNull(ex, "two threads in the runtime at once went unnoticed");
        assertTrue(ex.getMessage().contains("two threads call the runtime at once") &&
            ex.getMessage().contains("'driver'") && ex.getMessage().contains("'caller'"), ex.getMessage());
    }

    @Test
    void oneThreadAfterAnotherIsFine() throws Exception
    {
        final LoopbackFabric f = new LoopbackFabric(2, 64 * 1024, false, ENV);
        final UnsafeBuffer b = buffer(8);
        final Thread other = new Thread(() ->
        {
            f.worlds[1].isend(b, 0, 8, 0, 4);
            f.pump();
        });
        other.start();
        other.join(); // join orders it before what follows: serialized use
        f.worlds[0].irecv(b, 0, 8, 1, 4).await();
    }
}
