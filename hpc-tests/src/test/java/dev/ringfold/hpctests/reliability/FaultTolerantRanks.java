package dev.ringfold.hpctests.reliability;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.RingfoldException;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;
import dev.ringfold.mpi.internal.CommunicatorInternals;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * The fault-tolerant communicator operations across real processes, run by {@link FaultToleranceTest} under
 * mpjrun with RINGFOLD_KEEP_SURVIVORS=1 (a rank's death leaves the others running). {@code FaultTolerantRanks
 * SCENARIO VICTIM}:
 * <ul>
 * <li>{@code agree-before|agree-during|agree-after}: VICTIM is SIGKILLed before, inside (while the last rank is
 * still on its way in) or after an agreement; then every survivor agrees once more. Each survivor prints
 * {@code ft: rank R agree#K value V acked [..]}.</li>
 * <li>{@code revoke-OP} (OP: recv, allreduce, barrier, bcast, persistent): every rank but VICTIM blocks in OP, which
 * cannot finish without VICTIM; VICTIM (alive) revokes the world after a moment. Each waiter prints
 * {@code ft: rank R revoked after MS ms in OP: MESSAGE}; then all agree and shrink on the revoked world and
 * all-reduce on the new communicator ({@code ft: rank R shrunk to N as rank S sum X}).</li>
 * <li>{@code shrink}: VICTIM is SIGKILLed; the survivors see it fail an all-reduce, revoke, shrink, and all-reduce
 * on the new communicator (the same line as above), then agree on it.</li>
 * <li>{@code detect}: VICTIM is SIGKILLed while every other rank only polls ({@code iprobe}, never a wait) until
 * it knows of the death: {@code ft: rank R knows of [V] after MS ms}, MS from the victim's last line.</li>
 * <li>{@code refused} (under -dev native): every fault-tolerant call is refused; each rank prints
 * {@code ft: rank R refused OP: MESSAGE} per call, then the world still works (a barrier).</li>
 * </ul>
 */
public final class FaultTolerantRanks
{
    private static final int ELEMENTS = 1 << 16;

    private FaultTolerantRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String scenario = args[0];
        final int victim = Integer.parseInt(args[1]);
        final Ringfold rf = Ringfold.init();
        final Communicator w = rf.world();
        final int rank = w.rank();
        System.out.println("fault: rank " + rank + " pid " + ProcessHandle.current().pid() + " job " +
            System.getenv(LaunchEnvironment.JOB_ID));
        w.barrier();
        if (scenario.startsWith("agree-"))
        {
            agreeing(w, rank, victim, scenario.substring("agree-".length()));
        }
        else if (scenario.startsWith("revoke-"))
        {
            revoking(w, rank, victim, scenario.substring("revoke-".length()));
        }
        else if (scenario.equals("shrink"))
        {
            shrinking(w, rank, victim);
        }
        else if (scenario.equals("detect"))
        {
            detecting(w, rank, victim);
        }
        else if (scenario.equals("refused"))
        {
            refused(w, rank);
        }
        else
        {
            throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        System.out.println("ft: rank " + rank + " done");
        System.out.flush();
        rf.close();
    }

    /** Every bit but bit r: the AND of the counted ranks' flags has a 0 exactly at each counted rank. */
    private static int flags(final int rank)
    {
        return ~(1 << rank);
    }

    private static void agreeing(final Communicator w, final int rank, final int victim, final String point)
        throws Exception
    {
        if (rank == victim && point.equals("before"))
        {
            FaultRanks.die(rank, "agree", point);
        }
        if (rank == victim && point.equals("during"))
        {
            final Thread timer = new Thread(() ->
            {
                sleep(300);
                FaultRanks.die(rank, "agree", point);
            });
            timer.setDaemon(true);
            timer.start();
        }
        if (point.equals("during") && rank == w.size() - 1 && rank != victim)
        {
            sleep(1_000); // the others, the victim among them, wait inside the agreement until this one comes
        }
        final int first = w.agree(flags(rank));
        report(rank, 1, first, w.acknowledgedFailures());
        if (rank == victim)
        {
            FaultRanks.die(rank, "agree", point);
        }
        final int second = w.agree(flags(rank));
        report(rank, 2, second, w.acknowledgedFailures());
    }

    private static void report(final int rank, final int k, final int value, final int[] acked)
    {
        System.out.println("ft: rank " + rank + " agree#" + k + " value " + value + " acked " + Arrays.toString(acked));
        System.out.flush();
    }

    private static void revoking(final Communicator w, final int rank, final int revoker, final String op)
    {
        final Collectives c = Collectives.of(w);
        final UnsafeBuffer src = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4 * ELEMENTS, 64));
        final UnsafeBuffer dst = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4 * ELEMENTS, 64));
        if (rank == revoker)
        {
            sleep(1_000);
            System.out.println("ft: rank " + rank + " revoking at " + System.currentTimeMillis());
            System.out.flush();
            w.revoke();
        }
        else
        {
            try
            {
                switch (op)
                {
                    case "recv" -> w.recv(dst, 0, 8, revoker, 5);
                    case "allreduce" -> c.allReduce(src.addressOffset(), dst.addressOffset(), ELEMENTS, DType.F32,
                        ReduceOp.SUM);
                    case "barrier" -> c.barrier();
                    case "bcast" -> c.broadcast(dst.addressOffset(), ELEMENTS, DType.F32, revoker);
                    case "persistent" ->
                    {
                        final CollectiveRequest r = c.allReduceInit(src.addressOffset(), dst.addressOffset(),
                            ELEMENTS, DType.F32, ReduceOp.SUM);
                        r.start();
                        r.await();
                    }
                    default -> throw new IllegalArgumentException("unknown operation " + op);
                }
                throw new AssertionError("rank " + rank + ": " + op + " finished without rank " + revoker);
            }
            catch (final RuntimeException ex)
            {
                System.out.println("ft: rank " + rank + " " + ex.getClass().getSimpleName() + " at " +
                    System.currentTimeMillis() + " in " + op + ": " + ex.getMessage());
                System.out.flush();
            }
        }
        w.agree(1);
        survive(w, rank);
    }

    private static void detecting(final Communicator w, final int rank, final int victim)
    {
        if (rank == victim)
        {
            FaultRanks.die(rank, "detect", "polling");
        }
        final long start = System.currentTimeMillis();
        while (w.knownFailures().length == 0)
        {
            w.iprobe(Communicator.ANY_SOURCE, 999);
            if (System.currentTimeMillis() - start > 30_000)
            {
                throw new AssertionError("rank " + rank + ": no death known after 30 s");
            }
        }
        System.out.println("ft: rank " + rank + " knows of " + Arrays.toString(w.knownFailures()) + " at " +
            System.currentTimeMillis() + ": " + CommunicatorInternals.failureOf(w, w.worldRank(victim)));
        System.out.flush();
        // no survivor leaves before every survivor has looked: one that closed first would be a death to the others
        w.agree(1);
    }

    private static void refused(final Communicator w, final int rank)
    {
        final java.util.Map<String, Runnable> calls = new java.util.LinkedHashMap<>();
        calls.put("revoke", w::revoke);
        calls.put("agree", () -> w.agree(1));
        calls.put("shrink", w::shrink);
        calls.put("failureAck", w::failureAck);
        for (final var call : calls.entrySet())
        {
            try
            {
                call.getValue().run();
                System.out.println("ft: rank " + rank + " accepted " + call.getKey());
            }
            catch (final RingfoldException ex)
            {
                System.out.println("ft: rank " + rank + " refused " + call.getKey() + ": " + ex.getMessage());
            }
        }
        w.barrier();
    }

    private static void shrinking(final Communicator w, final int rank, final int victim)
    {
        final Collectives c = Collectives.of(w);
        final int[] one = {1};
        if (rank == victim)
        {
            FaultRanks.die(rank, "shrink", "before");
        }
        try
        {
            for (int i = 0; i < 1_000; i++)
            {
                c.allReduce(one, 0, 1, ReduceOp.SUM);
                one[0] = 1;
            }
            throw new AssertionError("rank " + rank + ": all-reduces went on although rank " + victim + " died");
        }
        catch (final RuntimeException ex)
        {
            System.out.println("ft: rank " + rank + " " + ex.getClass().getSimpleName() + " at " +
                System.currentTimeMillis() + " in allreduce: " + ex.getMessage());
            System.out.flush();
        }
        w.revoke();
        survive(w, rank);
    }

    /** Shrinks the world, all-reduces on what is left, agrees on it. */
    private static void survive(final Communicator w, final int rank)
    {
        final Communicator s = w.shrink();
        final int[] sum = {rank};
        Collectives.of(s).allReduce(sum, 0, 1, ReduceOp.SUM);
        System.out.println("ft: rank " + rank + " shrunk to " + s.size() + " as rank " + s.rank() + " sum " + sum[0] +
            " agree " + s.agree(flags(s.rank())));
        System.out.flush();
        s.close();
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
