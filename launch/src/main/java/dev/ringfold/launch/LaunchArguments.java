package dev.ringfold.launch;

import dev.ringfold.mpi.JvmFlags;
import dev.ringfold.mpi.RingfoldLog;
import dev.ringfold.mpi.auth.JobSecret;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads mpjrun's command line the way MPJ Express's mpjrun and {@code java} do: options first (mpjrun's own and
 * JVM options, in any order), then the main class, or {@code -jar JAR}; everything after that belongs to the
 * program. JVM options are recognised by their form rather than passed on blindly, so that a mistyped or
 * unsupported mpjrun option (say {@code -hosts h1,h2}) is reported instead of turning "hosts" into the
 * main class.
 */
final class LaunchArguments
{
    static final String USAGE = "usage: mpjrun -np N [-machinesfile FILE] [-dev auto|shm|tcp|native] [-cp CLASSPATH | -jar JAR] " +
        "[-wdir DIR] [-psl BYTES] [JVM options] [--timeout SECONDS] [--no-tag-output] [--env K=V]... [--trace FILE] " +
        "[--max-restarts K] [--elastic MIN:MAX [--max-replacements K]] [--log-level LEVEL] [--api auto|mpj|openmpi|none] [--aot-cache FILE] [--dry-run] [java [-cp CP] [JVM options]] " +
        "MainClass [args...]";

