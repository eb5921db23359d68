package dev.ringfold.mpi;

import dev.ringfold.mpi.bootstrap.NodeIdentity;
import dev.ringfold.mpi.transport.InputWaiter;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The runtime's knobs, read once from the environment (every rank of a job sees the same launcher environment).
 *
 * <table>
 * <tr><td>RINGFOLD_EAGER_LIMIT</td><td>largest message sent at once, bytes (default 32768)</td></tr>
 * <tr><td>RINGFOLD_FRAGMENT_BYTES</td><td>DATA fragment size when streaming a large message (default 256 KiB;
 *     capped by what a path carries: 128 KiB on the default shared-memory rings)</td></tr>
 * <tr><td>RINGFOLD_SHM_RING_BYTES</td><td>ring per pair of ranks on a node, power of two (default 1 MiB)</td></tr>
 * <tr><td>RINGFOLD_SHM_DIR</td><td>where ring files are made (default /dev/shm)</td></tr>
 * <tr><td>RINGFOLD_CMA</td><td>1 to pull large messages between off-heap buffers with process_vm_readv, 0 to
 *     stream them through the rings (default auto: stream where every rank on the node has a core, pull where
 *     ranks outnumber cores or the node is loaded)</td></tr>
 * <tr><td>RINGFOLD_CMA_SPLIT_MIN</td><td>messages from this size up are copied by sender and receiver together
 *     (default 1 MiB, and off where the node has more ranks than cores: a descheduled sender would hold up its
 *     receiver; setting it turns it on regardless)</td></tr>
 * <tr><td>RINGFOLD_IDLE</td><td>spin, yield or backoff (default: spin-then-yield-then-park, shorter spins when
 *     the node has more ranks than cores or its load average at start exceeds cores + its ranks; a rank whose
 *     peers are all across TCP waits in its sockets instead of parking)</td></tr>
 * <tr><td>RINGFOLD_TIMEOUT_MS</td><td>default deadline of any single blocking wait, 0 for none (default 600000:
 *     ten minutes, generous on purpose; per communicator {@code Communicator.timeout(Duration)}, per call
 *     {@code Request.await(Duration)})</td></tr>
 * <tr><td>RINGFOLD_STALL_MS</td><td>a wait longer than this reports, once, what the rank waits for and, for a
 *     receive, the messages already waiting from that peer, for a checked collective which ranks have and have
 *     not entered it; the job goes on (default 10000, 0 for never)</td></tr>
 * <tr><td>RINGFOLD_BOOTSTRAP_TIMEOUT_MS</td><td>deadline for all ranks to meet at start (default 120000)</td></tr>
 * <tr><td>RINGFOLD_TCP_HOST</td><td>address this rank listens on and advertises for TCP (default: loopback when
 *     the rendezvous is on loopback, else the address this host's name resolves to)</td></tr>
 * <tr><td>RINGFOLD_NODE</td><td>overrides the node identity (ranks with equal identity share memory)</td></tr>
 * <tr><td>RINGFOLD_CHECK_COLLECTIVES</td><td>1 to compare every collective call's full description across ranks
 *     (the always-on fingerprint catches mismatches; this names them in more detail)</td></tr>
 * <tr><td>RINGFOLD_COLLECTIVE_STAMPS</td><td>0 turns off the always-on stamps of collective calls, only to measure
 *     what they cost (BENCHMARKS.md): calls that do not match then go unnoticed (default 1)</td></tr>
 * <tr><td>RINGFOLD_SHM_CHUNK_BYTES</td><td>per-rank chunk of the node-shared collectives' region, a multiple of 64
 *     in [4096, 2^26] (default 256 KiB, 1 MiB where ranks outnumber cores)</td></tr>
 * <tr><td>RINGFOLD_ALLREDUCE_ALGORITHM, RINGFOLD_BROADCAST_ALGORITHM</td><td>force one algorithm by name (default
 *     auto: the collectives' selection table decides)</td></tr>
 * <tr><td>RINGFOLD_RESTART</td><td>set by mpjrun: how many times {@code --max-restarts} started the job again (0 on
 *     the first run)</td></tr>
 * <tr><td>RINGFOLD_TRACE, RINGFOLD_TRACE_EVENTS, RINGFOLD_COUNTERS</td><td>the timeline's folder and size, and the
 *     counters: {@link #SWITCHES}</td></tr>
 * </table>
 * <p>
 * This is the one place the environment is read, once, when the runtime starts ({@code Ringfold.init}); every
 * component takes what it needs from here ({@code Ringfold.settings()}, {@code Communicator.settings()}). The
 * trace and counter switches are read here too, but when this class loads ({@link #SWITCHES}), since
 * {@code Tracer.ON} and {@code Counters.ON} are static constants so that the JIT removes the recording when they
 * are off. The job's own variables (rank, size, rendezvous) are {@code LaunchEnvironment}'s, read from the same
 * map at the same time.
 */
public record RuntimeSettings(int eagerLimit, int fragmentBytes, int ringBytes, Path shmDir, int crossMemory,
    long cooperativeCopyMin, String idle, long timeoutNs, long stallNs, long bootstrapTimeoutMs, String tcpHost,
    String nodeOverride, int localRanksHint, double loadAverage, Collectives collectives, String jobId, int restart)
{
    /**
     * The switches that must be static constants, read from the process's environment once, when this class
     * loads: every call site they guard folds to nothing when they are off.
     *
     * @param traceDir    RINGFOLD_TRACE: the folder each rank writes its timeline to; null or blank: no timeline.
     * @param traceEvents RINGFOLD_TRACE_EVENTS as given (the tracer checks it, when tracing is on), or null.
     * @param counters    RINGFOLD_COUNTERS as given ("1" counts), or null.
     */
    public record Switches(String traceDir, String traceEvents, String counters)
    {
        static Switches of(final Map<String, String> env)
        {
            return new Switches(env.get("RINGFOLD_TRACE"), env.get("RINGFOLD_TRACE_EVENTS"),
                env.get("RINGFOLD_COUNTERS"));
        }

        /** Whether ranks record a timeline. */
        public boolean tracing()
        {
            return traceDir != null && !traceDir.isBlank();
        }
    }

    /** This process's {@link Switches}. */
    public static final Switches SWITCHES = Switches.of(System.getenv());

    /**
     * The collectives' knobs (module collectives reads them from here).
     *
     * @param checkCalls      RINGFOLD_CHECK_COLLECTIVES=1.
     * @param stamps          RINGFOLD_COLLECTIVE_STAMPS: false only to measure what the stamps cost.
     * @param shmChunkBytes   RINGFOLD_SHM_CHUNK_BYTES, 0 for the default.
     * @param allReduce       RINGFOLD_ALLREDUCE_ALGORITHM, upper case ("AUTO" by default).
     * @param broadcast       RINGFOLD_BROADCAST_ALGORITHM, upper case ("AUTO" by default).
     */
    public record Collectives(boolean checkCalls, boolean stamps, long shmChunkBytes, String allReduce,
        String broadcast)
    {
    }

    static final int CROSS_MEMORY_AUTO = -1;

    static RuntimeSettings from(final Map<String, String> env)
    {
        return new RuntimeSettings(
            (int)longVar(env, "RINGFOLD_EAGER_LIMIT", 32 * 1024, 0, 1 << 20),
            (int)longVar(env, "RINGFOLD_FRAGMENT_BYTES", 256 * 1024, 1024, 1 << 24),
            (int)longVar(env, "RINGFOLD_SHM_RING_BYTES", 1 << 20, 1 << 16, 1 << 30),
            Path.of(env.getOrDefault("RINGFOLD_SHM_DIR", "").isBlank() ? "/dev/shm" : env.get("RINGFOLD_SHM_DIR")),
            crossMemoryVar(env),
            longVar(env, "RINGFOLD_CMA_SPLIT_MIN", -1, 0, Long.MAX_VALUE),
            env.getOrDefault("RINGFOLD_IDLE", "auto").toLowerCase(Locale.ROOT),
            longVar(env, "RINGFOLD_TIMEOUT_MS", 600_000, 0, Long.MAX_VALUE / 1_000_000) * 1_000_000L,
            longVar(env, "RINGFOLD_STALL_MS", 10_000, 0, Long.MAX_VALUE / 1_000_000) * 1_000_000L,
            longVar(env, "RINGFOLD_BOOTSTRAP_TIMEOUT_MS", 120_000, 1, Long.MAX_VALUE),
            env.get("RINGFOLD_TCP_HOST"),
            env.get("RINGFOLD_NODE"),
            1,
            loadAverage(Path.of("/proc/loadavg")),
            new Collectives(
                "1".equals(env.getOrDefault("RINGFOLD_CHECK_COLLECTIVES", "0").trim()),
                longVar(env, "RINGFOLD_COLLECTIVE_STAMPS", 1, 0, 1) == 1,
                shmChunkVar(env),
                env.getOrDefault("RINGFOLD_ALLREDUCE_ALGORITHM", "auto").trim().toUpperCase(Locale.ROOT),
                env.getOrDefault("RINGFOLD_BROADCAST_ALGORITHM", "auto").trim().toUpperCase(Locale.ROOT)),
            "pid" + ProcessHandle.current().pid(),
            (int)longVar(env, "RINGFOLD_RESTART", 0, 0, Integer.MAX_VALUE));
    }

    RuntimeSettings withLocalRanks(final int localRanks)
    {
        return new RuntimeSettings(eagerLimit, fragmentBytes, ringBytes, shmDir, crossMemory, cooperativeCopyMin, idle,
            timeoutNs, stallNs, bootstrapTimeoutMs, tcpHost, nodeOverride, localRanks, loadAverage, collectives, jobId,
            restart);
    }

    /** The settings of a rank of job {@code jobId} (the files a job makes are named after it). */
    RuntimeSettings withJob(final String jobId)
    {
        return new RuntimeSettings(eagerLimit, fragmentBytes, ringBytes, shmDir, crossMemory, cooperativeCopyMin, idle,
            timeoutNs, stallNs, bootstrapTimeoutMs, tcpHost, nodeOverride, localRanksHint, loadAverage, collectives,
            jobId, restart);
    }

    /**
     * This process's node identity: RINGFOLD_NODE when set, else host name, boot id and network namespace (ranks
     * with equal identity share memory).
     */
    public String nodeIdentity()
    {
        return NodeIdentity.current(nodeOverride);
    }

    /**
     * Whether large messages between off-heap buffers are pulled with cross-memory attach rather than streamed.
     * Streaming keeps both ranks copying at once, through a ring that stays in the cache: measured on 2 cores at
     * np 2, one-way 1 MiB 22 against 41 us and 16 MiB 610 against 1040 us. But a stream moves only while both
     * ranks run; with more runnable threads than cores it waits for time slices (16 MiB beside one busy process:
     * 25 ms against 4 ms), while a pull goes on with the receiver alone.
     */
    boolean pullsWithCrossMemory()
    {
        return crossMemory == CROSS_MEMORY_AUTO ? oversubscribed() || loaded() : crossMemory == 1;
    }

    /** RINGFOLD_CMA_SPLIT_MIN's default, for point-to-point where every rank has a core and for broadcasts. */
    private static final long COOPERATIVE_COPY_DEFAULT = 1 << 20;

    /** The smallest message copied by sender and receiver together (see RINGFOLD_CMA_SPLIT_MIN). */
    long cooperativeCopyFrom()
    {
        if (cooperativeCopyMin >= 0)
        {
            return cooperativeCopyMin;
        }
        return oversubscribed() ? Long.MAX_VALUE : COOPERATIVE_COPY_DEFAULT;
    }

    /**
     * The smallest shared-memory broadcast a reader copies together with its root: RINGFOLD_CMA_SPLIT_MIN, else
     * 1 MiB even where ranks outnumber cores. Unlike a point-to-point sender, a waiting root has nothing else to do,
     * and its reader waits only for the pieces the root has claimed: at np 4 on 2 cores it is faster at 1, 16 and
     * 64 MiB (BENCHMARKS.md, "Thirteenth session").
     */
    public long cooperativeBroadcastFrom()
    {
        return cooperativeCopyMin >= 0 ? cooperativeCopyMin : COOPERATIVE_COPY_DEFAULT;
    }

    private boolean oversubscribed()
    {
        return localRanksHint > Runtime.getRuntime().availableProcessors();
    }

    /**
     * Whether other work already keeps the node's CPUs busy: the 1-minute load average at start exceeds the CPUs
     * plus this job's own ranks there (so a previous run of ours, still in the average, does not count). A rank
     * that spins then burns the share of CPU time its peer needs to reach the same point.
     */
    boolean loaded()
    {
        return loadAverage > Runtime.getRuntime().availableProcessors() + localRanksHint;
    }

    /** The 1-minute load average from {@code /proc/loadavg}; 0 where there is none (not Linux). */
    static double loadAverage(final Path file)
    {
        try
        {
            final String text = Files.readString(file).trim();
            final int space = text.indexOf(' ');
            return Double.parseDouble(space < 0 ? text : text.substring(0, space));
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    private static final long SOCKET_WAIT_NS = 1_000_000;

    IdleStrategy idleStrategy()
    {
        return idleStrategy(null);
    }

    /**
     * The idle strategy; with {@code waiter} (a transport that every peer is on) the back-off strategies end in a
     * wait on it instead of timed parks.
     */
    IdleStrategy idleStrategy(final InputWaiter waiter)
    {
        return switch (idle)
        {
            case "spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "backoff" -> backoff(100, 100, 1_000, 100_000, waiter);
            case "auto" -> oversubscribed() || loaded() ?
                // more ranks than cores, or cores busy with other work: a spinning rank steals the core its peer
                // needs to answer, and ranks will sleep from the first messages on
                backoff(20, 50, 1_000, 50_000, waiter) :
                // a core per rank: busy-poll like MPI (a yield here hands the core to whatever else is runnable,
                // measured: 8 B latency 0.3 us spinning, 115 us once yields begin on a loaded machine)
                backoff(20_000, 200, 1_000, 200_000, waiter);
            default -> throw new IllegalArgumentException("RINGFOLD_IDLE='" + idle + "' is not one of spin, yield, backoff, auto");
        };
    }

    private static IdleStrategy backoff(final int spins, final int yields, final long minParkNs, final long maxParkNs,
        final InputWaiter waiter)
    {
        if (waiter == null)
        {
            return new BackoffIdleStrategy(spins, yields, minParkNs, maxParkNs);
        }
        // a waiter that cannot wait briefly (sockets: epoll's millisecond) is only used where every wake-up is input
        return waiter.waitsBriefly() ? new WaitingIdleStrategy(spins, yields, minParkNs, maxParkNs, waiter) :
            new WaitingIdleStrategy(spins, yields, SOCKET_WAIT_NS, SOCKET_WAIT_NS, waiter);
    }

    private static int crossMemoryVar(final Map<String, String> env)
    {
        final String v = env.get("RINGFOLD_CMA");
        return switch (v == null || v.isBlank() ? "auto" : v.trim().toLowerCase(Locale.ROOT))
        {
            case "auto" -> CROSS_MEMORY_AUTO;
            case "0" -> 0;
            case "1" -> 1;
            default -> throw new IllegalArgumentException("RINGFOLD_CMA='" + v + "' is not one of auto, 0, 1");
        };
    }

    private static long shmChunkVar(final Map<String, String> env)
    {
        final long bytes = longVar(env, "RINGFOLD_SHM_CHUNK_BYTES", 0, 4096, 1 << 26);
        if (bytes % 64 != 0)
        {
            throw new IllegalArgumentException("RINGFOLD_SHM_CHUNK_BYTES=" + bytes + " is not a multiple of 64");
        }
        return bytes;
    }

    private static long longVar(final Map<String, String> env, final String name, final long dflt, final long min,
        final long max)
    {
        final String v = env.get(name);
        if (v == null || v.isBlank())
        {
            return dflt;
        }
        final long value;
        try
        {
            value = Long.parseLong(v.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + "='" + v + "' is not an integer");
        }
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + "=" + value + " is outside [" + min + ", " + max + "]");
        }
        return value;
    }
}
