package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;
import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the options of a job into one {@link RankCommand} per placed rank. */
final class RankCommands
{
    /** How many times mpjrun --max-restarts has started this job again: 0 on the first run. */
    static final String RESTART_VARIABLE = "RINGFOLD_RESTART";

    /**
     * The JDK's own selector provider on Linux, named: without it the first NIO channel a rank opens (its TCP
     * transport's) looks the provider up as a service, which opens every jar of the class path (about 25) to find
     * none; that held each rank of a TCP job back by tens of milliseconds, more on a busy machine (BENCHMARKS.md,
     * "Where a 4-rank job's time goes"). A rank's own -D for it wins.
     */
    static final String SELECTOR_PROVIDER_PROPERTY = "-Djava.nio.channels.spi.SelectorProvider=";
    static final String SELECTOR_PROVIDER = SELECTOR_PROVIDER_PROPERTY + "sun.nio.ch.EPollSelectorProvider";

    private RankCommands()
    {
    }

    /**
     * @param javaExecutable  the java the ranks run (the launcher's own, so that every rank runs the same JDK).
     * @param ringfoldClassPath Ringfold's jars, put before the user's class path (the start-up archive of
     *                          {@link ClassDataSharing} holds them as the start of the class path).
     * @param rendezvous      host:port of the job's rendezvous.
     * @param secretFile      where the ranks read the job's secret (RINGFOLD_SECRET_FILE).
     * @param programCache    the program's own AOT cache (--aot-cache), or null.
     */
    static List<RankCommand> build(final LaunchOptions options, final List<RankSlot> slots, final String jobId,
        final String rendezvous, final String secretFile, final String javaExecutable, final String ringfoldClassPath,
        final ProgramCache programCache)
    {
        final List<String> classPath = new ArrayList<>();
        classPath.add(ringfoldClassPath);
        classPath.addAll(options.userClassPath());
        final boolean tcp = options.device().equals("tcp") ||
            slots.stream().map(RankSlot::host).distinct().limit(2).count() > 1;

        final List<RankCommand> commands = new ArrayList<>(slots.size());
        for (final RankSlot slot : slots)
        {
            final List<String> argv = new ArrayList<>();
            argv.add(javaExecutable);
            argv.addAll(JvmFlags.REQUIRED);
            final List<String> own = programCache == null ? null : programCache.rankOptions(slot.rank());
            argv.addAll(own != null ? own : ClassDataSharing.rankOptions(RingfoldClassPath.lib(), slot.rank(),
                options.jvmOptions(), tcp));
            argv.addAll(options.jvmOptions());
            if (options.jvmOptions().stream().noneMatch(o -> o.startsWith(SELECTOR_PROVIDER_PROPERTY)))
            {
                argv.add(SELECTOR_PROVIDER);
            }
            argv.add("-cp");
            argv.add(String.join(File.pathSeparator, classPath));
            argv.add(options.mainClass());
            argv.addAll(options.programArgs());
            final List<String> sharedArgv = List.copyOf(argv);
            final Map<String, String> env = new LinkedHashMap<>();
            env.put(LaunchEnvironment.RANK, Integer.toString(slot.rank()));
            env.put(LaunchEnvironment.SIZE, Integer.toString(slots.size()));
            env.put(LaunchEnvironment.JOB_ID, jobId);
            env.put(LaunchEnvironment.RENDEZVOUS, rendezvous);
            env.put(LaunchEnvironment.DEV, options.device());
            env.put(LaunchEnvironment.LOCAL_RANK, Integer.toString(slot.localRank()));
            env.put(JobSecret.FILE_VARIABLE, secretFile);
            if (options.maxReplacements() > 0)
            {
                // the ranks started with the job are incarnation 0; the variable tells them to take replacements in
                env.put(LaunchEnvironment.INCARNATION, "0");
            }
            env.putAll(options.extraEnv());
            commands.add(new RankCommand(slot, Collections.unmodifiableMap(env), sharedArgv, options.workDir()));
        }
        return commands;
    }

    /**
     * The commands with rank r's RINGFOLD_NODE set to the r-th of {@code nodes} (comma-separated; see
     * MpjRun's RINGFOLD_SIMULATED_NODES), or unchanged where {@code nodes} is null or blank.
     */
    static List<RankCommand> onSimulatedNodes(final List<RankCommand> commands, final String nodes)
    {
        if (nodes == null || nodes.isBlank())
        {
            return commands;
        }
        final String[] names = nodes.split(",");
        if (names.length != commands.size())
        {
            throw new IllegalArgumentException("RINGFOLD_SIMULATED_NODES names " + names.length + " nodes (" + nodes +
                ") for " + commands.size() + " ranks: name one per rank");
        }
        final List<RankCommand> placed = new ArrayList<>(commands.size());
        for (final RankCommand command : commands)
        {
            final Map<String, String> env = new LinkedHashMap<>(command.env());
            env.put("RINGFOLD_NODE", names[command.rank()].strip());
            placed.add(new RankCommand(command.slot(), Collections.unmodifiableMap(env), command.argv(),
                command.workDir()));
        }
        return placed;
    }
}
