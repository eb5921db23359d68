package dev.ringfold.mpi.bootstrap;

import dev.ringfold.mpi.auth.JobSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RendezvousTest
{
    private static final JobSecret SECRET = JobSecret.generate();

    @Test
    @Timeout(30)
    void everyRankGetsEveryBlobInRankOrderAndStraysAreIgnored() throws Exception
    {
        try (RendezvousServer server = RendezvousServer.start("127.0.0.1", 0, 3, "job1", SECRET, 10_000);
             ExecutorService pool = Executors.newFixedThreadPool(3))
        {
            try (Socket stray = new Socket("127.0.0.1", server.port()))
            {
                stray.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes()); // not one of ours
            }
            final Future<?>[] ranks = new Future<?>[3];
            for (int r = 0; r < 3; r++)
            {
                final int rank = r;
                ranks[r] = pool.submit(() ->
                {
                    try (RendezvousClient c = RendezvousClient.connect("127.0.0.1", server.port(), rank, 3, "job1", SECRET,
                        System.currentTimeMillis() + 10_000))
                    {
                        final byte[][] all = c.allGather(new byte[] {(byte)rank, (byte)(rank * 2)});
                        for (int p = 0; p < 3; p++)
                        {
                            assertArrayEquals(new byte[] {(byte)p, (byte)(p * 2)}, all[p]);
                        }
                        c.barrier();
                        return null;
                    }
                });
            }
            for (final Future<?> f : ranks)
            {
                f.get();
            }
        }
    }

    @Test
    @Timeout(30)
    void aRankOfAnotherJobFailsTheRendezvousWithAReason() throws Exception
    {
        try (RendezvousServer server = RendezvousServer.start("127.0.0.1", 0, 2, "jobA", SECRET, 10_000))
        {
            final RendezvousClient wrong = RendezvousClient.connect("127.0.0.1", server.port(), 0, 2, "jobB", SECRET,
                System.currentTimeMillis() + 5_000);
            final IOException ex = assertThrows(IOException.class, () -> wrong.allGather(new byte[0]));
            assertTrue(ex.getMessage().contains("rendezvous round 0 failed"), ex.getMessage());
            wrong.close();
            for (int i = 0; i < 100 && server.failure() == null; i++)
            {
                Thread.sleep(20);
            }
            assertNotNull(server.failure());
            assertTrue(server.failure().contains("job 'jobB'") && server.failure().contains("job 'jobA'"), server.failure());
        }
    }

    @Test
    @Timeout(30)
    void aMissingRankIsNamedWhenTheDeadlinePasses() throws Exception
    {
        try (RendezvousServer server = RendezvousServer.start("127.0.0.1", 0, 2, "jobC", SECRET, 500))
        {
            final RendezvousClient only = RendezvousClient.connect("127.0.0.1", server.port(), 0, 2, "jobC", SECRET,
                System.currentTimeMillis() + 5_000);
            assertThrows(IOException.class, () -> only.allGather(new byte[0]));
            only.close();
            for (int i = 0; i < 100 && server.failure() == null; i++)
            {
                Thread.sleep(20);
            }
            assertEquals("ranks 1 did not reach the rendezvous within 500 ms", server.failure());
        }
    }

    @Test
    @Timeout(30)
    void silentStrangersDoNotDelayARankAndADroppedOneIsNotARank() throws Exception
    {
        try (RendezvousServer server = RendezvousServer.start("127.0.0.1", 0, 1, "jobS", SECRET, 10_000))
        {
            final java.util.List<Socket> silent = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                silent.add(new Socket("127.0.0.1", server.port())); // they say nothing
            }
            final long start = System.nanoTime();
            try (RendezvousClient c = RendezvousClient.connect("127.0.0.1", server.port(), 0, 1, "jobS", SECRET,
                System.currentTimeMillis() + 10_000))
            {
                assertEquals(1, c.allGather(new byte[] {5}).length);
            }
            final long ms = (System.nanoTime() - start) / 1_000_000;
            // one at a time, each stranger would have held the rank up for its whole hello limit
            assertTrue(ms < RendezvousServer.HELLO_LIMIT_MS, ms + " ms behind 50 silent connections");
            for (final Socket s : silent)
            {
                s.close();
            }
        }
    }

    @Test
    @Timeout(30)
    void aRankThatComesAfterTheFailureIsToldWhy() throws Exception
    {
        try (RendezvousServer server = RendezvousServer.start("127.0.0.1", 0, 2, "jobF", SECRET, 10_000))
        {
            server.fail("rank 1 (pid 42) exited with code 0 before it joined the job");
            final RendezvousClient late = RendezvousClient.connect("127.0.0.1", server.port(), 0, 2, "jobF", SECRET,
                System.currentTimeMillis() + 5_000, true);
            final IOException ex = assertThrows(IOException.class, () -> late.allGather(new byte[0]));
            assertTrue(ex.getMessage().contains("the rendezvous failed: rank 1 (pid 42) exited with code 0 before it " +
                "joined the job"), ex.getMessage());
            assertTrue(!(ex instanceof RendezvousLostException), ex.toString());
            late.close();
        }
    }

    @Test
    @Timeout(30)
    void aLifelineReportsTheServersEndButNotItsOwnClose() throws Exception
    {
        final java.util.concurrent.CountDownLatch[] lost = {new java.util.concurrent.CountDownLatch(1),
            new java.util.concurrent.CountDownLatch(1)};
        final RendezvousServer server = RendezvousServer.start("127.0.0.1", 0, 2, "jobL", SECRET, 10_000);
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try
        {
            final java.util.List<Future<RendezvousClient>> ranks = new java.util.ArrayList<>();
            for (int r = 0; r < 2; r++)
            {
                final int rank = r;
                ranks.add(pool.submit(() ->
                {
                    final RendezvousClient c = RendezvousClient.connect("127.0.0.1", server.port(), rank, 2, "jobL",
                        SECRET, System.currentTimeMillis() + 10_000, true);
                    c.barrier();
                    c.holdAsLifeline(lost[rank]::countDown);
                    return c;
                }));
            }
            final RendezvousClient closedFirst = ranks.get(0).get();
            ranks.get(1).get();
            for (int i = 0; i < 100 && !server.finished(); i++)
            {
                Thread.sleep(20);
            }
            assertTrue(server.finished(), "the rounds did not end");
            closedFirst.close(); // this rank's own close: not a lost launcher
            server.close(); // the launcher's end: the other rank hears it
            assertTrue(lost[1].await(5, java.util.concurrent.TimeUnit.SECONDS), "the lifeline did not report the end");
            assertEquals(1, lost[0].getCount(), "a rank's own close was taken for the launcher's end");
        }
        finally
        {
            server.close();
            pool.shutdownNow();
        }
    }
}
