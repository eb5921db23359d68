package dev.ringfold.mpi.bootstrap;

import java.util.Map;

/**
 * Turns a process environment into a {@link JobInfo}, trying in order: Ringfold's own launcher ({@code RINGFOLD_*}),
 * Slurm ({@code SLURM_*} of a job step), Open MPI's mpirun ({@code OMPI_COMM_WORLD_*}), torchrun-style
 * ({@code MASTER_ADDR/MASTER_PORT/RANK/WORLD_SIZE}), else a singleton world of one rank.
 * {@code RINGFOLD_RENDEZVOUS=host:port} and {@code RINGFOLD_DEV} override what the others imply.
 */
public final class LaunchEnvironment
{
    public static final String RANK = "RINGFOLD_RANK";
    public static final String SIZE = "RINGFOLD_SIZE";
    public static final String JOB_ID = "RINGFOLD_JOB_ID";
    public static final String RENDEZVOUS = "RINGFOLD_RENDEZVOUS";
    public static final String DEV = "RINGFOLD_DEV";
    public static final String LOCAL_RANK = "RINGFOLD_LOCAL_RANK";
    /**
     * Set by mpjrun --max-replacements on every rank: which incarnation of its rank it is, 0 for the ranks started
     * with the job, 1 for the first replacement of a dead rank, then 2, ...; absent where no replacement can come
     * (then a rank does not listen for one).
     */
    public static final String INCARNATION = "RINGFOLD_INCARNATION";

    private LaunchEnvironment()
    {
    }

