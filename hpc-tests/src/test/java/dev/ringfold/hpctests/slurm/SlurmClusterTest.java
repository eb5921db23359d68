package dev.ringfold.hpctests.slurm;

import dev.ringfold.hpctests.NamespaceHosts;
import dev.ringfold.testsupport.Checkout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ringfold under a real Slurm: three nodes, each a slurmd in a network namespace of its own
 * ({@code hpc-tests/slurm/cluster-up.sh}), jobs submitted from a fourth ("head") namespace. Checks the shipped
 * {@code examples/slurm/allreduce.sbatch} (3 nodes x 2 tasks: ranks of one node on shared memory, of different
 * nodes on TCP, the sum right, the job COMPLETED) and a bare {@code srun -n 4 java ...}.
 */
class SlurmClusterTest
{
    private static final NamespaceHosts CLUSTER = new NamespaceHosts("slurm", "RINGFOLD_SLURM_DIR");
    private static final Path DIR = CLUSTER.dir();
    private static final Pattern LINE = Pattern.compile(
        "^rank (\\d) of (\\d) on (n\\d) \\((\\w+) launch\\): transports((?: \\d=(?:shm|tcp))+); all-reduce ok .*$");
    private static final long JOB_LIMIT_S = 240;

    @BeforeAll
    static void clusterUp() throws Exception
    {
        CLUSTER.up("cluster-up.sh", "the Slurm test cluster needs root (network namespaces, daemons)");
    }

    @AfterAll
    static void clusterDown() throws Exception
    {
        CLUSTER.down("cluster-down.sh");
    }

    @Test
    @Timeout(300)
    void sbatchAllReduceAcrossThreeNodesCompletesWithShmInsideAndTcpAcrossNodes() throws Exception
    {
        final String text = completedJob(List.of(Checkout.ROOT.resolve("examples/slurm/allreduce.sbatch").toString(),
            "20000"));
        assertTrue(text.lines().noneMatch(l -> l.contains("has no secret")), "the sbatch script sets a secret:\n" + text);
        assertShmInsideNodesTcpAcross(text, "slurm");
    }

    @Test
    @Timeout(300)
    void mpjrunInsideAnAllocationPlacesTheRanksWithSrun() throws Exception
    {
        final String text = completedJob("""
                #!/bin/bash
                #SBATCH --nodes=3
                #SBATCH --ntasks-per-node=2
                #SBATCH --time=4
                # the batch script is no rank: mpjrun sees the allocation and starts one srun step per rank
                exec "$RINGFOLD_HOME/bin/mpjrun" -np 6 --no-tag-output --timeout 200 \\
                  -cp "$RINGFOLD_HOME/build/lib/*" dev.ringfold.examples.AllReduceCheck 20000
                """);
        assertTrue(text.lines().noneMatch(l -> l.contains("has no secret")), "mpjrun hands srun a secret:\n" + text);
        assertShmInsideNodesTcpAcross(text, "ringfold");
    }

    /**
     * Growing back under Slurm (issue 16 item 3): mpjrun inside a 3-node allocation, one rank per node (so every
     * pair talks TCP), --elastic with a replacement; rank 1 SIGKILLs itself after a barrier; mpjrun starts its
     * replacement as a job step with srun on the dead rank's node, which joins the survivors over TCP and takes rank
     * 1's place ({@link dev.ringfold.hpctests.reliability.RegrowRanks}: greetings both ways, 2 MiB around WORLD).
     */
    @Test
    @Timeout(300)
    void mpjrunInsideAnAllocationReplacesADeadRankWithSrunOnItsNode() throws Exception
    {
        final String text = regrow(1, 3, 1, 0);
        assertTrue(text.contains("starting a replacement for rank 1 (incarnation 1, 1 of 1 replacements)\n"), text);
        assertEquals(nodeOf(text, 1, 0), nodeOf(text, 1, 1), "the replacement runs on the dead rank's node:\n" + text);
        assertRegrown(text, 3, 1, Map.of(0, "tcp", 2, "tcp"));
    }

