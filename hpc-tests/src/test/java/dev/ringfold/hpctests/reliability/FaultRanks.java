package dev.ringfold.hpctests.reliability;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;

/**
 * {@code FaultRanks OP POINT VICTIM}: world rank VICTIM kills itself with a real SIGKILL ({@code kill -9} of its
 * own pid) {@code before}, {@code inside} (its part started, not finished) or {@code after} an operation; every
 * other rank runs the operation and then a barrier, and reports the error that ends it:
 * {@code fault: rank R detected rank V failure at <epoch ms> in <op|follow-up>: <exception>: <message>}.
 * The victim prints {@code fault: rank V killing itself at <epoch ms>} first, so the test can compute the time
 * to detect. OP: allreduce-ring, allreduce-rd, bcast-binomial, bcast-chain, allgather, alltoall, barrier,
 * p2p-large (256 MiB from the victim to rank 0: pulled or streamed, as RINGFOLD_CMA says), bootstrap (the victim dies while the
 * others are in the rendezvous; POINT is ignored).
 */
public final class FaultRanks
{
    /** Elements per rank (a block of all-gather and all-to-all): 4 MiB of F32, many ring and chain steps. */
    private static final int ELEMENTS = 1 << 20;
    private static final int LARGE = 256 << 20;
    private static final int TAG = 99;

    /** The victim's executioner, started early: a kill that needs no fork at the moment of death. */
    private static Process killer;