    /**
     * Every option and every RINGFOLD_* variable the code reads (LaunchHelpTest fails when one is missing here);
     * docs/launching.md has the long form.
     */
    static final String HELP = USAGE + """

               mpjrun --help | --version

        Options (before the main class):
          -np N               number of ranks to start
          -machinesfile FILE  start them over ssh on FILE's hosts ('host', 'host slots=N' or 'host:N' lines);
                              also -hostfile, --hostfile. Without it, every rank runs on this node (or, inside a
                              Slurm allocation, on its nodes with srun)
          -dev auto|shm|tcp|native  transport between ranks (RINGFOLD_DEV, default auto); native: the site's
                              MPI library carries everything, and mpirun (srun --mpi=pmix in Slurm) starts
                              the ranks; MPJ Express's device names
                              work too: multicore = shm, niodev = tcp, hybdev = auto
          -cp, -classpath, --class-path CP  the program's class path (default: the current directory)
          -jar JAR            run JAR's Main-Class; arguments after JAR go to the program
          -wdir DIR           working directory of the ranks
          -psl BYTES          MPJ Express's protocol switch limit: accepted for its command lines, no effect
          -Xmx1g -Dk=v -ea    JVM options (-X..., -D..., -ea/-da, -verbose..., -agent..., --add-opens=... etc.)
          --timeout SECONDS   stop the whole job after this long and exit with 124
          --no-tag-output     do not prefix output lines with "[rank] "
          --env K=V           add K=V to every rank's environment (repeatable)
          --trace FILE        record every rank's collectives and point-to-point operations (RINGFOLD_TRACE) and
                              merge them into FILE, a Chrome trace for Perfetto or chrome://tracing
          --max-restarts K    after a failure, stop all ranks and start the whole job again, up to K times; the
                              ranks see RINGFOLD_RESTART=<n> (0 on the first run)
          --elastic MIN:MAX   a rank that dies once every rank joined does not stop the job while at least MIN
                              ranks live (the program goes on without it, say an elastic DataParallel); the
                              job's exit status is then the survivors'; MIN <= -np <= MAX; not with -dev native
          --max-replacements K  with --elastic: start a replacement for a rank that dies, up to K in all (default
                              0: none); it takes the dead rank's place with RINGFOLD_INCARNATION=<n> and joins
                              the survivors through the rendezvous, started as the dead rank was (locally,
                              with srun on its node inside an allocation, over ssh on its host)
          --log-level LEVEL   what mpjrun and the ranks log on stderr: off, error, warning (default), info
                              (start-up, placement), debug, trace (RINGFOLD_LOG_LEVEL)
          --api auto|mpj|openmpi|none  which Java MPI API (package mpi) the ranks get: mpiJava 1.2 as MPJ
                              Express has it, or Open MPI's Java bindings; auto (the default) reads the
                              program's classes and picks the one they call, none adds neither
          --aot-cache FILE    the program's own JDK AOT cache: a run records it into FILE (rank 0 writes it at
                              its exit, a few seconds), later runs start every rank with it, with the program's
                              classes loaded and its hot methods' profiles known (a short job's warm-up); it is
                              recorded again when a jar of the program or of Ringfold is newer; needs a class
                              path of jars; on several hosts FILE must be on a shared file system
          --dry-run           print the commands that would be started and exit
          --version           print Ringfold's version and the JDK's, and exit
          -h, -help, --help   print this help and exit

        Environment variables read by the ranks (every rank should see the same; mpjrun passes its own on):
          RINGFOLD_EAGER_LIMIT          largest message sent at once, bytes (default 32768)
          RINGFOLD_FRAGMENT_BYTES       fragment size of a streamed large message (default 262144)
          RINGFOLD_SHM_RING_BYTES       shared-memory ring per pair of ranks, a power of two (default 1048576)
          RINGFOLD_SHM_DIR              where ring files are made (default /dev/shm)
          RINGFOLD_SHM_CHUNK_BYTES      chunk of the node-shared collectives' scratch (default: from the CPU count)
          RINGFOLD_CMA                  large messages on a node: 1 pull with process_vm_readv, 0 stream (default auto)
          RINGFOLD_CMA_SPLIT_MIN        bytes from which sender and receiver copy a message together
          RINGFOLD_IDLE                 how a waiting rank idles: spin, yield, backoff or auto (default)
          RINGFOLD_TIMEOUT_MS           deadline of any single wait, ms; 0 waits forever (default 600000)
          RINGFOLD_STALL_MS             a wait this long prints a stall report once (default 10000; 0 never)
          RINGFOLD_BOOTSTRAP_TIMEOUT_MS deadline for meeting the other ranks at start-up (default 120000; mpjrun's
                                        rendezvous too)
          RINGFOLD_CHECK_COLLECTIVES    1 checks every collective call against the other ranks' (default 0)
          RINGFOLD_COLLECTIVE_STAMPS    0 turns off the collective calls' stamps, only to measure their cost (default 1)
          RINGFOLD_ALLREDUCE_ALGORITHM  auto, ring, recursive_doubling, shared_memory, hierarchical or mpi
          RINGFOLD_BROADCAST_ALGORITHM  auto, binomial, chain, shared_memory, hierarchical or mpi
          RINGFOLD_TCP_HOST             the address a rank listens on and advertises for TCP
          RINGFOLD_NODE                 overrides the node identity (equal identity: shared memory)
          RINGFOLD_SECRET_FILE, RINGFOLD_SECRET  the job's secret, a file of hex or hex (mpjrun makes one per job)
          RINGFOLD_MPI_LIB              with -dev native: the MPI library to load
          RINGFOLD_MPI_THREAD           with -dev native: the thread level to ask for (default multiple)
          RINGFOLD_TRACE                folder where each rank writes its timeline (--trace sets it)
          RINGFOLD_TRACE_EVENTS         events each rank's timeline keeps (default 65536)
          RINGFOLD_COUNTERS             1 counts bytes, messages and waits per communicator (default 0)
          RINGFOLD_LOG_LEVEL            off, error, warning (default), info, debug or trace (--log-level sets it)
        Set by mpjrun for every rank (--env may not change them):
          RINGFOLD_RANK, RINGFOLD_SIZE, RINGFOLD_JOB_ID, RINGFOLD_RENDEZVOUS, RINGFOLD_DEV, RINGFOLD_LOCAL_RANK,
          RINGFOLD_RESTART (how many times --max-restarts started the job again),
          RINGFOLD_INCARNATION (with --max-replacements: 0, or on a replacement of a dead rank 1, then 2, ...)
        Read by mpjrun itself:
          RINGFOLD_DEV                  the default of -dev
          RINGFOLD_LIB                  bin/mpjrun: the folder of Ringfold's jars (default build/lib)
          RINGFOLD_CDS                  bin/mpjrun: off leaves out the start-up archives, dump writes them
          RINGFOLD_SSH                  with -machinesfile: the ssh command (default ssh -o BatchMode=yes -T)
          RINGFOLD_KEEP_SURVIVORS       1: a rank that fails leaves the others running (internal, for fault tolerance)
          RINGFOLD_SIMULATED_NODES      a,a,b: rank r's RINGFOLD_NODE (internal, for tests of several nodes)
          RINGFOLD_RENDEZVOUS_HOST      with -machinesfile: where the other hosts reach this one
        Read by bin/ringfold-bench (the benchmarks, which run through mpjrun):
          RINGFOLD_BENCH_JVM_OPTS       extra JVM options for the ranks
          RINGFOLD_BENCH_TIMEOUT        seconds before the whole job is stopped (default 900)
          RINGFOLD_BENCH_CP             class path put before the jars
        Read by bin/ringfold-compare (make compare):
          RINGFOLD_COMPARE_JVM_OPTS     extra JVM options for the ranks
          RINGFOLD_COMPARE_TIMEOUT      seconds per job before it is stopped (default 7200)
        """;