    /**
     * A replacement that never joins on the dead rank's node (it SIGKILLs itself before its runtime starts, as on a
     * node that cannot run it) is replaced on the node with the most room: 4 ranks, two on each of n1 and n2, rank 1
     * dies, its first replacement dies on n1, the second is an srun step on n3 and joins over TCP, rank 0 included,
     * which reached rank 1 over shared memory before.
     */
    @Test
    @Timeout(300)
    void aReplacementThatNeverJoinedIsReplacedOnANodeWithRoom() throws Exception
    {
        final String text = regrow(2, 4, 2, 1);
        assertTrue(text.contains("regrow: replacement incarnation 1 dies before it joins"), text);
        final String dead = nodeOf(text, 1, 0);
        assertTrue(text.contains("starting a replacement for rank 1 (incarnation 1, 1 of 2 replacements)\n"), text);
        assertTrue(text.contains("starting a replacement for rank 1 (incarnation 2, 2 of 2 replacements) on n3, as " +
            "incarnation 1 never joined on " + dead), text);
        assertEquals("n3", nodeOf(text, 1, 2), text);
        assertRegrown(text, 4, 2, Map.of(0, "tcp", 2, "tcp", 3, "tcp"));
    }

    /** Runs RegrowRanks (victim 1) inside an allocation of 3 nodes; returns the job's output once it COMPLETED. */
    private static String regrow(final int tasksPerNode, final int np, final int replacements, final int dying)
        throws Exception
    {
        return completedJob("""
                #!/bin/bash
                #SBATCH --nodes=3
                #SBATCH --ntasks-per-node=%d
                #SBATCH --time=4
                exec "$RINGFOLD_HOME/bin/mpjrun" -np %d --no-tag-output --timeout 200 --elastic 2:%d \\
                  --max-replacements %d \\
                  -cp "$RINGFOLD_HOME/hpc-tests/target/test-classes:$RINGFOLD_HOME/build/lib/*" \\
                  dev.ringfold.hpctests.reliability.RegrowRanks 1 %d 60
                """.formatted(tasksPerNode, np, np, replacements, dying));
    }

    /**
     * Submits a batch script written here, run with the cluster's host names (JAVA_TOOL_OPTIONS); returns the job's
     * output once it COMPLETED.
     */
    private static String completedJob(final String script) throws Exception
    {
        final Path file = Files.createTempFile("ringfold", ".sbatch");
        try
        {
            Files.writeString(file, script);
            return completedJob(List.of("--export=ALL,JAVA_TOOL_OPTIONS=-Djdk.net.hosts.file=" + DIR.resolve("hosts"),
                file.toString()));
        }
        finally
        {
            Files.delete(file);
        }
    }

