package dev.ringfold.hpctests.reliability;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault-injection suite for the two kinds of training that are not all-reduce data parallelism
 * (docs/reliability.md, "Parameter servers and pipelines under failure"), with real SIGKILLs:
 * <ul>
 * <li>a pipeline stage dies: every other stage's step fails within seconds, naming the dead stage and its world rank
 * (also a stage that talks only to live stages, also over TCP), mpjrun ends the job, nothing is left;</li>
 * <li>a parameter-server worker dies: the servers drop it, the other workers finish every step; synchronous: the
 * parameters are exactly the mean over the survivors' gradients from the death on; asynchronous (staleness 1): the
 * survivors are not held back by the dead worker;</li>
 * <li>a parameter server with two replicas dies (killed from outside, mid-run): the workers finish on the other
 * replica with the parameters of a run without failure.</li>
 * </ul>
 * The parameter-server jobs run under {@code mpjrun --elastic MIN:MAX} so that the launcher lets the survivors
 * finish.
 */
class TrainingFaultTest
{
    private static final int STAGES = 4;
    private static final long DETECT_BOUND_MS = 10_000;
    private static final Pattern WORKER_DONE = Pattern.compile(
        "ps: worker (\\d+) done (\\d+) steps, dead servers (\\d+), params ([0-9a-f,:crc]+)");
    private static final Pattern STEP = Pattern.compile("ps: worker (\\d+) step (\\d+) at (\\d+)");
    private static final Pattern EXPECTED = Pattern.compile("ps: worker (\\d+) expected-difference (\\S+)");
    private static final Pattern SERVER = Pattern.compile(
        "ps: server rank (\\d+) shard (\\d+) replica (\\d+) updates (\\d+) dead-workers (\\d+) values ([0-9a-f,:crc]+)");