    /** mpjrun's options that take the next word as their value (-jar too, but it also ends the options). */
    static final Set<String> OPTIONS_WITH_VALUE = Set.of(
        "-np", "-dev", "-psl", "-cp", "-classpath", "--class-path", "-wdir", "--timeout", "--env", "-machinesfile",
        "-hostfile", "--hostfile", "--trace", "--max-restarts", "--elastic", "--max-replacements", "--log-level", "--api",
        "--aot-cache");

    /** Far beyond any job, and small enough to count in nanoseconds. */
    private static final double MAX_TIMEOUT_SECONDS = 1e9;

    private static final Set<String> DEVICES = Set.of("auto", "shm", "tcp", "native");

    /** Long JVM options accepted before the main class; only in their one-token "--name=value" form. */
    private static final List<String> JVM_LONG_OPTION_PREFIXES = List.of(
        "--add-opens=", "--add-exports=", "--add-reads=", "--add-modules=", "--enable-native-access=",
        "--sun-misc-unsafe-memory-access=", "--patch-module=", "--limit-modules=", "--upgrade-module-path=");

    private static final List<String> JVM_SHORT_OPTION_PREFIXES = List.of(
        "-X", "-D", "-verbose", "-agentlib:", "-agentpath:", "-javaagent:", "-ea:", "-da:", "-enableassertions:",
        "-disableassertions:");

    private static final Set<String> JVM_SHORT_OPTIONS = Set.of(
        "-ea", "-da", "-esa", "-dsa", "-enableassertions", "-disableassertions", "-enablesystemassertions",
        "-disablesystemassertions", "-server", "-client", "--enable-preview");

    /** Variables mpjrun sets itself: --env may not change a rank's identity. */
    private static final Set<String> RESERVED_ENV = Set.of(
        LaunchEnvironment.RANK, LaunchEnvironment.SIZE, LaunchEnvironment.JOB_ID, LaunchEnvironment.RENDEZVOUS,
        LaunchEnvironment.DEV, LaunchEnvironment.LOCAL_RANK, JobSecret.FILE_VARIABLE, JobSecret.VARIABLE,
        RankCommands.RESTART_VARIABLE, LaunchEnvironment.INCARNATION);

    private LaunchArguments()
    {
    }

    /** Whether the user asked for help before naming a program (after it, -h is the program's). */
    static boolean wantsHelp(final String[] args)
    {
        return asks(args, Set.of("-h", "-help", "--help"));
    }

    /** Whether the user asked for the version before naming a program. */
    static boolean wantsVersion(final String[] args)
    {
        return asks(args, Set.of("--version", "-version"));
    }

