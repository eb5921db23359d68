package dev.ringfold.launch;

import dev.ringfold.mpi.bootstrap.RendezvousServer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the ranks of one job and watches them: the job succeeds when every rank exits 0, and fails as a whole,
 * all ranks stopped, as soon as one rank fails, the time limit passes, or the rendezvous sees a rank misbehave.
 * <p>
 * A rendezvous that merely times out does not stop the job: programs that never call into Ringfold never join,
 * and a Ringfold rank left waiting fails by itself when the rendezvous gives up, which is then reported as that
 * rank's failure. The timeout is mentioned only in the summary of a job that fails.
 * <p>
 * A rank that ends before it joined, while another has joined, fails the job at once: the rendezvous can never be
 * complete. The ranks waiting in it are told which rank ended and how, and mpjrun says the same.
 * <p>
 * Elastic (mpjrun --elastic MIN:MAX): once every rank joined, a rank that fails is announced and the others go on
 * while at least MIN still run (the program shrinks to the survivors); the job then succeeds when every survivor
 * exits 0. A failure that leaves fewer than MIN stops the job as above.
 */
final class Job
{
    private static final long POLL_MS = 100;
    private static final long STOP_GRACE_MS = 2_000;
    private static final long KILL_WAIT_MS = 2_000;
    private static final long REAP_WAIT_MS = 5_000;
    private static final long OUTPUT_DRAIN_MS = 2_000;
    /** A rank that crashes closes its rendezvous socket as it dies; wait this long to report the crash instead. */
    private static final long RENDEZVOUS_GRACE_MS = 1_000;
    static final int EXIT_TIMEOUT = 124;
    /**
     * After a rank fails, how long the others may take to notice it themselves (the runtime's liveness check
     * turns a dead peer into an exception naming it within a few hundred ms) and say so in their output, before
     * they are stopped.
     */
    static final long PEER_NOTICE_MS = 5_000;
    /** How long the ranks told that the rendezvous failed may take to end by themselves, before they are stopped. */
    static final long JOIN_FAILURE_NOTICE_MS = 1_000;

    private final String jobId;
    private final List<RankCommand> commands;
    private final RankLauncher launcher;
    private final RendezvousServer rendezvous;
    private final long rendezvousTimeoutMs;
    private final long timeoutMs;
    private final boolean tagOutput;
    private final int elasticMin;
    private final Console console;
    private final List<RankProcess> ranks = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RankProcess> exits = new LinkedBlockingQueue<>();
    private final Object stopLock = new Object();
    private volatile boolean stopping;
    private volatile boolean finished;
    private int running;
    private String rendezvousNote;
    private volatile String failure;
    private volatile boolean aborted;
    private static final String BEFORE_JOINING = " before it joined the job";
    /** The first rank that ended before it joined the rendezvous, or null. */
    private RankProcess leftBeforeJoining;
    /**
     * Whether a rank that fails after joining leaves the others running (the job then ends when they all have, with
     * the first failure's exit code): for programs that survive a peer's death with the fault-tolerant
     * communicator operations. Internal for now (RINGFOLD_KEEP_SURVIVORS=1 in mpjrun's environment).
     */
    private boolean keepSurvivors;
    private int survivedExitCode;
    /** --max-replacements: how many replacements of dead ranks may still be started. */
    private int replacementsLeft;
    private int replacementsStarted;
    /** Where a replacement may go instead of its dead rank's host: ranks each host may run (Placement#capacity). */
    private Map<String, Integer> capacity = Map.of();
    /** Each rank's command as last started: a replacement's, once one was, maybe on another host. */
    private final Map<Integer, RankCommand> current = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param timeoutMs  how long the job may run, 0 for no limit.
     * @param elasticMin --elastic's MIN: a rank's failure after the rendezvous leaves the others running while at
     *                   least this many run; 0: every failure stops the job.
     */
    Job(final String jobId, final List<RankCommand> commands, final RankLauncher launcher,
        final RendezvousServer rendezvous, final long rendezvousTimeoutMs, final long timeoutMs,
        final boolean tagOutput, final int elasticMin, final Console console)
    {
        this.jobId = jobId;
        this.commands = commands;
        commands.forEach(c -> current.put(c.rank(), c));
        this.launcher = launcher;
        this.rendezvous = rendezvous;
        this.rendezvousTimeoutMs = rendezvousTimeoutMs;
        this.timeoutMs = timeoutMs;
        this.tagOutput = tagOutput;
        this.elasticMin = elasticMin;
        this.console = console;
    }