    @ParameterizedTest(name = "{0} {1} stage {2} dies")
    @CsvSource({"shm, ONE_F_ONE_B, 1", "shm, GPIPE, 2", "shm, ONE_F_ONE_B, 3", "tcp, ONE_F_ONE_B, 1"})
    @Timeout(120)
    void everyStageFailsNamingTheDeadStage(final String dev, final String schedule, final int victim) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(STAGES, dev, List.of(), 60, PipelineFaultRanks.class, schedule,
            Integer.toString(victim), "3", "200");
        final String out = r.stdout();
        assertEquals(128 + 9, r.exitCode(), r::toString);
        assertTrue(Pattern.compile("mpjrun: rank " + victim + " \\(pid \\d+\\) was killed by signal 9 \\(SIGKILL\\)")
            .matcher(r.stderr()).find(), r::toString);
        final Matcher killed = FaultInjectionTest.KILLED_AT.matcher(out);
        assertTrue(killed.find(), r::toString);
        final long deathMillis = Long.parseLong(killed.group(2));
        final Matcher detected = FaultInjectionTest.DETECTED.matcher(out);
        final boolean[] noticed = new boolean[STAGES];
        final StringBuilder times = new StringBuilder();
        while (detected.find())
        {
            final int rank = Integer.parseInt(detected.group(1));
            final long millis = Long.parseLong(detected.group(3)) - deathMillis;
            noticed[rank] = true;
            times.append(' ').append(rank).append(':').append(millis).append("ms");
            assertEquals("PeerFailedException", detected.group(5), r::toString);
            // the dead stage itself, however this stage learnt of it (its own transfer, a member's death, a
            // neighbour's stop message): never a survivor that gave up before it
            assertTrue(detected.group(6).startsWith(" (world rank " + victim + ")"), r::toString);
            assertTrue(detected.group(6).contains("stage " + victim + " (world rank " + victim + ") has failed"),
                r::toString);
            assertTrue(detected.group(6).contains("pipeline stage " + rank + " of " + STAGES), r::toString);
            assertTrue(millis < DETECT_BOUND_MS, () -> "rank " + rank + " took " + millis + " ms\n" + r);
        }
        for (int rank = 0; rank < STAGES; rank++)
        {
            assertTrue(rank == victim || noticed[rank], "stage " + rank + " reported no error\n" + r);
        }
        System.out.println("pipeline-detect: dev=" + dev + " schedule=" + schedule + " victim stage " + victim +
            " (ms after the kill):" + times);
        assertNothingLeft(r);
    }

    @Test
    @Timeout(180)
    void aRestartIsThePipelinesWayBack() throws Exception
    {
        final Mpjrun.Result r = Mpjrun.start(STAGES, "shm", List.of(), List.of("--max-restarts", "1"), 60,
            PipelineFaultRanks.class, "ONE_F_ONE_B", "2", "3", "20").await();
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("restart 1 of 1"), r::toString);
        // the first run: every survivor named stage 2; the second: every stage ran all its steps
        assertEquals(STAGES - 1, r.count("in pipeline-step: PeerFailedException (world rank 2)"), r::toString);
        for (int stage = 0; stage < STAGES; stage++)
        {
            assertTrue(r.stdout().contains("pipeline: stage " + stage + " finished 20 steps (restart 1)"),
                r::toString);
        }
        final Matcher jobs = FaultInjectionTest.JOB.matcher(r.stdout());
        while (jobs.find())
        {
            assertEquals(List.of(), FaultInjectionTest.shmFilesOf(jobs.group(1)), r::toString);
        }
    }

    @ParameterizedTest(name = "{0}, {1} shard(s) × {2} replica(s)")
    @CsvSource({"sync, 1, 1", "sync, 1, 2", "sync, 2, 2", "async, 1, 1", "async, 2, 1"})
    @Timeout(180)
    void parameterServersDropADeadWorkerAndTheOthersFinish(final String mode, final int shards, final int replicas)
        throws Exception
    {
        final int workers = 3;
        final int np = workers + shards * replicas;
        final int steps = 30;
        final int killAt = 5;
        final int victim = 1;
        final Mpjrun.Result r = Mpjrun.start(np, "shm", List.of(), elastic(np), 120,
            ParameterServerFaultRanks.class, mode, Integer.toString(shards), Integer.toString(replicas),
            Integer.toString(victim),
            Integer.toString(killAt), Integer.toString(steps), "20").await();
        final String out = r.stdout();
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(out.contains("fault: rank " + victim + " killing itself"), r::toString);
        final Map<Integer, String> params = new HashMap<>();
        final Matcher done = WORKER_DONE.matcher(out);
        while (done.find())
        {
            assertEquals(steps, Integer.parseInt(done.group(2)), r::toString);
            params.put(Integer.parseInt(done.group(1)), done.group(4));
        }
        assertEquals(workers - 1, params.size(), () -> "every surviving worker finishes\n" + r);
        assertFalse(params.containsKey(victim), r::toString);
        final List<String[]> servers = servers(out);
        assertEquals(shards * replicas, servers.size(), r::toString);
        for (final String[] s : servers)
        {
            assertEquals("1", s[4], () -> "each server dropped the dead worker\n" + r);
            final long updates = Long.parseLong(s[3]);
            if (mode.equals("sync"))
            {
                assertEquals(steps, updates, () -> "one update per step\n" + r);
            }
            else
            {
                // one update per push: the survivors' every step and the victim's steps up to its death
                assertEquals((long)(workers - 1) * steps + killAt + 1, updates, r::toString);
            }
        }
        if (mode.equals("sync"))
        {
            // the survivors hold the same bits, those of the servers (the shards end to end; replicas alike), and
            // the arithmetic of a mean over whoever pushed
            assertEquals(1, params.values().stream().distinct().count(), r::toString);
            for (int replica = 0; replica < replicas; replica++)
            {
                final StringBuilder joined = new StringBuilder();
                for (int shard = 0; shard < shards; shard++)
                {
                    for (final String[] s : servers)
                    {
                        if (s[1].equals(Integer.toString(shard)) && s[2].equals(Integer.toString(replica)))
                        {
                            joined.append(joined.isEmpty() ? "" : ",").append(s[5]);
                        }
                    }
                }
                final int rep = replica;
                assertEquals(params.values().iterator().next(), joined.toString(),
                    () -> "replica " + rep + "'s shards = the workers' parameters\n" + r);
            }
            final Matcher expected = EXPECTED.matcher(out);
            int checked = 0;
            while (expected.find())
            {
                final double d = Double.parseDouble(expected.group(2));
                assertTrue(d <= 1e-5, () -> "relative difference " + d + " to the mean over survivors\n" + r);
                checked++;
            }
            assertEquals(workers - 1, checked, r::toString);
        }
        System.out.println("ps-detect: " + mode + " " + shards + "x" + replicas + ": the survivors' first step " +
            "after the kill ended " + firstStepAfter(out, victim, killAt + 1, killedAt(out)) + " ms after it");
        assertNothingLeft(r);
    }

    private static long killedAt(final String out)
    {
        final Matcher killed = FaultInjectionTest.KILLED_AT.matcher(out);
        assertTrue(killed.find(), out);
        return Long.parseLong(killed.group(2));
    }

    /**
     * Milliseconds from {@code sinceMillis} to the first step (from {@code fromStep} on) that a worker other than
     * {@code victim} ended after it.
     */
    private static long firstStepAfter(final String out, final int victim, final int fromStep, final long sinceMillis)
    {
        final Matcher m = STEP.matcher(out);
        long first = Long.MAX_VALUE;
        while (m.find())
        {
            final long at = Long.parseLong(m.group(3));
            if (Integer.parseInt(m.group(1)) != victim && Integer.parseInt(m.group(2)) >= fromStep && at > sinceMillis)
            {
                first = Math.min(first, at);
            }
        }
        assertTrue(first != Long.MAX_VALUE, "no step after " + sinceMillis + "\n" + out);
        return first - sinceMillis;
    }

    @Test
    @Timeout(240)
    void aWorkerKilledAnywhereLeavesTheReplicasAlike() throws Exception
    {
        // 5 MiB pushes (1.28 M parameters), killed from outside wherever it is: inside a push, between its push to
        // one replica and the other, waiting for parameters; the replicas must still sum the same pushes
        final int workers = 3;
        final int np = workers + 2;
        final int steps = 40;
        final Mpjrun.Running job = Mpjrun.start(np, "shm", List.of(), elastic(np), 180,
            ParameterServerFaultRanks.class, "sync", "1", "2", "-1", "-1", Integer.toString(steps), "0", "20000");
        killWhen(job, 1, "ps: worker 0 step 8 ");
        final Mpjrun.Result r = job.await();
        final String out = r.stdout();
        assertEquals(0, r.exitCode(), r::toString);
        final List<String> params = new ArrayList<>();
        final Matcher done = WORKER_DONE.matcher(out);
        while (done.find())
        {
            assertEquals(steps, Integer.parseInt(done.group(2)), r::toString);
            params.add(done.group(4));
        }
        assertEquals(workers - 1, params.size(), r::toString);
        assertEquals(1, params.stream().distinct().count(), r::toString);
        final List<String[]> servers = servers(out);
        assertEquals(2, servers.size(), r::toString);
        for (final String[] s : servers)
        {
            assertEquals(Integer.toString(steps), s[3], r::toString);
            assertEquals("1", s[4], r::toString);
            assertEquals(params.get(0), s[5], () -> "replica " + s[2] + " = the workers' parameters\n" + r);
        }
        assertNothingLeft(r);
    }

    @Test
    @Timeout(180)
    void aReplicatedServerDiesAndTheWorkersGoOnWithTheOtherReplica() throws Exception
    {
        final int workers = 2;
        final int replicas = 2;
        final int np = workers + replicas;
        final int steps = 60;
        final int victim = workers; // replica 0 of the only shard
        final Mpjrun.Running job = Mpjrun.start(np, "shm", List.of(), elastic(np), 120,
            ParameterServerFaultRanks.class, "sync", "1", Integer.toString(replicas), "-1", "-1",
            Integer.toString(steps), "25");
        final long killedAt = killWhen(job, victim, "ps: worker 0 step 10 ");
        final Mpjrun.Result r = job.await();
        final String out = r.stdout();
        assertEquals(0, r.exitCode(), r::toString);
        System.out.println("ps-detect: server replica killed: the workers' first step after the kill ended " +
            firstStepAfter(out, -1, 0, killedAt) + " ms after it");
        final Matcher done = WORKER_DONE.matcher(out);
        final List<String> params = new ArrayList<>();
        while (done.find())
        {
            assertEquals(steps, Integer.parseInt(done.group(2)), r::toString);
            assertEquals("1", done.group(3), () -> "each worker stopped using the dead replica\n" + r);
            params.add(done.group(4));
        }
        assertEquals(workers, params.size(), r::toString);
        assertEquals(1, params.stream().distinct().count(), r::toString);
        final List<String[]> servers = servers(out);
        assertEquals(1, servers.size(), () -> "only the surviving replica reports\n" + r);
        assertEquals("1", servers.get(0)[2], r::toString);
        assertEquals(Integer.toString(steps), servers.get(0)[3], r::toString);
        assertEquals(params.get(0), servers.get(0)[5], r::toString);
        // the death changed nothing in the arithmetic: a run without failure ends with the same parameters
        final Matcher expected = EXPECTED.matcher(out);
        int checked = 0;
        while (expected.find())
        {
            assertTrue(Double.parseDouble(expected.group(2)) <= 1e-5, r::toString);
            checked++;
        }
        assertEquals(workers, checked, r::toString);
        assertNothingLeft(r);
    }

    @Test
    @Timeout(180)
    void everyReplicaOfAShardDeadIsAClearError() throws Exception
    {
        // one replica: its death ends the workers' training with a message naming the shard and the dead rank
        final int np = 3;
        final Mpjrun.Running job = Mpjrun.start(np, "shm", List.of(), List.of(), 120,
            ParameterServerFaultRanks.class, "sync", "1", "1", "-1", "-1", "400", "25");
        final long killedAt = killWhen(job, 2, "ps: worker 0 step 5 ");
        final Mpjrun.Result r = job.await();
        assertEquals(128 + 9, r.exitCode(), r::toString);
        for (int w = 0; w < 2; w++)
        {
            assertTrue(r.stdout().contains("ps: rank " + w + " failed: PeerFailedException: rank " + w + " of WORLD: " +
                "data-parallel (parameter server): every server holding parameter shard 0 of 1 has failed (it has no " +
                "replica): rank 2 (world rank 2): "), r::toString);
        }
        assertTrue(r.millis() < 60_000, r::toString);
        System.out.println("ps-server-death: job ended " + (System.currentTimeMillis() - killedAt) +
            " ms after the kill");
        assertNothingLeft(r);
    }

    /** SIGKILLs a rank (from outside, wherever it is) once the job's output shows {@code line}; returns when. */
    private static long killWhen(final Mpjrun.Running job, final int rank, final String line) throws Exception
    {
        final long pid = job.rankPid(rank, 60);
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!job.stdoutSoFar().contains(line) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        final long killedAt = System.currentTimeMillis();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false), "SIGKILL rank " + rank +
            " (pid " + pid + ")");
        return killedAt;
    }

    /** The launcher lets the survivors of a death finish while np - 1 live. */
    private static List<String> elastic(final int np)
    {
        return List.of("--elastic", (np - 1) + ":" + np);
    }

    private static List<String[]> servers(final String out)
    {
        final List<String[]> servers = new ArrayList<>();
        final Matcher m = SERVER.matcher(out);
        while (m.find())
        {
            servers.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)});
        }
        return servers;
    }

    /** No rank's JVM is left, nothing of the job is left in /dev/shm. */
    private static void assertNothingLeft(final Mpjrun.Result r) throws Exception
    {
        final Matcher summary = FaultInjectionTest.SUMMARY.matcher(r.stderr());
        while (summary.find())
        {
            final long pid = Long.parseLong(summary.group(2));
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "pid " + pid + " still runs\n" + r);
        }
        final Matcher pids = Pattern.compile("fault: rank \\d+ pid (\\d+) job").matcher(r.stdout());
        while (pids.find())
        {
            final long pid = Long.parseLong(pids.group(1));
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "pid " + pid + " still runs\n" + r);
        }
        final Matcher job = FaultInjectionTest.JOB.matcher(r.stdout());
        assertTrue(job.find(), r::toString);
        assertEquals(List.of(), FaultInjectionTest.shmFilesOf(job.group(1)), r::toString);
    }
}