    private FaultRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String op = args[0];
        final String point = args[1];
        final int victim = Integer.parseInt(args[2]);
        final int rank = Integer.parseInt(System.getenv(LaunchEnvironment.RANK));
        final int size = Integer.parseInt(System.getenv(LaunchEnvironment.SIZE));
        System.out.println("fault: rank " + rank + " pid " + ProcessHandle.current().pid() + " job " +
            System.getenv(LaunchEnvironment.JOB_ID));
        if (rank == victim)
        {
            arm();
        }
        if (op.equals("bootstrap"))
        {
            bootstrap(rank, size, victim);
            return;
        }
        final Ringfold rf = Ringfold.init();
        final Communicator w = rf.world();
        final Collectives c = Collectives.of(w);
        switch (op)
        {
            case "allreduce-ring" -> c.forceAllReduce(Collectives.AllReduceAlgorithm.RING);
            case "allreduce-rd" -> c.forceAllReduce(Collectives.AllReduceAlgorithm.RECURSIVE_DOUBLING);
            case "bcast-binomial" -> c.forceBroadcast(Collectives.BroadcastAlgorithm.BINOMIAL);
            case "bcast-chain" -> c.forceBroadcast(Collectives.BroadcastAlgorithm.CHAIN);
            default ->
            {
            }
        }
        final long bytes = !op.equals("p2p-large") ? (long)ELEMENTS * 4 * size : rank == 0 || rank == victim ? LARGE : 64;
        final UnsafeBuffer src = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)bytes, 4096));
        final UnsafeBuffer dst = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)bytes, 4096));
        c.barrier();
        if (rank == victim)
        {
            if (point.equals("before"))
            {
                die(rank, op, point);
            }
            if (point.equals("inside"))
            {
                // post this rank's first steps and push them out, then die with the operation unfinished
                if (op.equals("p2p-large"))
                {
                    w.recv(dst, 0, 8, 0, TAG); // rank 0's receive is posted: the transfer starts at once
                    final Request r = w.isend(src, 0, LARGE, 0, TAG);
                    r.test();
                }
                else
                {
                    final CollectiveRequest r = start(c, op, src, dst);
                    r.test();
                }
                die(rank, op, point);
            }
            run(c, w, op, src, dst, rank, victim);
            die(rank, op, point);
        }
        String phase = op;
        try
        {
            run(c, w, op, src, dst, rank, victim);
            phase = "follow-up";
            c.barrier();
            throw new AssertionError("rank " + rank + ": no error although rank " + victim + " was killed");
        }
        catch (final RuntimeException ex)
        {
            report(rank, victim, phase, ex);
        }
        // linger before closing: a survivor's close is itself a failure its peers see, and one that comes before
        // another survivor has noticed the death would be the error that survivor reports (a cascade)
        Thread.sleep(1_000);
        try
        {
            rf.close();
        }
        catch (final RuntimeException ignore)
        {
            // closing next to a dead peer: what matters is reported above
        }
    }

    private static void run(final Collectives c, final Communicator w, final String op, final UnsafeBuffer src,
        final UnsafeBuffer dst, final int rank, final int victim)
    {
        if (op.equals("p2p-large"))
        {
            if (rank == 0)
            {
                final Request r = w.irecv(dst, 0, LARGE, victim, TAG);
                w.send(src, 0, 8, victim, TAG);
                r.await();
            }
            else if (rank == victim)
            {
                w.recv(dst, 0, 8, 0, TAG);
                w.send(src, 0, LARGE, 0, TAG);
            }
            else
            {
                w.recv(dst, 0, 8, victim, TAG); // the victim never sends this: only its death ends the wait
            }
            return;
        }
        start(c, op, src, dst).await();
    }

    private static CollectiveRequest start(final Collectives c, final String op, final UnsafeBuffer src,
        final UnsafeBuffer dst)
    {
        final long s = src.addressOffset();
        final long d = dst.addressOffset();
        return switch (op)
        {
            case "allreduce-ring", "allreduce-rd" -> c.iallReduce(s, d, ELEMENTS, DType.F32, ReduceOp.SUM);
            case "bcast-binomial", "bcast-chain" -> c.ibroadcast(d, ELEMENTS, DType.F32, 0);
            case "allgather" -> c.iallGather(s, d, ELEMENTS, DType.F32);
            case "alltoall" -> c.iallToAll(s, d, ELEMENTS, DType.F32);
            case "barrier" -> c.ibarrier();
            default -> throw new IllegalArgumentException("unknown operation " + op);
        };
    }

    /** The victim dies in a thread while it waits in the rendezvous; the last rank arrives late to keep it open. */
    private static void bootstrap(final int rank, final int size, final int victim) throws InterruptedException
    {
        if (rank == victim)
        {
            final Thread timer = new Thread(() ->
            {
                sleep(1_000);
                die(rank, "bootstrap", "rendezvous");
            });
            timer.setDaemon(true);
            timer.start();
        }
        else if (rank == size - 1)
        {
            sleep(2_000);
        }
        try (Ringfold rf = Ringfold.init())
        {
            rf.world().barrier();
            throw new AssertionError("rank " + rank + ": start-up succeeded although rank " + victim + " was killed");
        }
        catch (final RuntimeException ex)
        {
            report(rank, victim, "bootstrap", ex);
        }
    }

    static void report(final int rank, final int victim, final String phase, final RuntimeException ex)
    {
        final long at = System.currentTimeMillis();
        final String named = ex instanceof PeerFailedException p ? " (world rank " + p.worldRank() + ")" : "";
        System.out.println("fault: rank " + rank + " detected rank " + victim + " failure at " + at + " in " + phase +
            ": " + ex.getClass().getSimpleName() + named + ": " + ex.getMessage());
        System.out.flush();
    }

    /** Starts the executioner {@link #die} uses, so that the death itself forks nothing (the victim calls it early). */
    static void arm() throws IOException
    {
        killer = new ProcessBuilder("sh", "-c", "read go; kill -9 " + ProcessHandle.current().pid())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** A real SIGKILL from outside the JVM: no shutdown hooks, no close, exactly as the OOM killer would do it. */
    static void die(final int rank, final String op, final String point)
    {
        System.out.println("fault: rank " + rank + " killing itself at " + System.currentTimeMillis() + " (" + op +
            " " + point + ")");
        System.out.flush();
        try
        {
            if (killer != null)
            {
                killer.getOutputStream().write('\n');
                killer.getOutputStream().flush();
            }
            else
            {
                new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start();
            }
            Thread.sleep(60_000);
        }
        catch (final IOException | InterruptedException ex)
        {
            Runtime.getRuntime().halt(99);
        }
        Runtime.getRuntime().halt(98); // not reached: SIGKILL cannot be caught
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
