package dev.ringfold.hpctests.reliability;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A survivor that dies after it answered a replacement's runtime join, run by {@link RegrowTest} under {@code mpjrun
 * -np 3 -dev shm --elastic 2:3 --max-replacements 1}:
 * <ul>
 * <li>every rank prints {@code regrow: rank R incarnation N pid P job J} (for {@link RegrowTest}'s clean-up check);
 * after a barrier rank 1 SIGKILLs itself;</li>
 * <li>rank 2 drives the runtime ({@code iprobe}) until the replacement's shared-memory file appears in /dev/shm (it
 * creates it once every survivor answered its first round, the cards), then SIGKILLs itself without another call:
 * it answers no later round, and it is dead when the replacement maps its file through the link it sent;</li>
 * <li>rank 0 answers the replacement's greeting, then sees rank 2 fail;</li>
 * <li>the replacement greets rank 0 and receives from rank 2, which fails at once with the reason its join gave
 * ({@code regrow: rank 1 incarnation 1 sees rank 2 failed: ...}).</li>
 * </ul>
 */
public final class JoinDeathRanks
{
    private static final int GREETING = 17;
    private static final int ANSWER = 18;
    private static final int NEVER = 20;
    private static final long WAIT_MS = 60_000;

    private JoinDeathRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int incarnation = LaunchEnvironment.incarnation(System.getenv());
        final String job = System.getenv(LaunchEnvironment.JOB_ID);
        final Ringfold rf = Ringfold.init();
        final Communicator w = rf.world();
        final int rank = w.rank();
        System.out.println("regrow: rank " + rank + " incarnation " + incarnation + " pid " +
            ProcessHandle.current().pid() + " job " + job);
        System.out.flush();
        if (incarnation > 0)
        {
            w.send(new int[] {rank, incarnation}, 0, 2, 0, GREETING);
            w.recv(new int[1], 0, 1, 0, ANSWER);
            System.out.println("regrow: rank 1 incarnation " + incarnation + " answered by rank 0");
            System.out.println("regrow: rank 1 incarnation " + incarnation + " sees rank 2 failed: " +
                failureOf(w, 2));
            System.out.flush();
            rf.close();
            return;
        }
        w.barrier();
        if (rank == 1)
        {
            RegrowRanks.kill();
        }
        System.out.println("regrow: rank " + rank + " saw rank 1 fail: " + failureOf(w, 1));
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        if (rank == 2)
        {
            final String prefix = "ringfold-" + job + "-r1-";
            final Set<String> before = files(prefix);
            // the file is looked for before each call: once it is there, no call answers the replacement's next round
            while (files(prefix).equals(before))
            {
                if (System.currentTimeMillis() > deadline)
                {
                    throw new AssertionError("rank 2: no replacement's file " + prefix + "* within " + WAIT_MS + " ms");
                }
                w.iprobe(Communicator.ANY_SOURCE, NEVER); // drives the runtime: the join's first round is answered
                Thread.sleep(1);
            }
            System.out.println("regrow: rank 2 answered the replacement's cards and dies");
            System.out.flush();
            RegrowRanks.kill();
        }
        while (w.iprobe(Communicator.ANY_SOURCE, GREETING) == null)
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("rank 0: no greeting from a replacement within " + WAIT_MS + " ms");
            }
            Thread.sleep(1);
        }
        final int[] greeting = new int[2];
        w.recv(greeting, 0, 2, 1, GREETING);
        w.send(new int[] {rank}, 0, 1, 1, ANSWER);
        System.out.println("regrow: rank 0 greeted by rank 1 incarnation " + greeting[1]);
        System.out.println("regrow: rank 0 saw rank 2 fail: " + failureOf(w, 2));
        System.out.flush();
        rf.close();
    }

    /** The failure of a receive from {@code peer}, which must fail. */
    private static String failureOf(final Communicator w, final int peer)
    {
        try
        {
            w.recv(new int[1], 0, 1, peer, NEVER);
        }
        catch (final PeerFailedException expected)
        {
            return expected.getMessage();
        }
        throw new AssertionError("rank " + w.rank() + " received from rank " + peer + ", which is dead");
    }

    private static Set<String> files(final String prefix) throws IOException
    {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm")))
        {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).collect(Collectors.toSet());
        }
    }
}
