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
}