    /** Starts the ranks, waits for the job to end and cleans up after it; returns mpjrun's exit code. */
    int run() throws InterruptedException
    {
        final long startedNanos = System.nanoTime();
        int exitCode = startRanks();
        if (exitCode == 0)
        {
            exitCode = supervise(startedNanos);
        }
        finish(exitCode);
        return exitCode;
    }

    /**
     * With --elastic: start a replacement for a rank that dies after the start-up, up to {@code count} in all (a
     * replacement that dies counts as a death like any other). Before {@link #run()}.
     *
     * @param capacity how many ranks each host may run ({@link Placement#capacity()}): where a replacement goes when
     *                 the one before it never reached the rendezvous from the dead rank's host.
     */
    Job replacements(final int count, final Map<String, Integer> capacity)
    {
        replacementsLeft = count;
        this.capacity = capacity;
        return this;
    }

    /** See {@link #keepSurvivors}; before {@link #run()}. */
    Job keepSurvivors()
    {
        keepSurvivors = true;
        return this;
    }

    /** Why the job failed, "rank 1 was killed by signal 9 (SIGKILL)" say; null while none failed. */
    String failure()
    {
        return failure;
    }

    /** Whether mpjrun itself was told to stop (then the job is not started again). */
    boolean aborted()
    {
        return aborted;
    }

    /** Stops the job from outside, for a launcher that is being terminated itself (its shutdown hook). */
    void abort(final String reason)
    {
        aborted = true;
        if (finished)
        {
            return;
        }
        if (!stopping)
        {
            console.message(reason);
        }
        stopAll();
        // the JVM halts once the hooks are done, maybe before the main thread gets to clean up
        rendezvous.close();
        ShmFiles.removeLeftovers(ShmFiles.SHM, jobId);
    }

    private int startRanks()
    {
        for (final RankCommand command : commands)
        {
            if (!start(command))
            {
                return 1;
            }
        }
        return 0;
    }

    /** Starts one rank; false when the job is stopping or the start failed (then every rank is stopped). */
    private boolean start(final RankCommand command)
    {
        synchronized (stopLock)
        {
            if (stopping)
            {
                return false;
            }
            final Process process;
            try
            {
                process = launcher.start(command);
            }
            catch (final IOException ex)
            {
                console.message("cannot start rank " + command.rank() + ": " + ex.getMessage());
                stopAll(); // the lock is held: no rank can be started meanwhile
                return false;
            }
            final String tag = tagOutput ? "[" + command.rank() + "] " : "";
            final String name = "rank-" + command.rank();
            final RankProcess rank = new RankProcess(command.rank(), process,
                LinePump.start(process.getInputStream(), tag, console, false, name + "-stdout"),
                LinePump.start(process.getErrorStream(), tag, console, true, name + "-stderr"));
            ranks.add(rank);
            running++;
            process.onExit().thenRun(() -> exits.add(rank));
            return true;
        }
    }

    /**
     * Starts a replacement for {@code dead} in its slot, as the next incarnation the rendezvous admits there: the
     * same command, with RINGFOLD_INCARNATION added, on the dead rank's host; but where {@code dead} was itself a
     * replacement that never reached the rendezvous (its host may be what failed: a node gone, no JVM there), on the
     * host with the most room left, if another has any.
     */
    private void replace(final RankProcess dead)
    {
        final boolean neverJoined = rendezvous.awaitingNewcomer(dead.rank());
        final int incarnation;
        try
        {
            incarnation = rendezvous.reopen(dead.rank());
        }
        catch (final IllegalStateException ex)
        {
            // it died before the start-up was over: the survivors have no runtime to take a newcomer in yet
            console.message("no replacement for rank " + dead.rank() + ": " + ex.getMessage());
            return;
        }
        replacementsLeft--;
        replacementsStarted++;
        final RankCommand before = current.get(dead.rank());
        final RankSlot slot = neverJoined ? roomElsewhere(before.slot(), capacity, current.values()) : before.slot();
        final java.util.Map<String, String> env = new java.util.LinkedHashMap<>(before.env());
        env.put(dev.ringfold.mpi.bootstrap.LaunchEnvironment.INCARNATION, Integer.toString(incarnation));
        env.put(dev.ringfold.mpi.bootstrap.LaunchEnvironment.LOCAL_RANK, Integer.toString(slot.localRank()));
        console.message("starting a replacement for rank " + dead.rank() + " (incarnation " + incarnation + ", " +
            replacementsStarted + " of " + (replacementsStarted + replacementsLeft) + " replacements)" +
            (slot == before.slot() ? "" : " on " + slot.host() + ", as incarnation " + (incarnation - 1) +
                " never joined on " + before.slot().host()));
        final RankCommand command = new RankCommand(slot, java.util.Collections.unmodifiableMap(env), before.argv(),
            before.workDir());
        current.put(dead.rank(), command);
        start(command);
    }

