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

    /** Rank 0 of a job of two, in {@code job}'s name, joins and gathers, which fails: its error, once it has closed. */
    private static IOException aLoneRankFailsToGather(final RendezvousServer server, final String job) throws Exception
    {
        try (RendezvousClient rank = RendezvousClient.connect("127.0.0.1", server.port(), 0, 2, job, SECRET,
            System.currentTimeMillis() + 10_000))
        {
            return assertThrows(IOException.class, () -> rank.allGather(new byte[0]));
        }
    }

    /** The server's failure once it has one (it records it on its own thread, after the client saw the error). */
    private static String failureOf(final RendezvousServer server) throws InterruptedException
    {
        for (int i = 0; i < 1000 && server.failure() == null; i++)
        {
            Thread.sleep(20);
        }
        assertNotNull(server.failure(), "the server recorded no failure within 20 s");
        return server.failure();
    }

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
            final IOException ex = aLoneRankFailsToGather(server, "jobB");
            assertTrue(ex.getMessage().contains("rendezvous round 0 failed"), ex.getMessage());
            final String failure = failureOf(server);
            assertTrue(failure.contains("job 'jobB'") && failure.contains("job 'jobA'"), failure);
        }
    }

    @Test
    @Timeout(30)
    void aMissingRankIsNamedWhenTheDeadlinePasses() throws Exception
    {
        try (RendezvousServer server = RendezvousServer.start("127.0.0.1", 0, 2, "jobC", SECRET, 3_000))
        {
            aLoneRankFailsToGather(server, "jobC");
            assertEquals("ranks 1 did not reach the rendezvous within 3000 ms", failureOf(server));
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
            // one at a time, each stranger would have held the rank up for its whole hello limit (50 of them: 100 s);
            // in parallel, the rank waits on none of them, which on a loaded machine can still take seconds
            assertTrue(ms < 10 * RendezvousServer.HELLO_LIMIT_MS, ms + " ms behind 50 silent connections");
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
            for (int i = 0; i < 1000 && !server.finished(); i++)
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

    /** Survivors that answer a newcomer's round with (their rank, the round) and note how each join ended. */
    private static final class Survivor implements RendezvousClient.Newcomers
    {
        final int rank;
        final java.util.concurrent.BlockingQueue<String> ends = new java.util.concurrent.LinkedBlockingQueue<>();
        final java.util.List<String> rounds = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        Survivor(final int rank)
        {
            this.rank = rank;
        }

        @Override
        public byte[] round(final int newcomer, final int incarnation, final int round, final byte[] blob)
        {
            rounds.add(newcomer + "/" + incarnation + "/" + round + "/" + java.util.Arrays.toString(blob));
            return new byte[] {(byte)rank, (byte)round};
        }

        @Override
        public void ended(final int newcomer, final int incarnation, final boolean joined)
        {
            ends.add(newcomer + "/" + incarnation + (joined ? " joined" : " abandoned"));
        }
    }

    /** Three ranks of job "jobJ" that allow late joins, through the start-up, each holding its lifeline. */
    private static final class LateJoinJob implements AutoCloseable
    {
        final RendezvousServer server;
        final Survivor[] survivors = new Survivor[3];
        final RendezvousClient[] clients = new RendezvousClient[3];

        LateJoinJob() throws Exception
        {
            server = RendezvousServer.start("127.0.0.1", 0, 3, "jobJ", SECRET, 10_000, true);
            final ExecutorService pool = Executors.newFixedThreadPool(clients.length);
            try
            {
                final java.util.List<Future<RendezvousClient>> ranks = new java.util.ArrayList<>();
                for (int r = 0; r < clients.length; r++)
                {
                    final int rank = r;
                    survivors[r] = new Survivor(r);
                    ranks.add(pool.submit(() ->
                    {
                        final RendezvousClient c = RendezvousClient.connect("127.0.0.1", server.port(), rank,
                            clients.length, "jobJ", SECRET, System.currentTimeMillis() + 10_000, true);
                        c.barrier();
                        c.holdAsLifeline(() -> { }, survivors[rank]);
                        return c;
                    }));
                }
                for (int r = 0; r < clients.length; r++)
                {
                    clients[r] = ranks.get(r).get();
                }
                for (int i = 0; i < 250 && !server.finished(); i++)
                {
                    Thread.sleep(20);
                }
                assertTrue(server.finished(), "the start-up rounds did not end");
            }
            finally
            {
                pool.shutdownNow();
            }
        }

        /** A newcomer for {@code rank}'s slot, as {@code incarnation}, with {@code secret}. */
        RendezvousClient newcomer(final int rank, final int incarnation, final JobSecret secret) throws IOException
        {
            return RendezvousClient.connect("127.0.0.1", server.port(), rank, clients.length, "jobJ", secret,
                System.currentTimeMillis() + 5_000, true, incarnation);
        }

        /** A newcomer that gets past the handshake is turned away at its first round, saying {@code why}. */
        void assertRefused(final int rank, final int incarnation, final String why) throws IOException
        {
            try (RendezvousClient refused = newcomer(rank, incarnation, SECRET))
            {
                final IOException ex = assertThrows(IOException.class, () -> refused.allGather(new byte[] {9}));
                assertTrue(ex.getMessage().contains(why), ex.getMessage());
            }
        }

        /** Each of {@code ranks} is told how the newcomer's join ended, within 5 s. */
        void assertEnded(final String end, final int... ranks) throws InterruptedException
        {
            for (final int r : ranks)
            {
                assertEquals(end, survivors[r].ends.poll(5, java.util.concurrent.TimeUnit.SECONDS), "rank " + r);
            }
        }

        @Override
        public void close() throws IOException
        {
            for (final RendezvousClient c : clients)
            {
                c.close();
            }
            server.close();
        }
    }

    @Test
    @Timeout(30)
    void aReplacementTakesAReopenedSlotThroughTheSurvivorsAndOnlyItsIncarnationMay() throws Exception
    {
        try (LateJoinJob job = new LateJoinJob())
        {
            final RendezvousServer server = job.server;
            // before its slot is reopened, rank 1 has no room, whatever incarnation it names
            job.assertRefused(1, 1, "its slot is not open for a replacement");
            job.clients[1].close(); // rank 1 dies
            assertEquals(1, server.reopen(1));
            assertEquals(2, server.reopen(1), "a newcomer awaited before (it died on the way) may no longer come");
            assertTrue(server.awaitingNewcomer(1));
            for (final int stale : new int[] {0, 1, 3})
            {
                job.assertRefused(1, stale, "came as incarnation " + stale + ", but its slot awaits incarnation 2");
            }
            final IOException stranger = assertThrows(IOException.class, () -> job.newcomer(1, 2,
                JobSecret.generate()));
            assertTrue(stranger.getMessage().contains("failed the secret handshake"), stranger.getMessage());
            assertEquals(null, server.failure(), "a refused newcomer must not fail the running job");

            try (RendezvousClient replacement = job.newcomer(1, 2, SECRET))
            {
                final byte[][] first = replacement.allGather(new byte[] {7, 7});
                assertArrayEquals(new byte[] {0, 0}, first[0]);
                assertArrayEquals(new byte[] {7, 7}, first[1]);
                assertArrayEquals(new byte[] {2, 0}, first[2]);
                final byte[][] second = replacement.allGather(new byte[0]);
                assertArrayEquals(new byte[] {2, 1}, second[2]);
                final java.util.concurrent.CountDownLatch lost = new java.util.concurrent.CountDownLatch(1);
                replacement.holdAsLifeline(lost::countDown);
                job.assertEnded("1/2 joined", 0, 2);
                for (final int r : new int[] {0, 2})
                {
                    assertEquals(java.util.List.of("1/2/0/[7, 7]", "1/2/1/[]"), job.survivors[r].rounds);
                }
                assertEquals(0, job.survivors[1].rounds.size(), "the dead rank was asked");
                assertTrue(!server.awaitingNewcomer(1));
                assertEquals(2, server.incarnation(1));
                job.assertRefused(1, 2, "its slot is not open for a replacement");
                server.close(); // the launcher's end reaches the replacement's lifeline too
                assertTrue(lost.await(5, java.util.concurrent.TimeUnit.SECONDS), "the replacement holds no lifeline");
            }
        }
    }

    @Test
    @Timeout(30)
    void aNewcomerThatGoesAwayMidJoinIsAbandonedAndTheNextTryIsANewIncarnation() throws Exception
    {
        try (LateJoinJob job = new LateJoinJob())
        {
            final RendezvousServer server = job.server;
            job.clients[2].close();
            assertEquals(1, server.reopen(2));
            final RendezvousClient dying = job.newcomer(2, 1, SECRET);
            dying.allGather(new byte[] {1});
            dying.close(); // dies between its rounds
            job.assertEnded("2/1 abandoned", 0, 1);
            assertTrue(!server.awaitingNewcomer(2), "an abandoned slot waits for the launcher's next reopen");
            assertEquals(2, server.reopen(2));
            try (RendezvousClient next = job.newcomer(2, 2, SECRET))
            {
                assertArrayEquals(new byte[] {1, 0}, next.allGather(new byte[] {3})[1]);
                next.holdAsLifeline(() -> { });
                job.assertEnded("2/2 joined", 0, 1);
            }
        }
    }

    @Test
    @Timeout(30)
    void aSlotIsReopenedOnlyWhereLateJoinsWereAskedForAndAfterTheStartUp() throws Exception
    {
        try (RendezvousServer plain = RendezvousServer.start("127.0.0.1", 0, 1, "jobP", SECRET, 10_000);
             RendezvousServer late = RendezvousServer.start("127.0.0.1", 0, 2, "jobQ", SECRET, 10_000, true))
        {
            final IllegalStateException a = assertThrows(IllegalStateException.class, () -> plain.reopen(0));
            assertTrue(a.getMessage().contains("started without late joins"), a.getMessage());
            final IllegalStateException b = assertThrows(IllegalStateException.class, () -> late.reopen(1));
            assertTrue(b.getMessage().contains("are not over"), b.getMessage());
            final IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> late.reopen(2));
            assertTrue(c.getMessage().contains("no such rank in a job of 2"), c.getMessage());
        }
    }
}
