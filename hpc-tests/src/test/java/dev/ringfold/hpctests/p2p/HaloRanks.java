package dev.ringfold.hpctests.p2p;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.Status;

/**
 * A non-periodic 1-D halo exchange as MPI programs write it: every rank sendRecv's with its neighbours, the edge
 * ranks with {@link Communicator#PROC_NULL}; in every primitive array type, at offsets. Then PROC_NULL in the other
 * calls (non-blocking, probe), and bad arguments, after which the communicator still works.
 */
public final class HaloRanks
{
    private static final int TAG = 9;

    private HaloRanks()
    {
    }

    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final int me = world.rank();
            final int n = world.size();
            final int left = me == 0 ? Communicator.PROC_NULL : me - 1;
            final int right = me == n - 1 ? Communicator.PROC_NULL : me + 1;

            // halo to the right: send my cells 2..4, receive the left neighbour's into 5..7; untouched at the edge
            final double[] d = filled(new double[8], me);
            Status s = world.sendRecv(d, 2, 3, right, TAG, d, 5, 3, left, TAG);
            checkHalo(s, me, left, Double.BYTES, i -> d[5 + i], "double");
            final float[] f = new float[8];
            for (int i = 0; i < 8; i++)
            {
                f[i] = (float)(me * 100 + i);
            }
            s = world.sendRecv(f, 2, 3, right, TAG, f, 5, 3, left, TAG);
            checkHalo(s, me, left, Float.BYTES, i -> f[5 + i], "float");
            final long[] l = new long[8];
            final int[] k = new int[8];
            final byte[] b = new byte[8];
            for (int i = 0; i < 8; i++)
            {
                l[i] = me * 100L + i;
                k[i] = me * 100 + i;
                b[i] = (byte)(me * 10 + i);
            }
            s = world.sendRecv(l, 2, 3, right, TAG, l, 5, 3, left, TAG);
            checkHalo(s, me, left, Long.BYTES, i -> l[5 + i], "long");
            s = world.sendRecv(k, 2, 3, right, TAG, k, 5, 3, left, TAG);
            checkHalo(s, me, left, Integer.BYTES, i -> k[5 + i], "int");
            // and the halo to the left, in bytes: cells 2..4 go left, the right neighbour's arrive in 5..7
            s = world.sendRecv(b, 2, 3, left, TAG, b, 5, 3, right, TAG);
            for (int i = 0; i < 3; i++)
            {
                final int expected = right == Communicator.PROC_NULL ? me * 10 + 5 + i : right * 10 + 2 + i;
                Check.equal(expected, b[5 + i], "byte halo cell " + (5 + i) + " on rank " + me);
            }
            Check.equal(right == Communicator.PROC_NULL ? Communicator.PROC_NULL : right, s.source(), "byte source");

            // PROC_NULL in the other calls: complete at once, move nothing
            final int[] x = {42};
            final Request send = world.isend(x, 0, 1, Communicator.PROC_NULL, TAG);
            final Request recv = world.irecv(x, 0, 1, Communicator.PROC_NULL, TAG);
            Check.that(send.isComplete() && recv.isComplete(), "requests on PROC_NULL are complete at once");
            Request.waitAll(send, recv);
            Check.equal(Communicator.PROC_NULL, recv.status().source(), "irecv from PROC_NULL: source");
            Check.equal(0, recv.status().count(), "irecv from PROC_NULL: count");
            Check.equal(42, x[0], "irecv from PROC_NULL leaves the buffer");
            world.send(x, 0, 1, Communicator.PROC_NULL, TAG);
            s = world.recv(x, 0, 1, Communicator.PROC_NULL, Communicator.ANY_TAG);
            Check.equal(Communicator.ANY_TAG, s.tag(), "recv from PROC_NULL: tag");
            Check.equal(Communicator.PROC_NULL, world.probe(Communicator.PROC_NULL, TAG).source(), "probe PROC_NULL");
            final Status probed = world.iprobe(Communicator.PROC_NULL, TAG);
            Check.that(probed != null && probed.source() == Communicator.PROC_NULL, "iprobe PROC_NULL");

            // bad arguments: named, and the communicator still works afterwards
            final String bad = Check.raises(IllegalArgumentException.class,
                () -> world.sendRecv(d, 0, 1, n, TAG, d, 0, 1, left, TAG), "dest out of range").getMessage();
            Check.that(bad.contains("dest=" + n + " is outside [0, " + n + ") and is not PROC_NULL"), bad);
            final String beyond = Check.raises(IndexOutOfBoundsException.class,
                () -> world.sendRecv(d, 6, 3, right, TAG, d, 0, 1, left, TAG), "send beyond the array").getMessage();
            Check.that(beyond.contains("rank " + me + " of WORLD: send: offset=6 count=3 does not fit an array of " +
                "length 8"), beyond);
            final String source = Check.raises(IllegalArgumentException.class,
                () -> world.sendRecv(k, 0, 1, right, TAG, k, 0, 1, -4, TAG), "bad source").getMessage();
            Check.that(source.contains("source=-4") && source.contains("PROC_NULL"), source);
            s = world.sendRecv(k, 2, 3, right, TAG + 1, k, 5, 3, left, TAG + 1);
            checkHalo(s, me, left, Integer.BYTES, i -> k[5 + i], "int after rejected calls");

            world.barrier();
            System.out.println("ok halo rank " + me + " of " + n);
        }
    }

    private static double[] filled(final double[] a, final int rank)
    {
        for (int i = 0; i < a.length; i++)
        {
            a[i] = rank * 100 + i;
        }
        return a;
    }

    /** Cells 5..7 hold the left neighbour's cells 2..4 (value left*100 + i), or their own values at the edge. */
    private static void checkHalo(final Status s, final int me, final int left, final int elementBytes,
        final java.util.function.IntToDoubleFunction cell, final String type)
    {
        for (int i = 0; i < 3; i++)
        {
            final double expected = left == Communicator.PROC_NULL ? me * 100 + 5 + i : left * 100 + 2 + i;
            Check.that(cell.applyAsDouble(i) == expected, type + " halo cell " + (5 + i) + " on rank " + me +
                ": expected " + expected + ", got " + cell.applyAsDouble(i));
        }
        Check.equal(left, s.source(), type + " source on rank " + me);
        Check.equal(left == Communicator.PROC_NULL ? 0 : 3L * elementBytes, s.count(), type + " bytes on rank " + me);
    }
}