    public static JobInfo detect(final Map<String, String> env)
    {
        final String device = env.getOrDefault(DEV, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        if (env.containsKey(RANK))
        {
            final int rank = intVar(env, RANK, "ringfold");
            final int size = intVar(env, SIZE, "ringfold");
            final String[] hp = hostPort(require(env, RENDEZVOUS, "ringfold"), RENDEZVOUS);
            return new JobInfo(rank, size, require(env, JOB_ID, "ringfold"), hp[0], Integer.parseInt(hp[1]),
                false, device, "ringfold");
        }
        if (env.containsKey("SLURM_PROCID") && env.containsKey("SLURM_STEP_ID") && env.containsKey("SLURM_NTASKS"))
        {
            final int rank = intVar(env, "SLURM_PROCID", "slurm");
            final int size = intVar(env, "SLURM_NTASKS", "slurm");
            final long job = Long.parseLong(require(env, "SLURM_JOB_ID", "slurm").trim());
            final long step = Long.parseLong(env.get("SLURM_STEP_ID").trim());
            final String nodes = env.getOrDefault("SLURM_STEP_NODELIST", env.getOrDefault("SLURM_NODELIST", "localhost"));
            String host = firstHost(nodes);
            int port = derivedPort(job * 1_000_003L + step);
            final String resv = env.get("SLURM_STEP_RESV_PORTS");
            if (resv != null && !resv.isBlank())
            {
                port = Integer.parseInt(resv.split("[-,]")[0].trim());
            }
            if (env.containsKey(RENDEZVOUS))
            {
                final String[] hp = hostPort(env.get(RENDEZVOUS), RENDEZVOUS);
                host = hp[0];
                port = Integer.parseInt(hp[1]);
            }
            return new JobInfo(rank, size, "slurm" + job + "." + step, host, port, rank == 0, device, "slurm");
        }
        if (env.containsKey("OMPI_COMM_WORLD_RANK"))
        {
            final int rank = intVar(env, "OMPI_COMM_WORLD_RANK", "openmpi");
            final int size = intVar(env, "OMPI_COMM_WORLD_SIZE", "openmpi");
            final String jobid = env.getOrDefault("OMPI_MCA_ess_base_jobid",
                env.getOrDefault("OMPI_MCA_orte_ess_jobid", "0")).trim();
            String host = "127.0.0.1";
            final String hnp = env.get("OMPI_MCA_orte_hnp_uri");
            final String localSize = env.get("OMPI_COMM_WORLD_LOCAL_SIZE");
            if (hnp != null && localSize != null && !localSize.trim().equals(String.valueOf(size)))
            {
                // ranks span hosts: meet where mpirun runs, which is where it places rank 0 first
                final int at = hnp.indexOf("tcp://");
                if (at >= 0)
                {
                    host = hnp.substring(at + 6).split("[,:;]")[0];
                }
            }
            int port = derivedPort(jobid.hashCode());
            if (env.containsKey(RENDEZVOUS))
            {
                final String[] hp = hostPort(env.get(RENDEZVOUS), RENDEZVOUS);
                host = hp[0];
                port = Integer.parseInt(hp[1]);
            }
            return new JobInfo(rank, size, "ompi" + jobid.replaceAll("[^A-Za-z0-9]", ""), host, port, rank == 0,
                device, "openmpi");
        }
        if (env.containsKey("MASTER_ADDR") && env.containsKey("RANK") && env.containsKey("WORLD_SIZE"))
        {
            final int rank = intVar(env, "RANK", "torchrun");
            final int size = intVar(env, "WORLD_SIZE", "torchrun");
            final int masterPort = intVar(env, "MASTER_PORT", "torchrun");
            // torchrun's agent serves its own store on MASTER_PORT; meet on the next port then
            final int port = env.containsKey("TORCHELASTIC_RUN_ID") ? masterPort + 1 : masterPort;
            final String jobId = env.containsKey("TORCHELASTIC_RUN_ID") ?
                "torch" + env.get("TORCHELASTIC_RUN_ID").replaceAll("[^A-Za-z0-9]", "") : "torch" + masterPort;
            if (env.containsKey(RENDEZVOUS))
            {
                final String[] hp = hostPort(env.get(RENDEZVOUS), RENDEZVOUS);
                return new JobInfo(rank, size, jobId, hp[0], Integer.parseInt(hp[1]), rank == 0, device, "torchrun");
            }
            return new JobInfo(rank, size, jobId, env.get("MASTER_ADDR"), port, rank == 0, device, "torchrun");
        }
        return new JobInfo(0, 1, "single" + ProcessHandle.current().pid(), "127.0.0.1", 0, true, device, "singleton");
    }

    /**
     * Slurm's name for this node ({@code SLURMD_NODENAME}), or null outside Slurm. Set in every Slurm task, also
     * of ranks that mpjrun started through srun, whatever launch path the rank then takes.
     */
    public static String nodeName(final Map<String, String> env, final JobInfo job)
    {
        final String name = env.get("SLURMD_NODENAME");
        return name == null || name.isBlank() ? null : name.trim();
    }

    /** A port in [20000, 40000) derived from a job's identity, so that every rank computes the same one. */
    static int derivedPort(final long key)
    {
        final long mixed = key * 0x9E3779B97F4A7C15L;
        return 20_000 + (int)Math.floorMod(mixed ^ (mixed >>> 29), 20_000L);
    }

    /** The first host of a Slurm host list such as {@code node[03-05,7],gpu1}. */
    static String firstHost(final String nodeList)
    {
        final String s = nodeList.trim();
        final int bracket = s.indexOf('[');
        final int comma = s.indexOf(',');
        if (bracket < 0 || (comma >= 0 && comma < bracket))
        {
            return comma < 0 ? s : s.substring(0, comma);
        }
        final String prefix = s.substring(0, bracket);
        final String first = s.substring(bracket + 1).split("[-,\\]]")[0];
        return prefix + first;
    }

    private static String require(final Map<String, String> env, final String name, final String launcher)
    {
        final String v = env.get(name);
        if (v == null || v.isBlank())
        {
            throw new IllegalArgumentException(launcher + " environment: " + name + " is not set");
        }
        return v.trim();
    }

    /** {@link #INCARNATION} of a rank started by Ringfold's launcher: 0 unless it replaces a dead rank. */
    public static int incarnation(final Map<String, String> env)
    {
        if (!env.containsKey(INCARNATION))
        {
            return 0;
        }
        final int incarnation = intVar(env, INCARNATION, "ringfold");
        if (incarnation < 0)
        {
            throw new IllegalArgumentException("ringfold environment: " + INCARNATION + "=" + incarnation +
                " must be >= 0");
        }
        return incarnation;
    }

    private static int intVar(final Map<String, String> env, final String name, final String launcher)
    {
        final String v = require(env, name, launcher);
        try
        {
            return Integer.parseInt(v);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(launcher + " environment: " + name + "='" + v + "' is not an integer");
        }
    }

    private static String[] hostPort(final String value, final String name)
    {
        final int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1)
        {
            throw new IllegalArgumentException(name + "='" + value + "' is not host:port");
        }
        final String port = value.substring(colon + 1).trim();
        try
        {
            final int p = Integer.parseInt(port);
            if (p < 1 || p > 65535)
            {
                throw new NumberFormatException();
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + "='" + value + "': port '" + port + "' is not in 1..65535");
        }
        return new String[] {value.substring(0, colon).trim(), port};
    }
}
