package dev.ringfold.hpctests.reliability;

import dev.ringfold.testsupport.Mpjrun;
import dev.ringfold.testsupport.Processes;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL of mpjrun, as a scheduler or a user delivers it, at start-up (the ranks' JVMs still starting), mid-job
 * (every rank past Ringfold.init, asleep) and mid-collective (all but rank 0 in a barrier): every rank must end by
 * itself, leave nothing in /dev/shm, and the job's secret directory must go, though mpjrun had no chance to clean up.
 * The time from the kill to the last rank's end is printed; the bound asserted is generous (the machine is shared),
 * and far below the ten minutes a rank that outlived its launcher would run.
 */
class LauncherDeathTest
{
    private static final int NP = 3;

    @ParameterizedTest
    @ValueSource(strings = {"start-up", "mid-job", "mid-collective"})
    @Timeout(240)
    void ranksDoNotOutliveASigkilledLauncher(final String when) throws Exception
    {
        final Mpjrun.Running job = Mpjrun.start(NP, "auto", List.of(), List.of(), 120, LauncherDeathRanks.class,
            when.equals("mid-collective") ? "collective" : "sleep");
        final List<ProcessHandle> ranks = new ArrayList<>();
        for (int r = 0; r < NP; r++)
        {
            ranks.add(ProcessHandle.of(job.rankPid(r, 60)).orElseThrow());
        }
        final String jobId = Processes.environment(ranks.get(0).pid(), "RINGFOLD_JOB_ID");
        final Path secret = Path.of(Processes.environment(ranks.get(0).pid(), "RINGFOLD_SECRET_FILE"));
        if (!when.equals("start-up"))
        {
            final long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (job.stdoutSoFar().lines().filter(l -> l.matches(".*orphan: rank \\d+ ready")).count() < NP)
            {
                assertTrue(System.nanoTime() < readyBy, "the job did not start: " + job.stderrSoFar());
                Thread.sleep(50);
            }
        }
        final long killedAt = System.nanoTime();
        assertTrue(job.launcher().destroyForcibly()); // SIGKILL
        final long deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
        while (ranks.stream().anyMatch(Processes::running) && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        final long ms = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.println("launcher-death " + when + ": every rank gone " + ms + " ms after SIGKILL of mpjrun");
        try
        {
            assertFalse(ranks.stream().anyMatch(Processes::running), "ranks still running " + ms + " ms after " +
                "mpjrun was killed " + when);
            // ranks past the bootstrap notice through their lifeline at once; JVMs still starting notice when they
            // reach Ringfold.init, which on a loaded machine takes seconds
            assertTrue(ms < (when.equals("start-up") ? 30_000 : 20_000), ms + " ms");
            assertEquals(List.of(), FaultInjectionTest.shmFilesOf(jobId));
            final long secretBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (Files.exists(secret.getParent()) && System.nanoTime() < secretBy)
            {
                Thread.sleep(20);
            }
            assertFalse(Files.exists(secret.getParent()), "the secret directory " + secret.getParent() + " is left");
        }
        finally
        {
            ranks.forEach(ProcessHandle::destroyForcibly);
            job.await();
        }
    }
}
