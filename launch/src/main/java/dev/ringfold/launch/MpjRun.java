package dev.ringfold.launch;

import dev.ringfold.mpi.RingfoldLog;
import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.bootstrap.RendezvousServer;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * mpjrun: starts the ranks of a Ringfold job and supervises them, in the manner of MPJ Express's mpjrun and
 * mpirun. Run through bin/mpjrun; the options are in {@link LaunchArguments#HELP}.
 * <p>
 * Exit codes: 0 when every rank exited 0; the exit value of the first rank that failed (128 + N for a rank
 * killed by signal N); 124 after --timeout; 2 for a bad command line; 1 for other failures of the job.
 * The launcher's rendezvous gives up after {@code RINGFOLD_BOOTSTRAP_TIMEOUT_MS} (default 120000), the variable
 * the ranks read for their own side of the bootstrap; {@code -Dringfold.rendezvous.timeout.ms} on the launcher's
 * JVM overrides it.
 */
public final class MpjRun
{
    static final int EXIT_USAGE = 2;
    private static final System.Logger LOG = RingfoldLog.logger(MpjRun.class);
    static final String RENDEZVOUS_TIMEOUT_PROPERTY = "ringfold.rendezvous.timeout.ms";
    static final String RENDEZVOUS_TIMEOUT_VARIABLE = "RINGFOLD_BOOTSTRAP_TIMEOUT_MS";
    /** Internal: a rank that fails leaves the others running (see Job#keepSurvivors); the elastic mode builds on it. */
    static final String KEEP_SURVIVORS_VARIABLE = "RINGFOLD_KEEP_SURVIVORS";
    /**
     * Internal, for tests of placements on several nodes on one machine: a comma-separated list of node names, rank
     * r runs with RINGFOLD_NODE set to the r-th (and a replacement of it too), so that ranks of different names talk
     * TCP as on different nodes.
     */
    static final String SIMULATED_NODES_VARIABLE = "RINGFOLD_SIMULATED_NODES";
    static final long DEFAULT_RENDEZVOUS_TIMEOUT_MS = 120_000;
    /** Shown where --dry-run cannot know the port: the rendezvous is not opened. */
    static final String UNKNOWN_PORT = "<port>";

    private MpjRun()
    {
    }

    public static void main(final String[] args)
    {
        final int exitCode = run(args, Path.of("").toAbsolutePath(), System.out, System.err);
        System.out.flush();
        System.exit(exitCode);
    }

    static int run(final String[] args, final Path cwd, final PrintStream out, final PrintStream err)
    {
        return run(args, cwd, System.getenv(), out, err);
    }

    /**
     * @param env mpjrun's environment, read once in {@link #main}: the default device, a Slurm allocation to place
     *            the ranks in, the rendezvous timeout, whether survivors go on; nothing below reads it again.
     */
    static int run(final String[] args, final Path cwd, final Map<String, String> env, final PrintStream out,
        final PrintStream err)
    {
        if (LaunchArguments.wantsHelp(args))
        {
            out.print(LaunchArguments.HELP);
            return 0;
        }
        if (LaunchArguments.wantsVersion(args))
        {
            out.println(version());
            return 0;
        }
        final LaunchOptions options;
        try
        {
            options = LaunchArguments.parse(args, cwd, env);
        }
        catch (final UsageException ex)
        {
            err.println("mpjrun: " + ex.getMessage());
            err.println(LaunchArguments.USAGE);
            return EXIT_USAGE;
        }

        final JobSecret secret = JobSecret.generate();
        final SlurmAllocation allocation;
        try
        {
            // a machines file wins: the user named the hosts
            allocation = options.hosts() == null ? SlurmAllocation.detect(env) : null;
        }
        catch (final UsageException ex)
        {
            err.println("mpjrun: " + ex.getMessage());
            return EXIT_USAGE;
        }
        if (options.device().equals("native"))
        {
            return NativeRankLauncher.run(options, allocation != null, out, err);
        }
        final Placement placement;
        final RankLauncher launcher;
        if (options.hosts() != null)
        {
            placement = new HostfilePlacement(options.hosts(), launchHost(env));
            launcher = new SshRankLauncher(secret, SshRankLauncher.sshCommand(env));
        }
        else if (allocation != null)
        {
            placement = new SlurmPlacement(allocation);
            launcher = new SrunRankLauncher(secret);
        }
        else
        {
            placement = new LocalPlacement();
            launcher = new LocalRankLauncher();
        }
        final String jobId = JobIds.next();
        final List<RankSlot> slots = placement.place(options.np());
        logPlacement(jobId, options, slots, env);
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String ringfoldClassPath = RingfoldClassPath.forRanks();
        final List<String> rankClassPath = new ArrayList<>(List.of(ringfoldClassPath.split(File.pathSeparator)));
        rankClassPath.addAll(options.userClassPath());
        final ProgramCache programCache = options.aotCache() == null ? null :
            ProgramCache.of(options.aotCache(), rankClassPath);
        if (programCache != null && programCache.unusable() != null)
        {
            err.println("mpjrun: --aot-cache: " + programCache.unusable());
        }

        if (options.dryRun())
        {
            final String rendezvous = placement.rendezvousHost() + ":" + UNKNOWN_PORT;
            for (final RankCommand command : RankCommands.build(options, slots, jobId, rendezvous,
                SecretFile.DRY_RUN_PATH, java, ringfoldClassPath, programCache))
            {
                out.println(launcher.describe(command));
            }
            return 0;
        }

        final long rendezvousTimeoutMs = rendezvousTimeoutMs(env);
        final boolean keepSurvivors = "1".equals(env.get(KEEP_SURVIVORS_VARIABLE));
        final Console console = new Console(out, err);
        final TraceFolder trace;
        try
        {
            trace = options.traceFile() == null ? null : TraceFolder.create(jobId);
        }
        catch (final IOException ex)
        {
            err.println("mpjrun: cannot make a folder for the ranks' traces: " + ex.getMessage());
            return 1;
        }
        int exitCode;
        for (int restart = 0; ; restart++)
        {
            final Map<String, String> runEnv = new java.util.LinkedHashMap<>();
            runEnv.put(RankCommands.RESTART_VARIABLE, Integer.toString(restart));
            if (trace != null)
            {
                runEnv.put(TraceFolder.VARIABLE, trace.folder().toString());
            }
            // every run is a new job with its own id and rendezvous, so nothing of the failed one is reused
            final String runId = restart == 0 ? jobId : JobIds.next();
            final Run run = runOnce(options.withEnv(runEnv), slots, runId, secret, SecretFile.parentDir(env), launcher,
                placement, java, ringfoldClassPath, programCache, rendezvousTimeoutMs, keepSurvivors,
                env.get(SIMULATED_NODES_VARIABLE), console, err);
            exitCode = run.exitCode();
            final int code = exitCode;
            // info, not error: mpjrun's own lines have said what failed already
            LOG.log(System.Logger.Level.INFO, () -> "job " + runId +
                " ended with exit code " + code + (run.failure() == null ? "" : ": " + run.failure()));
            if (exitCode == 0 || run.failure() == null || run.aborted() || restart >= options.maxRestarts())
            {
                break;
            }
            console.message("job failed (" + run.failure() + "); restart " + (restart + 1) + " of " +
                options.maxRestarts());
        }
        if (trace != null)
        {
            exitCode = trace.mergeInto(options.traceFile(), console) ? exitCode : Math.max(exitCode, 1);
        }
        final String cached = programCache == null ? null : programCache.jobEnded(exitCode);
        if (cached != null)
        {
            console.message(cached);
        }
        return exitCode;
    }

    /** How one run of the job ended: mpjrun's exit code, why it failed (null if it did not start), if aborted. */
    private record Run(int exitCode, String failure, boolean aborted)
    {
    }

    private static Run runOnce(final LaunchOptions options, final List<RankSlot> slots, final String jobId,
        final JobSecret secret, final Path secretParent, final RankLauncher launcher, final Placement placement,
        final String java, final String ringfoldClassPath, final ProgramCache programCache,
        final long rendezvousTimeoutMs, final boolean keepSurvivors, final String simulatedNodes, final Console console,
        final PrintStream err)
    {
        final SecretFile secretFile;
        try
        {
            secretFile = SecretFile.write(secretParent, jobId, secret);
        }
        catch (final IOException ex)
        {
            err.println("mpjrun: cannot write the job's secret file under " + secretParent + ": " + ex.getMessage());
            return new Run(1, null, false);
        }
        try (secretFile; RendezvousServer server = RendezvousServer.start(
            placement.rendezvousBindHost(), 0, options.np(), jobId, secret, rendezvousTimeoutMs,
            options.maxReplacements() > 0))
        {
            final String rendezvous = placement.rendezvousHost() + ":" + server.port();
            final Job job = new Job(jobId, RankCommands.onSimulatedNodes(RankCommands.build(options, slots, jobId,
                rendezvous, secretFile.path().toString(), java, ringfoldClassPath, programCache), simulatedNodes),
                launcher, server, rendezvousTimeoutMs, options.timeoutMs(), options.tagOutput(), options.elasticMin(),
                console);
            job.replacements(options.maxReplacements(), placement.capacity());
            if (keepSurvivors)
            {
                job.keepSurvivors();
            }
            final Thread hook = new Thread(() ->
            {
                job.abort("mpjrun was told to stop; stopping all ranks");
                secretFile.close(); // the JVM may halt before the main thread's try-with-resources gets to it
                if (programCache != null)
                {
                    programCache.discard(); // a rank 0 stopped by a signal may still have written its recording
                }
            }, "mpjrun-abort");
            Runtime.getRuntime().addShutdownHook(hook);
            try
            {
                final int exitCode = job.run();
                return new Run(exitCode, job.failure(), job.aborted());
            }
            finally
            {
                removeHook(hook);
            }
        }
        catch (final IOException ex)
        {
            err.println("mpjrun: cannot open the rendezvous on " + placement.rendezvousBindHost() + ": " + ex.getMessage());
            return new Run(1, null, false);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("mpjrun: interrupted");
            return new Run(1, null, true);
        }
    }

    /** Where the hosts of a machines file dial the rendezvous, when this host's name does not reach it there. */
    static final String RENDEZVOUS_HOST_VARIABLE = "RINGFOLD_RENDEZVOUS_HOST";

    /**
     * How the hosts of a machines file reach this one: {@code RINGFOLD_RENDEZVOUS_HOST}, else this host's name
     * (not its canonical name, which a loopback entry in /etc/hosts can turn into "localhost").
     */
    private static String launchHost(final Map<String, String> env)
    {
        final String given = env.get(RENDEZVOUS_HOST_VARIABLE);
        if (given != null && !given.isBlank())
        {
            return given.trim();
        }
        try
        {
            return java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (final IOException ex)
        {
            final String name = env.get("HOSTNAME");
            return name != null && !name.isBlank() ? name : "localhost";
        }
    }

    /** "Ringfold 0.1.0 (mpjrun), Java 25 (vendor) at JAVA_HOME": what --version prints. */
    static String version()
    {
        final java.util.Properties properties = new java.util.Properties();
        try (java.io.InputStream in = MpjRun.class.getResourceAsStream("version.properties"))
        {
            if (in != null)
            {
                properties.load(in);
            }
        }
        catch (final IOException ignore)
        {
            // reported as unknown below
        }
        return "Ringfold " + properties.getProperty("version", "(version unknown)") + " (mpjrun), Java " +
            Runtime.version() + " (" + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home");
    }

    private static void logPlacement(final String jobId, final LaunchOptions options, final List<RankSlot> slots,
        final Map<String, String> launcherEnv)
    {
        final Map<String, String> env = new java.util.HashMap<>(launcherEnv);
        env.putAll(options.extraEnv());
        RingfoldLog.configure(env, "mpjrun");
        LOG.log(System.Logger.Level.INFO, () -> "job " + jobId + ": " + options.np() + " ranks of " +
            options.mainClass() + ", device " + options.device());
        for (final RankSlot slot : slots)
        {
            LOG.log(System.Logger.Level.INFO, () -> "rank " + slot.rank() + " on " +
                (slot.host() == null ? "this node" : slot.host()) + ", local rank " + slot.localRank());
        }
    }

    private static long rendezvousTimeoutMs(final Map<String, String> env)
    {
        final String value = System.getProperty(RENDEZVOUS_TIMEOUT_PROPERTY, env.get(RENDEZVOUS_TIMEOUT_VARIABLE));
        if (value == null)
        {
            return DEFAULT_RENDEZVOUS_TIMEOUT_MS;
        }
        try
        {
            final long ms = Long.parseLong(value.trim());
            if (ms > 0)
            {
                return ms;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // fall through to the default, with a word about it
        }
        System.err.println("mpjrun: ignoring rendezvous timeout '" + value + "' (" + RENDEZVOUS_TIMEOUT_VARIABLE + ")" +
            " (not a positive number of milliseconds)");
        return DEFAULT_RENDEZVOUS_TIMEOUT_MS;
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // the JVM is already shutting down and the hook is running or has run
        }
    }
}
