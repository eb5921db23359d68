package dev.ringfold.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class SlurmAllocationTest
{
    @TempDir
    Path tmp;

    private static final Map<String, String> BATCH = Map.of("SLURM_JOB_ID", "42", "SLURM_JOB_NODELIST", "n[1-3]",
        "SLURM_TASKS_PER_NODE", "2(x3)", "SLURMD_NODENAME", "n1", "SLURM_PROCID", "0", "SLURM_NTASKS", "6");

    @Test
    void hostListsAndTaskCountsExpandAsSlurmWritesThem() throws Exception
    {
        assertEquals(List.of("n1", "n2", "n3", "n7", "gpu08", "gpu09", "gpu10", "login"),
            SlurmAllocation.expandHostList("n[1-3,7],gpu[08-10],login"));
        assertEquals(List.of("r1-a1", "r1-a2", "r2-a1", "r2-a2"), SlurmAllocation.expandHostList("r[1-2]-a[1-2]"));
        assertEquals(List.of(2, 2, 2, 1), SlurmAllocation.expandCounts("2(x3),1"));
        assertEquals("cannot read the Slurm host list 'n[1-3'",
            assertThrows(UsageException.class, () -> SlurmAllocation.expandHostList("n[1-3")).getMessage());
        assertEquals("cannot read '3-1' in the Slurm host list 'n[3-1]'",
            assertThrows(UsageException.class, () -> SlurmAllocation.expandHostList("n[3-1]")).getMessage());
        assertEquals("cannot read '2(x' in the Slurm task counts '2(x'",
            assertThrows(UsageException.class, () -> SlurmAllocation.expandCounts("2(x")).getMessage());
    }

    @Test
    void onlyABatchScriptOrAllocationShellIsAnAllocationNotAJobStep() throws Exception
    {
        final SlurmAllocation a = SlurmAllocation.detect(BATCH);
        assertEquals(new SlurmAllocation("42", List.of("n1", "n2", "n3"), List.of(2, 2, 2), "n1"), a);
        final Map<String, String> step = new java.util.HashMap<>(BATCH);
        step.put("SLURM_STEP_ID", "0");
        assertNull(SlurmAllocation.detect(step), "inside a step, mpjrun stays on its node");
        assertNull(SlurmAllocation.detect(Map.of()));
    }

    @Test
    void ranksFillEachNodesTasksInNodeOrderAndGoRoundWhenOversubscribed() throws Exception
    {
        final SlurmPlacement placement = new SlurmPlacement(SlurmAllocation.detect(BATCH));
        assertEquals(List.of(new RankSlot(0, "n1", 0), new RankSlot(1, "n1", 1), new RankSlot(2, "n2", 0),
            new RankSlot(3, "n2", 1), new RankSlot(4, "n3", 0), new RankSlot(5, "n3", 1), new RankSlot(6, "n1", 2)),
            placement.place(7));
        assertEquals("n1", placement.rendezvousHost());
        assertEquals("0.0.0.0", placement.rendezvousBindHost());
    }

    @Test
    void dryRunInsideAnAllocationShowsOneSrunStepPerRankWithTheSecretHidden()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = MpjRun.run(new String[] {"-np", "3", "-cp", "/app", "--dry-run", "Main"}, tmp, BATCH,
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        final List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        final String[] node = {"n1", "n1", "n2"};
        for (int rank = 0; rank < 3; rank++)
        {
            final String line = lines.get(rank);
            assertTrue(line.startsWith("env RINGFOLD_RANK=" + rank + " RINGFOLD_SIZE=3 RINGFOLD_JOB_ID=j"), line);
            assertTrue(line.contains(" 'RINGFOLD_RENDEZVOUS=n1:<port>' "), line);
            assertTrue(line.contains(" 'RINGFOLD_SECRET=<job secret>' srun --nodes=1 --ntasks=1 --nodelist=" +
                node[rank] + " --overlap --kill-on-bad-exit=1 --export=ALL --job-name=ringfold-rank-" + rank + " "), line);
            assertTrue(!line.contains("SECRET_FILE"), "a file under this node's /tmp is useless elsewhere: " + line);
            assertTrue(line.endsWith(" Main"), line);
        }
    }
}