    private static boolean asks(final String[] args, final Set<String> names)
    {
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (names.contains(arg))
            {
                return true;
            }
            if (!arg.startsWith("-") || arg.equals("-jar"))
            {
                return false;
            }
            if (OPTIONS_WITH_VALUE.contains(arg))
            {
                i++;
            }
        }
        return false;
    }

    /** As {@link #parse(String[], Path, Map)} in an environment with no RINGFOLD_DEV. */
    static LaunchOptions parse(final String[] args, final Path cwd) throws UsageException
    {
        return parse(args, cwd, Map.of());
    }

    /** mpjrun's arguments; {@code env} is mpjrun's environment, whose RINGFOLD_DEV is the default of -dev. */
    static LaunchOptions parse(final String[] args, final Path cwd, final Map<String, String> env)
        throws UsageException
    {
        int np = -1;
        // the environment's RINGFOLD_DEV is the default; -dev overrides it
        String device = device(env.getOrDefault("RINGFOLD_DEV", "auto"));
        String classPath = null;
        Path jar = null;
        Path workDir = null;
        final List<String> jvmOptions = new ArrayList<>();
        long timeoutMs = 0;
        boolean tagOutput = true;
        final Map<String, String> extraEnv = new LinkedHashMap<>();
        boolean dryRun = false;
        String mainClass = null;
        List<String> programArgs = List.of();
        Path hostfile = null;
        Path traceFile = null;
        int maxRestarts = 0;
        int[] elastic = {0, 0};
        int maxReplacements = 0;
        String api = "auto";
        Path aotCache = null;
        boolean sawJava = false;

        int i = 0;
        while (i < args.length)
        {
            final String arg = args[i];
            if (!sawJava && isJavaCommand(arg) && i + 1 < args.length)
            {
                // mpirun's form, "mpirun -np 4 java -cp . Hello": java's own options follow, read as mpjrun's
                sawJava = true;
                i++;
                continue;
            }
            if (!arg.startsWith("-") || arg.length() == 1)
            {
                mainClass = arg;
                programArgs = List.copyOf(Arrays.asList(args).subList(i + 1, args.length));
                break;
            }
            final String name = arg.startsWith("--") && arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            final String inlineValue = name.equals(arg) ? null : arg.substring(name.length() + 1);
            switch (name)
            {
                case "-np" -> np = positiveInt(value(args, i++, arg), "-np");
                case "-dev" -> device = device(value(args, i++, arg));
                // Ringfold picks eager or rendezvous per transport itself; the limit is read and checked only
                case "-psl" -> positiveInt(value(args, i++, arg), "-psl");
                case "-cp", "-classpath", "--class-path" ->
                    classPath = inlineValue != null ? inlineValue : value(args, i++, arg);
                case "-machinesfile", "-hostfile", "--hostfile" ->
                    hostfile = cwd.resolve(inlineValue != null ? inlineValue : value(args, i++, arg)).normalize();
                case "-wdir" -> workDir = directory(cwd.resolve(value(args, i++, arg)).normalize());
                case "-jar" ->
                {
                    jar = cwd.resolve(value(args, i++, arg)).normalize();
                    mainClass = JarMainClass.of(jar);
                    programArgs = List.copyOf(Arrays.asList(args).subList(i + 1, args.length));
                    i = args.length;
                }
                case "--timeout" -> timeoutMs = timeoutMs(inlineValue != null ? inlineValue : value(args, i++, arg));
                case "--env" -> addEnv(extraEnv, inlineValue != null ? inlineValue : value(args, i++, arg));
                case "--trace" -> traceFile = cwd.resolve(inlineValue != null ? inlineValue : value(args, i++, arg))
                    .normalize();
                case "--max-restarts" -> maxRestarts = nonNegativeInt(
                    inlineValue != null ? inlineValue : value(args, i++, arg), "--max-restarts");
                case "--elastic" -> elastic = elastic(inlineValue != null ? inlineValue : value(args, i++, arg));
                case "--max-replacements" -> maxReplacements = nonNegativeInt(
                    inlineValue != null ? inlineValue : value(args, i++, arg), "--max-replacements");
                case "--log-level" -> extraEnv.put(RingfoldLog.VARIABLE,
                    logLevel(inlineValue != null ? inlineValue : value(args, i++, arg)));
                case "--api" -> api = inlineValue != null ? inlineValue : value(args, i++, arg);
                case "--aot-cache" -> aotCache = cwd.resolve(inlineValue != null ? inlineValue : value(args, i++, arg))
                    .normalize();
                case "--no-tag-output" ->
                {
                    rejectValue(inlineValue, name);
                    tagOutput = false;
                }
                case "--dry-run" ->
                {
                    rejectValue(inlineValue, name);
                    dryRun = true;
                }
                default ->
                {
                    if (!isJvmOption(arg))
                    {
                        throw new UsageException("unknown option " + arg + hint(arg));
                    }
                    jvmOptions.add(arg);
                }
            }
            i++;
        }

        if (np < 0)
        {
            throw new UsageException("missing -np N (how many ranks to start)");
        }
        if (mainClass == null)
        {
            throw new UsageException("no main class given (name it after the options, or use -jar JAR)");
        }
        if (elastic[1] > 0 && (np < elastic[0] || np > elastic[1]))
        {
            throw new UsageException("--elastic " + elastic[0] + ":" + elastic[1] + " with -np " + np +
                ": start between MIN and MAX ranks");
        }
        if (aotCache != null && device.equals("native"))
        {
            throw new UsageException("--aot-cache with -dev native: mpirun starts every rank with one command line, " +
                "and a cache is recorded by rank 0 alone; use -dev auto, shm or tcp");
        }
        if (aotCache != null && Files.isDirectory(aotCache))
        {
            throw new UsageException("--aot-cache " + aotCache + " is a folder: name the cache's file");
        }
        if (elastic[1] > 0 && device.equals("native"))
        {
            throw new UsageException("--elastic with -dev native: the site's MPI library (Open MPI 4.1) cannot " +
                "go on without a rank that died (it has no ULFM); use -dev auto, shm or tcp");
        }
        if (maxReplacements > 0 && elastic[1] == 0)
        {
            throw new UsageException("--max-replacements " + maxReplacements + " needs --elastic MIN:MAX: a " +
                "replacement joins survivors, and only an elastic job has survivors");
        }
        List<Hostfile.Host> hosts = null;
        if (hostfile != null)
        {
            hosts = Hostfile.read(hostfile);
            if (np > HostfilePlacement.totalSlots(hosts))
            {
                throw new UsageException("-np " + np + " is more than the " + HostfilePlacement.totalSlots(hosts) +
                    " slots of " + hostfile + " (give hosts more slots: 'host slots=N')");
            }
        }
        final List<String> userClassPath = new ArrayList<>();
        if (jar != null)
        {
            userClassPath.add(jar.toString());
        }
        if (classPath != null || jar == null)
        {
            userClassPath.addAll(absoluteEntries(classPath == null ? "." : classPath, cwd));
        }
        // the chosen mpi API jar goes before the program's class path, so it wins over an mpj.jar named there
        final MpiApiJar.Choice choice = MpiApiJar.forProgram(api, mainClass, userClassPath);
        if (choice.jar() != null)
        {
            userClassPath.addFirst(choice.jar());
        }
        // the Vector API module only for programs that can reach it: it costs every rank JVM start-up time. An mpi
        // API program reduces through the collectives, whose kernels run scalar loops without it (half the speed of
        // the vector ones on 4-byte types): it gets the module unless the job has its own AOT cache, whose linking of
        // the program's classes the module would turn off (docs/launching.md)
        final boolean vectorApi = choice.vectorApi() || choice.mpi() && aotCache == null;
        if (vectorApi && !jvmOptions.contains(JvmFlags.VECTOR_API))
        {
            jvmOptions.addFirst(JvmFlags.VECTOR_API);
        }
        return new LaunchOptions(np, device, List.copyOf(userClassPath), workDir, List.copyOf(jvmOptions), timeoutMs,
            tagOutput, Collections.unmodifiableMap(extraEnv), dryRun, mainClass, programArgs, hosts, traceFile,
            maxRestarts, elastic[0], elastic[1], maxReplacements, aotCache);
    }

    /** --elastic MIN:MAX, 1 <= MIN <= MAX. */
    private static int[] elastic(final String value) throws UsageException
    {
        final int colon = value.indexOf(':');
        if (colon < 0)
        {
            throw new UsageException("--elastic needs MIN:MAX (the fewest ranks the job goes on with, the most), " +
                "not '" + value + "'");
        }
        final int min = positiveInt(value.substring(0, colon), "--elastic MIN");
        final int max = positiveInt(value.substring(colon + 1), "--elastic MAX");
        if (max < min)
        {
            throw new UsageException("--elastic " + value + ": MAX must be at least MIN");
        }
        return new int[] {min, max};
    }

    private static String value(final String[] args, final int at, final String option) throws UsageException
    {
        if (at + 1 >= args.length)
        {
            throw new UsageException("missing value after " + option);
        }
        return args[at + 1];
    }

    private static void rejectValue(final String inlineValue, final String option) throws UsageException
    {
        if (inlineValue != null)
        {
            throw new UsageException(option + " takes no value");
        }
    }

    private static int positiveInt(final String value, final String option) throws UsageException
    {
        return atLeast(value, option, 1, "a positive whole number");
    }

    private static int nonNegativeInt(final String value, final String option) throws UsageException
    {
        return atLeast(value, option, 0, "a whole number >= 0");
    }

    private static int atLeast(final String value, final String option, final int min, final String expected)
        throws UsageException
    {
        try
        {
            final int n = Integer.parseInt(value.trim());
            if (n >= min)
            {
                return n;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below, with the other bad values
        }
        throw new UsageException(option + " needs " + expected + ", not '" + value + "'");
    }

    private static String logLevel(final String value) throws UsageException
    {
        try
        {
            RingfoldLog.level(value);
            return value.trim();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException("--log-level " + value + ": use off, error, warning, info, debug or trace");
        }
    }

    private static String device(final String value) throws UsageException
    {
        final String device = switch (value.trim().toLowerCase(java.util.Locale.ROOT))
        {
            // MPJ Express's devices: threads in one JVM, Java NIO sockets, both by locality
            case "multicore", "smpdev" -> "shm";
            case "niodev", "mxdev" -> "tcp";
            case "hybdev" -> "auto";
            default -> value.trim().toLowerCase(java.util.Locale.ROOT);
        };
        if (!DEVICES.contains(device))
        {
            throw new UsageException("unknown -dev '" + value + "': use auto, shm, tcp or native" +
                " (MPJ Express's niodev corresponds to tcp, multicore to shm)");
        }
        return device;
    }

    private static Path directory(final Path dir) throws UsageException
    {
        if (!Files.isDirectory(dir))
        {
            throw new UsageException("-wdir " + dir + " is not a directory");
        }
        return dir;
    }

    private static long timeoutMs(final String value) throws UsageException
    {
        try
        {
            final double seconds = Double.parseDouble(value.trim());
            if (seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)
            {
                return Math.max(1, Math.round(seconds * 1000));
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below, with the other bad values
        }
        throw new UsageException("--timeout needs a positive number of seconds, not '" + value + "'");
    }

    private static void addEnv(final Map<String, String> env, final String assignment) throws UsageException
    {
        final int eq = assignment.indexOf('=');
        final String name = eq < 0 ? assignment : assignment.substring(0, eq);
        if (eq < 0 || !name.matches("[A-Za-z_][A-Za-z0-9_]*"))
        {
            throw new UsageException("--env needs NAME=VALUE with NAME made of letters, digits and '_', not '" +
                assignment + "'");
        }
        if (RESERVED_ENV.contains(name))
        {
            throw new UsageException("--env " + name + " is set by mpjrun itself" +
                (name.equals(LaunchEnvironment.DEV) ? " (use -dev)" : "") +
                (name.startsWith(JobSecret.VARIABLE) ? " (a fresh secret for every job)" : ""));
        }
        env.put(name, assignment.substring(eq + 1));
    }

    private static boolean isJavaCommand(final String arg)
    {
        return arg.equals("java") || arg.endsWith("/bin/java");
    }

    private static boolean isJvmOption(final String arg)
    {
        if (JVM_SHORT_OPTIONS.contains(arg))
        {
            return true;
        }
        final List<String> prefixes = arg.startsWith("--") ? JVM_LONG_OPTION_PREFIXES : JVM_SHORT_OPTION_PREFIXES;
        for (final String prefix : prefixes)
        {
            if (arg.startsWith(prefix) && arg.length() > prefix.length())
            {
                return true;
            }
        }
        return false;
    }

    private static String hint(final String arg)
    {
        for (final String prefix : JVM_LONG_OPTION_PREFIXES)
        {
            if (prefix.equals(arg + "="))
            {
                return " (give JVM options that take a value in one word: " + arg + "=VALUE)";
            }
        }
        return switch (arg)
        {
            case "-hosts", "--host", "-host" -> " (list the hosts in a file and use -machinesfile FILE)";
            case "-n", "--np" -> " (did you mean -np?)";
            default -> "";
        };
    }

    /** The entries of a class path made absolute; a "dir/*" wildcard stays a wildcard. */
    private static List<String> absoluteEntries(final String classPath, final Path cwd)
    {
        final List<String> entries = new ArrayList<>();
        for (final String entry : classPath.split(File.pathSeparator))
        {
            if (!entry.isEmpty())
            {
                entries.add(cwd.resolve(entry).normalize().toString());
            }
        }
        return entries;
    }
}
