package dev.ringfold.hpctests.reliability;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;
import dev.ringfold.tensors.ReduceOp;

import java.lang.management.ManagementFactory;

/**
 * A dead rank's replacement joining the survivors, run by {@link RegrowTest} under {@code mpjrun --elastic MIN:NP
 * --max-replacements K}. {@code RegrowRanks VICTIM DYING WAIT_S [KILL_MS]}:
 * <ul>
 * <li>every rank prints {@code regrow: rank R incarnation N pid P job J on NODE} (Slurm's node name, else the
 * host); after a barrier VICTIM SIGKILLs itself ({@code regrow: rank R killed at MS}, the wall clock, as the
 * survivors' {@code saw rank R fail at MS} and {@code greeted ... at MS}: bench/scripts/regrow-timing.sh);</li>
 * <li>the survivors see it fail (a receive from it throws {@code PeerFailedException}), then poll ({@code iprobe},
 * which drives the runtime, so that they answer the replacement's join) for a greeting from VICTIM's slot, at most
 * WAIT_S seconds ({@code regrow: rank R no replacement} when none comes);</li>
 * <li>a replacement whose incarnation is at most DYING SIGKILLs itself before it starts its runtime (a replacement
 * that never joins), or, with KILL_MS, starts its runtime and SIGKILLs itself KILL_MS ms after (during its join,
 * or before or after it: one that joined in time waits for its end without a word, so that every case ends the same
 * way); a later one joins ({@code regrow: rank R incarnation N joined at MS ms of its JVM (main at MS
 * ms, the join MS ms)}), greets
 * every survivor, each answers (both sides say how they reach the other: {@code via shm} or {@code via tcp});
 * then every rank sends 2 MiB to the next and receives from the one before over
 * WORLD, and checks each element ({@code regrow: rank R ring ok from rank Q incarnation N});</li>
 * <li>the survivors, who shrank WORLD to themselves when VICTIM failed, grow that communicator by the replacement
 * once each has seen its request ({@code growPending}, {@code grow}); the replacement joins it ({@code joinGrow});
 * one all-reduce over it checks the group, its order and the context ({@code regrow: rank R grown to N ranks
 * (NAME), all-reduce ok}).</li>
 * </ul>
 */
public final class RegrowRanks
{
    private static final int GREETING = 17;
    private static final int ANSWER = 18;
    private static final int RING = 19;
    private static final int NEVER = 20;
    private static final int ELEMENTS = 1 << 18;

