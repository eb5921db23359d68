package dev.ringfold.mpi.bootstrap;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchEnvironmentTest
{
    @Test
    void ringfoldLauncherComesFirst()
    {
        final JobInfo job = LaunchEnvironment.detect(Map.of("RINGFOLD_RANK", "2", "RINGFOLD_SIZE", "4",
            "RINGFOLD_JOB_ID", "j1-abc", "RINGFOLD_RENDEZVOUS", "127.0.0.1:4000", "RINGFOLD_DEV", "tcp",
            "SLURM_PROCID", "0", "SLURM_STEP_ID", "0", "SLURM_NTASKS", "9"));
        assertEquals(new JobInfo(2, 4, "j1-abc", "127.0.0.1", 4000, false, "tcp", "ringfold"), job);
    }

    @Test
    void slurmStepMeetsOnTheFirstNodeAtAPortEveryRankDerivesAlike()
    {
        final Map<String, String> env = Map.of("SLURM_PROCID", "3", "SLURM_NTASKS", "6", "SLURM_JOB_ID", "77",
            "SLURM_STEP_ID", "1", "SLURM_STEP_NODELIST", "node[03-05,9],gpu1");
        final JobInfo a = LaunchEnvironment.detect(env);
        assertEquals(3, a.rank());
        assertEquals(6, a.size());
        assertEquals("node03", a.rendezvousHost());
        assertEquals("slurm77.1", a.jobId());
        assertFalse(a.hostsRendezvous());
        assertTrue(a.rendezvousPort() >= 20_000 && a.rendezvousPort() < 40_000);
        final JobInfo zero = LaunchEnvironment.detect(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "6",
            "SLURM_JOB_ID", "77", "SLURM_STEP_ID", "1", "SLURM_STEP_NODELIST", "node[03-05,9],gpu1"));
        assertEquals(a.rendezvousPort(), zero.rendezvousPort());
        assertTrue(zero.hostsRendezvous());
    }

    @Test
    void slurmReservedPortsWin()
    {
        final JobInfo job = LaunchEnvironment.detect(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "2",
            "SLURM_JOB_ID", "5", "SLURM_STEP_ID", "0", "SLURM_STEP_NODELIST", "n1", "SLURM_STEP_RESV_PORTS", "12000-12003"));
        assertEquals(12000, job.rendezvousPort());
        assertEquals("n1", job.rendezvousHost());
    }

    @Test
    void theSlurmBatchShellIsNotARank()
    {
        // sbatch's shell has SLURM_PROCID=0 but no step: it must not think it is rank 0 of SLURM_NTASKS
        final JobInfo job = LaunchEnvironment.detect(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "4", "SLURM_JOB_ID", "5"));
        assertEquals("singleton", job.launcher());
        assertEquals(1, job.size());
    }

    @Test
    void openMpi()
    {
        final JobInfo job = LaunchEnvironment.detect(Map.of("OMPI_COMM_WORLD_RANK", "1", "OMPI_COMM_WORLD_SIZE", "2",
            "OMPI_COMM_WORLD_LOCAL_SIZE", "2", "OMPI_MCA_ess_base_jobid", "2815819777"));
        assertEquals(1, job.rank());
        assertEquals("openmpi", job.launcher());
        assertEquals("127.0.0.1", job.rendezvousHost());
        assertEquals("ompi2815819777", job.jobId());
    }

    @Test
    void torchrunStyle()
    {
        final JobInfo job = LaunchEnvironment.detect(Map.of("MASTER_ADDR", "10.1.2.3", "MASTER_PORT", "29500",
            "RANK", "0", "WORLD_SIZE", "8"));
        assertEquals(new JobInfo(0, 8, "torch29500", "10.1.2.3", 29500, true, "auto", "torchrun"), job);
    }

    @Test
    void nothingMeansAWorldOfOne()
    {
        final JobInfo job = LaunchEnvironment.detect(Map.of());
        assertEquals(0, job.rank());
        assertEquals(1, job.size());
        assertEquals("singleton", job.launcher());
    }

    @Test
    void badEnvironmentIsNamed()
    {
        final Map<String, String> base = Map.of("RINGFOLD_SIZE", "4", "RINGFOLD_JOB_ID", "j",
            "RINGFOLD_RENDEZVOUS", "h:1");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LaunchEnvironment.detect(with(base, "RINGFOLD_RANK", "x")))
            .getMessage().contains("RINGFOLD_RANK='x' is not an integer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LaunchEnvironment.detect(with(base, "RINGFOLD_RANK", "4")))
            .getMessage().contains("rank 4 is outside [0, 4)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LaunchEnvironment.detect(
            Map.of("RINGFOLD_RANK", "0", "RINGFOLD_SIZE", "4", "RINGFOLD_JOB_ID", "j", "RINGFOLD_RENDEZVOUS", "nohost")))
            .getMessage().contains("is not host:port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LaunchEnvironment.detect(
            Map.of("RINGFOLD_RANK", "0", "RINGFOLD_SIZE", "4", "RINGFOLD_JOB_ID", "j", "RINGFOLD_RENDEZVOUS", "h:1",
                "RINGFOLD_DEV", "niodev"))).getMessage().contains("device 'niodev' is not one of auto, shm, tcp"));
    }

    @Test
    void slurmHostLists()
    {
        assertEquals("a", LaunchEnvironment.firstHost("a,b"));
        assertEquals("n7", LaunchEnvironment.firstHost("n[7-9]"));
        assertEquals("x", LaunchEnvironment.firstHost("x,n[1-2]"));
        assertEquals("node001", LaunchEnvironment.firstHost("node[001,005]"));
    }

    private static Map<String, String> with(final Map<String, String> base, final String k, final String v)
    {
        final java.util.HashMap<String, String> m = new java.util.HashMap<>(base);
        m.put(k, v);
        return m;
    }
}