    /**
     * The slot of {@code dead}'s rank on the host with the most room left (its capacity less the ranks whose last
     * command placed them there; the first such host on a tie), other than {@code dead}'s; {@code dead} itself where
     * no other host has room.
     */
    static RankSlot roomElsewhere(final RankSlot dead, final Map<String, Integer> capacity,
        final java.util.Collection<RankCommand> current)
    {
        final Map<String, Integer> used = new java.util.HashMap<>();
        for (final RankCommand c : current)
        {
            if (c.rank() != dead.rank())
            {
                used.merge(c.slot().host(), 1, Integer::sum);
            }
        }
        String best = null;
        int room = 0;
        for (final Map.Entry<String, Integer> host : capacity.entrySet())
        {
            final int left = host.getValue() - used.getOrDefault(host.getKey(), 0);
            if (!host.getKey().equals(dead.host()) && left > room)
            {
                best = host.getKey();
                room = left;
            }
        }
        return best == null ? dead : new RankSlot(dead.rank(), best, used.getOrDefault(best, 0));
    }

    private int supervise(final long startedNanos) throws InterruptedException
    {
        final long deadline = startedNanos + timeoutMs * 1_000_000L;
        boolean rendezvousFailureSeen = false;
        while (running > 0 && !stopping)
        {
            final long leftMs = timeoutMs > 0 ? (deadline - System.nanoTime()) / 1_000_000L : POLL_MS;
            final RankProcess ended = exits.poll(Math.max(1, Math.min(POLL_MS, leftMs)), TimeUnit.MILLISECONDS);
            if (ended != null)
            {
                running--;
                final boolean beforeJoining = !rendezvous.finished() && rendezvous.failure() == null &&
                    !rendezvous.joined(ended.rank());
                if (ended.recordExit() != 0)
                {
                    if (beforeJoining)
                    {
                        rendezvous.fail(ended.label() + " " + ExitStatus.describe(ended.exitValue()) + BEFORE_JOINING);
                    }
                    if (!beforeJoining && (keepSurvivors || (elasticMin > 0 && running >= elasticMin)))
                    {
                        survived(ended);
                        continue;
                    }
                    // said only where others joined: of programs that never call Ringfold it would mislead
                    return rankFailed(ended, beforeJoining && rendezvous.joinedCount() > 0 ? BEFORE_JOINING : "");
                }
                if (beforeJoining && leftBeforeJoining == null)
                {
                    leftBeforeJoining = ended;
                }
            }
            if (leftBeforeJoining != null && rendezvous.joinedCount() > 0 && rendezvous.failure() == null)
            {
                return leftBeforeJoining(leftBeforeJoining);
            }
            if (ended != null)
            {
                continue;
            }
            if (timeoutMs > 0 && System.nanoTime() - deadline >= 0)
            {
                this.failure = "timed out after " + seconds(timeoutMs) + " s";
                console.message("job timed out after " + seconds(timeoutMs) + " s; stopping all ranks");
                stopAll();
                return EXIT_TIMEOUT;
            }
            final String failure = rendezvous.failure();
            if (failure != null && !rendezvousFailureSeen)
            {
                rendezvousFailureSeen = true;
                if (failure.endsWith(" within " + rendezvousTimeoutMs + " ms"))
                {
                    rendezvousNote = failure;
                }
                else
                {
                    return rendezvousFailed(failure);
                }
            }
        }
        return stopping ? 1 : survivedExitCode;
    }

    /**
     * A rank failed and the others go on (see {@link #keepSurvivors}; with --elastic, while at least its MIN run,
     * and the job's exit status is then the survivors').
     */
    private void survived(final RankProcess rank)
    {
        if (elasticMin > 0)
        {
            console.message(rank.label() + " " + ExitStatus.describe(rank.exitValue()) + "; " + running +
                (running == 1 ? " rank goes on" : " ranks go on") + " (--elastic, at least " + elasticMin + ")" +
                (replacementsStarted > 0 && replacementsLeft == 0 ? "; no replacement left (--max-replacements)" :
                    ""));
            rank.markAnnounced();
            if (replacementsLeft > 0)
            {
                replace(rank);
            }
            return;
        }
        if (failure == null)
        {
            failure = "rank " + rank.rank() + " " + ExitStatus.describe(rank.exitValue());
            survivedExitCode = rank.exitValue();
        }
        console.message(rank.label() + " " + ExitStatus.describe(rank.exitValue()) + "; the other ranks go on");
        rank.markAnnounced();
    }