    /**
     * {@code sbatch --parsable} on the head node with these arguments (options, the script, its arguments) and the
     * job's output in a folder of its own; waits for the job to end and returns its output once it COMPLETED.
     */
    private static String completedJob(final List<String> sbatchArguments) throws Exception
    {
        final Path out = Files.createTempDirectory("ringfold-sbatch");
        try
        {
            final List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--output=" + out.resolve("%j.out")));
            cmd.addAll(sbatchArguments);
            final NamespaceHosts.Result submit = onHead(cmd, 60);
            assertEquals(0, submit.exit(), "sbatch failed:\n" + submit.output());
            final String jobId = submit.output().strip().split(";")[0];
            assertTrue(jobId.matches("\\d+"), "sbatch --parsable said: " + submit.output());
            final String state = awaitEnd(jobId);
            final Path log = out.resolve(jobId + ".out");
            final String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no output file)";
            assertEquals("COMPLETED", state, "job " + jobId + " output:\n" + text);
            return text;
        }
        finally
        {
            try (var files = Files.list(out))
            {
                for (final Path f : files.toList())
                {
                    Files.delete(f);
                }
            }
            Files.delete(out);
        }
    }

    /** The Slurm node an incarnation of a rank ran on, as it said. */
    private static String nodeOf(final String text, final int rank, final int incarnation)
    {
        final Matcher m = Pattern.compile("regrow: rank " + rank + " incarnation " + incarnation +
            " pid \\d+ job \\S+ on (n\\d)").matcher(text);
        assertTrue(m.find(), "no node of rank " + rank + " incarnation " + incarnation + ":\n" + text);
        return m.group(1);
    }

    /** Rank 1's replacement greeted every survivor and was answered, each way as given; 2 MiB went round WORLD. */
    private static void assertRegrown(final String text, final int np, final int incarnation,
        final Map<Integer, String> via)
    {
        for (final Map.Entry<Integer, String> survivor : via.entrySet())
        {
            assertTrue(text.contains("regrow: rank " + survivor.getKey() + " greeted by rank 1 incarnation " +
                incarnation + " via " + survivor.getValue()), text);
            assertTrue(text.contains("regrow: rank 1 incarnation " + incarnation + " answered by rank " +
                survivor.getKey() + " via " + survivor.getValue()), text);
        }
        for (int rank = 0; rank < np; rank++)
        {
            final int previous = (rank + np - 1) % np;
            assertTrue(text.contains("regrow: rank " + rank + " ring ok from rank " + previous + " incarnation " +
                (previous == 1 ? incarnation : 0)), text);
        }
    }

    /** Six ranks, two on each of three nodes, each with a right sum, shm to its node's other rank, tcp to the rest. */
    private static void assertShmInsideNodesTcpAcross(final String text, final String launcher)
    {
        final Map<Integer, String> nodeOf = new HashMap<>();
        final Map<Integer, String> transports = new HashMap<>();
        for (final String line : text.lines().toList())
        {
            final Matcher m = LINE.matcher(line);
            if (m.matches())
            {
                assertEquals("6", m.group(2), line);
                assertEquals(launcher, m.group(4), line);
                nodeOf.put(Integer.parseInt(m.group(1)), m.group(3));
                transports.put(Integer.parseInt(m.group(1)), m.group(5).trim());
            }
        }
        assertEquals(6, nodeOf.size(), "every rank must report a right sum:\n" + text);
        assertEquals(3, nodeOf.values().stream().distinct().count(), "ranks on 3 nodes: " + nodeOf);
        for (int r = 0; r < 6; r++)
        {
            final List<String> expected = new ArrayList<>();
            for (int p = 0; p < 6; p++)
            {
                expected.add(p + "=" + (nodeOf.get(p).equals(nodeOf.get(r)) ? "shm" : "tcp"));
            }
            assertEquals(String.join(" ", expected), transports.get(r),
                "rank " + r + " on " + nodeOf.get(r) + " (nodes " + nodeOf + ")");
        }
    }

    @Test
    @Timeout(300)
    void srunStartsRingfoldRanksDirectly() throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> cmd = new ArrayList<>(List.of("srun", "--nodes=2", "--ntasks=4", "--kill-on-bad-exit=1",
            "--time=4", java));
        cmd.addAll(List.of(Files.readString(Checkout.ROOT.resolve("bin/jvm-flags")).trim().split("\\s+")));
        cmd.addAll(List.of("-Djdk.net.hosts.file=" + DIR.resolve("hosts"), "-cp", Checkout.ROOT.resolve("build/lib") + "/*",
            "dev.ringfold.examples.AllReduceCheck", "1000"));
        final NamespaceHosts.Result srun = onHead(cmd, JOB_LIMIT_S);
        assertEquals(0, srun.exit(), "srun failed:\n" + srun.output());
        final List<String> ok = srun.output().lines().filter(l -> LINE.matcher(l).matches()).toList();
        assertEquals(4, ok.size(), srun.output());
        // no RINGFOLD_SECRET here: the ranks fall back to the job-id key, and rank 0 says that this is not authentication
        assertTrue(srun.output().contains("is not authentication"), srun.output());
    }

    private static String awaitEnd(final String jobId) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(JOB_LIMIT_S);
        String state = "?";
        while (System.nanoTime() < deadline)
        {
            final NamespaceHosts.Result show = onHead(List.of("scontrol", "show", "job", jobId, "-o"), 30);
            final Matcher m = Pattern.compile("JobState=(\\w+)").matcher(show.output());
            if (m.find())
            {
                state = m.group(1);
                if (!List.of("PENDING", "CONFIGURING", "RUNNING", "COMPLETING").contains(state))
                {
                    return state;
                }
            }
            Thread.sleep(200); // squeue/scontrol polling ends ~10x sooner than sbatch --wait (its back-off)
        }
        onHead(List.of("scancel", jobId), 30);
        throw new AssertionError("job " + jobId + " still " + state + " after " + JOB_LIMIT_S + " s; cancelled");
    }

    private static NamespaceHosts.Result onHead(final List<String> cmd, final long limitS) throws Exception
    {
        final List<String> full = new ArrayList<>();
        full.add(DIR.resolve("bin/on-head").toString());
        full.addAll(cmd);
        return CLUSTER.run(full, Map.of("RINGFOLD_HOME", Checkout.ROOT.toString(),
            "JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "RINGFOLD_JAVA_OPTS", "-Djdk.net.hosts.file=" + DIR.resolve("hosts")), limitS);
    }
}