    private RegrowRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int victim = Integer.parseInt(args[0]);
        final int dying = Integer.parseInt(args[1]);
        final long waitMs = Long.parseLong(args[2]) * 1000;
        final int incarnation = LaunchEnvironment.incarnation(System.getenv());
        if (incarnation > 0 && incarnation <= dying && args.length > 3)
        {
            final long killMs = Long.parseLong(args[3]);
            System.out.println("regrow: replacement incarnation " + incarnation + " dies " + killMs + " ms into its join");
            System.out.flush();
            Thread.ofPlatform().daemon().start(() ->
            {
                try
                {
                    Thread.sleep(killMs);
                    kill();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
        }
        else if (incarnation > 0 && incarnation <= dying)
        {
            System.out.println("regrow: replacement incarnation " + incarnation + " dies before it joins");
            System.out.flush();
            kill();
        }
        final long mainMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        final long initStart = System.nanoTime();
        final Ringfold rf = Ringfold.init();
        final long initMs = (System.nanoTime() - initStart) / 1_000_000;
        if (incarnation > 0 && incarnation <= dying)
        {
            System.out.println("regrow: replacement incarnation " + incarnation + " joined before its end came");
            System.out.flush();
            Thread.sleep(60_000);
        }
        final Communicator w = rf.world();
        Communicator survivors = null;
        int joined = incarnation; // the replacement's incarnation: its own, or what it greeted a survivor with
        final int rank = w.rank();
        final int np = w.size();
        System.out.println("regrow: rank " + rank + " incarnation " + incarnation + " pid " +
            ProcessHandle.current().pid() + " job " + System.getenv(LaunchEnvironment.JOB_ID) + " on " +
            System.getenv().getOrDefault("SLURMD_NODENAME", rf.host(rank)));
        if (incarnation == 0)
        {
            w.barrier();
            if (rank == victim)
            {
                System.out.println("regrow: rank " + rank + " killed at " + System.currentTimeMillis());
                System.out.flush();
                kill();
            }
            try
            {
                w.recv(new int[1], 0, 1, victim, NEVER);
                throw new AssertionError("rank " + rank + " received from the dead rank");
            }
            catch (final PeerFailedException expected)
            {
                System.out.println("regrow: rank " + rank + " saw rank " + victim + " fail at " +
                    System.currentTimeMillis());
            }
            // the survivors' own communicator, as an elastic trainer keeps one (its agreement may run while the
            // replacement is being admitted: the slot's new process is no member of it)
            survivors = w.shrink();
            final long deadline = System.currentTimeMillis() + waitMs;
            while (w.iprobe(Communicator.ANY_SOURCE, GREETING) == null)
            {
                if (System.currentTimeMillis() > deadline)
                {
                    System.out.println("regrow: rank " + rank + " no replacement (survivors " + survivors.size() +
                        ")");
                    System.out.flush();
                    survivors.close();
                    rf.close();
                    return;
                }
                Thread.sleep(1);
            }
            final int[] greeting = new int[2];
            w.recv(greeting, 0, 2, victim, GREETING);
            joined = greeting[1];
            System.out.println("regrow: rank " + rank + " greeted by rank " + greeting[0] + " incarnation " +
                greeting[1] + " via " + w.transportTo(victim) + " at " + System.currentTimeMillis());
            w.send(new int[] {rank}, 0, 1, victim, ANSWER);
        }
        else
        {
            System.out.println("regrow: rank " + rank + " incarnation " + incarnation + " joined at " +
                (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) + " ms of its JVM" +
                " (main at " + mainMs + " ms, the join " + initMs + " ms)");
            for (int s = 0; s < np; s++)
            {
                if (s != rank)
                {
                    w.send(new int[] {rank, incarnation}, 0, 2, s, GREETING);
                }
            }
            for (int s = 0; s < np; s++)
            {
                if (s != rank)
                {
                    final int[] answer = new int[1];
                    w.recv(answer, 0, 1, s, ANSWER);
                    if (answer[0] != s)
                    {
                        throw new AssertionError("rank " + s + " answered " + answer[0]);
                    }
                    System.out.println("regrow: rank " + rank + " incarnation " + incarnation + " answered by rank " +
                        s + " via " + w.transportTo(s));
                }
            }
        }
        // every rank to the next, large enough to go by the rendezvous protocol (and a peer's memory where allowed)
        final double[] out = new double[ELEMENTS];
        final double[] in = new double[ELEMENTS];
        for (int i = 0; i < ELEMENTS; i++)
        {
            out[i] = rank * 1_000_000.0 + incarnation * 1_000.0 + (i % 997);
        }
        final int next = (rank + 1) % np;
        final int previous = (rank + np - 1) % np;
        final Request sent = w.isend(out, 0, ELEMENTS, next, RING);
        w.recv(in, 0, ELEMENTS, previous, RING);
        sent.await();
        final int theirs = (int)Math.round((in[0] - previous * 1_000_000.0) / 1_000.0);
        for (int i = 0; i < ELEMENTS; i++)
        {
            if (in[i] != previous * 1_000_000.0 + theirs * 1_000.0 + (i % 997))
            {
                throw new AssertionError("rank " + rank + ": element " + i + " from rank " + previous + " is " + in[i]);
            }
        }
        System.out.println("regrow: rank " + rank + " ring ok from rank " + previous + " incarnation " + theirs);
        // then the survivors grow their communicator by the replacement (each once it has seen its request), and
        // the replacement learns the communicator it joins; one all-reduce over it shows they hold the same one
        final Communicator grown;
        if (survivors != null)
        {
            while (!survivors.growPending())
            {
                w.iprobe(Communicator.ANY_SOURCE, NEVER); // drives the runtime
                Thread.sleep(1);
            }
            grown = survivors.grow();
        }
        else
        {
            grown = w.joinGrow();
        }
        // in world-rank order: comm rank = world rank once every slot is back
        final long[] sum = {grown.rank() == rank ? 1_000L * rank + incarnation : -1_000_000L, 1};
        Collectives.of(grown).allReduce(sum, 0, 2, ReduceOp.SUM);
        final long expected = 1_000L * np * (np - 1) / 2 + joined; // the replacement adds its incarnation
        if (grown.size() != np || sum[0] != expected || sum[1] != np)
        {
            throw new AssertionError("rank " + rank + ": grown to " + grown.size() + " ranks, all-reduce " +
                sum[0] + " of " + sum[1] + " ranks, expected " + expected + " of " + np);
        }
        System.out.println("regrow: rank " + rank + " grown to " + grown.size() + " ranks (" + grown.name() +
            "), all-reduce ok");
        System.out.flush();
        grown.close();
        if (survivors != null)
        {
            survivors.close();
        }
        rf.close();
    }

    /** SIGKILLs this process (as a crash: no shutdown hook, no close). */
    static void kill() throws Exception
    {
        new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        Thread.sleep(60_000);
    }
}