    private int rankFailed(final RankProcess rank, final String when) throws InterruptedException
    {
        failure = "rank " + rank.rank() + " " + ExitStatus.describe(rank.exitValue()) + when;
        console.message(rank.label() + " " + ExitStatus.describe(rank.exitValue()) + when);
        rank.markAnnounced();
        letOthersNotice(PEER_NOTICE_MS);
        stopAll();
        return rank.exitValue();
    }

    /**
     * A rank ended (with status 0) before it joined while others have: the rendezvous can never complete. Tells
     * the ranks waiting in it, gives them a moment to end by themselves, and stops the rest.
     */
    private int leftBeforeJoining(final RankProcess rank) throws InterruptedException
    {
        final String what = ExitStatus.describe(rank.exitValue()) + BEFORE_JOINING;
        failure = "rank " + rank.rank() + " " + what;
        console.message(rank.label() + " " + what + " (it did not call Ringfold.init, or returned before it was" +
            " done); the other ranks cannot start without it: stopping the job");
        rank.markAnnounced();
        rendezvous.fail(rank.label() + " " + what);
        letOthersNotice(JOIN_FAILURE_NOTICE_MS);
        stopAll();
        return 1;
    }

    /** Gives the other ranks {@code noticeMs} to fail (or finish) by themselves, recording how they end. */
    private void letOthersNotice(final long noticeMs) throws InterruptedException
    {
        final long end = System.nanoTime() + noticeMs * 1_000_000L;
        while (running > 0 && !stopping && nextExit(end) != null)
        {
            // nextExit records each exit
        }
    }

    /**
     * Waits until {@code endNanos} (of System.nanoTime) for the next rank to exit, and records its exit.
     * @return the rank that exited, or null when none did by then.
     */
    private RankProcess nextExit(final long endNanos) throws InterruptedException
    {
        final long leftNanos = endNanos - System.nanoTime();
        final RankProcess ended = leftNanos > 0 ? exits.poll(leftNanos, TimeUnit.NANOSECONDS) : null;
        if (ended != null)
        {
            running--;
            ended.recordExit();
        }
        return ended;
    }

    private int rendezvousFailed(final String failure) throws InterruptedException
    {
        final long graceEnd = System.nanoTime() + RENDEZVOUS_GRACE_MS * 1_000_000L;
        RankProcess ended;
        while (running > 0 && (ended = nextExit(graceEnd)) != null)
        {
            if (ended.exitValue() != 0)
            {
                rendezvousNote = failure;
                return rankFailed(ended, "");
            }
        }
        this.failure = "rendezvous failed: " + failure;
        console.message("rendezvous failed: " + failure + "; stopping all ranks");
        stopAll();
        return 1;
    }

    /** Stops every rank still running, with its descendants; idempotent and safe from any thread. */
    private void stopAll()
    {
        synchronized (stopLock)
        {
            if (stopping)
            {
                return;
            }
            stopping = true;
            final List<ProcessHandle> roots = new ArrayList<>();
            for (final RankProcess rank : ranks)
            {
                if (rank.process().isAlive())
                {
                    rank.markStoppedByLauncher();
                    roots.add(rank.process().toHandle());
                }
            }
            final List<ProcessHandle> survivors = ProcessTrees.stop(roots, STOP_GRACE_MS, KILL_WAIT_MS);
            for (final ProcessHandle survivor : survivors)
            {
                console.message("pid " + survivor.pid() + " did not die even from SIGKILL");
            }
        }
    }

    private void finish(final int exitCode) throws InterruptedException
    {
        final long reapDeadline = System.nanoTime() + REAP_WAIT_MS * 1_000_000L;
        while (running > 0 && nextExit(reapDeadline) != null)
        {
            // nextExit records each exit
        }
        final long drainDeadline = System.nanoTime() + OUTPUT_DRAIN_MS * 1_000_000L;
        for (final RankProcess rank : ranks)
        {
            rank.awaitOutput(drainDeadline);
        }
        rendezvous.close();
        ShmFiles.removeLeftovers(ShmFiles.SHM, jobId);
        if (exitCode != 0)
        {
            for (final RankProcess rank : ranks)
            {
                if (!rank.announced())
                {
                    console.message(rank.label() + " " + rank.outcome());
                }
            }
            if (rendezvousNote != null)
            {
                console.message("note: the rendezvous reported: " + rendezvousNote);
            }
        }
        finished = true;
    }

    static String seconds(final long millis)
    {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0);
    }
}
