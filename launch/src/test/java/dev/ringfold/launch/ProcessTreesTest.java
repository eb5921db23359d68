package dev.ringfold.launch;

import dev.ringfold.testsupport.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
final class ProcessTreesTest
{
    @Test
    void stopsAProcessAndItsChildren() throws Exception
    {
        final Process shell = new ProcessBuilder("/bin/sh", "-c", "sleep 60 & sleep 60 & wait").start();
        try
        {
            final List<Long> pids = awaitTree(shell, 3);
            assertEquals(List.of(), ProcessTrees.stop(List.of(shell.toHandle()), 2_000, 2_000));
            assertEquals(List.of(), Processes.stillRunningAfter(pids, 5));
        }
        finally
        {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }

    @Test
    void killsWhatIgnoresSigterm() throws Exception
    {
        // "ready" once the trap is set: a SIGTERM that came before it would end the shell at once
        final Process stubborn = new ProcessBuilder("/bin/sh", "-c",
            "trap '' TERM; echo ready; while :; do sleep 0.1; done").start();
        try
        {
            final String ready = new java.io.BufferedReader(new java.io.InputStreamReader(stubborn.getInputStream(),
                java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            assertEquals("ready", ready);
            final List<Long> pids = awaitTree(stubborn, 1);
            final long started = System.nanoTime();
            assertEquals(List.of(), ProcessTrees.stop(List.of(stubborn.toHandle()), 500, 2_000));
            assertTrue(System.nanoTime() - started >= 500_000_000L, "gave SIGTERM its grace period");
            assertEquals(List.of(), Processes.stillRunningAfter(pids, 5));
        }
        finally
        {
            stubborn.descendants().forEach(ProcessHandle::destroyForcibly);
            stubborn.destroyForcibly();
        }
    }

    private static List<Long> awaitTree(final Process root, final int size) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (true)
        {
            final List<Long> pids = new ArrayList<>();
            pids.add(root.pid());
            root.descendants().forEach(p -> pids.add(p.pid()));
            if (pids.size() >= size || System.nanoTime() > deadline)
            {
                return pids;
            }
            Thread.sleep(20);
        }
    }
}
