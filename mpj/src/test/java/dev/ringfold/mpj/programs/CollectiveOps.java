package dev.ringfold.mpj.programs;

import mpi.Datatype;
import mpi.MPI;
import mpi.Op;
import mpi.User_function;

import java.util.Arrays;

import static dev.ringfold.mpj.programs.Print.out;

/** Every collective, the v-variants, Scan, Reduce_scatter, every op incl. MAXLOC/MINLOC and user ops (np = 4). */
public class CollectiveOps
{
    static int rank;


    /** Not commutative: a 2x2 integer matrix product, so the order of ranks shows. */
    static final class MatrixProduct extends User_function
    {
        @Override
        public void Call(final Object invec, final int inoffset, final Object inoutvec, final int inoutoffset,
            final int count, final Datatype datatype)
        {
            final int[] a = (int[])invec;
            final int[] b = (int[])inoutvec;
            for (int k = 0; k < count; k++)
            {
                final int i = inoffset + 4 * k;
                final int j = inoutoffset + 4 * k;
                final int c0 = a[i] * b[j] + a[i + 1] * b[j + 2];
                final int c1 = a[i] * b[j + 1] + a[i + 1] * b[j + 3];
                final int c2 = a[i + 2] * b[j] + a[i + 3] * b[j + 2];
                final int c3 = a[i + 2] * b[j + 1] + a[i + 3] * b[j + 3];
                b[j] = c0;
                b[j + 1] = c1;
                b[j + 2] = c2;
                b[j + 3] = c3;
            }
        }
    }

    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        rank = MPI.COMM_WORLD.Rank();
        final int size = MPI.COMM_WORLD.Size();

        final double[] bc = new double[5];
        if (rank == 2)
        {
            for (int i = 0; i < 5; i++)
            {
                bc[i] = i * 1.5;
            }
        }
        MPI.COMM_WORLD.Bcast(bc, 1, 3, MPI.DOUBLE, 2);
        out("bcast double " + Arrays.toString(bc));
        final short[] bs = rank == 0 ? new short[] {3, -4, 5} : new short[3];
        MPI.COMM_WORLD.Bcast(bs, 0, 3, MPI.SHORT, 0);
        out("bcast short " + Arrays.toString(bs));
        final Object[] bo = rank == 1 ? new Object[] {"hello", 7} : new Object[2];
        MPI.COMM_WORLD.Bcast(bo, 0, 2, MPI.OBJECT, 1);
        out("bcast object " + Arrays.toString(bo));

        final int[] v = {rank + 1, 10 - rank, rank * rank, 1 << rank};
        // BOR and BXOR: see StandardAnswers (MPJ Express 0.44 gets them wrong)
        final Op[] ops = {MPI.SUM, MPI.PROD, MPI.MAX, MPI.MIN, MPI.BAND};
        final String[] names = {"SUM", "PROD", "MAX", "MIN", "BAND"};
        for (int o = 0; o < ops.length; o++)
        {
            final int[] r = new int[4];
            MPI.COMM_WORLD.Allreduce(v, 0, r, 0, 4, MPI.INT, ops[o]);
            final int[] rr = new int[5];
            MPI.COMM_WORLD.Reduce(v, 0, rr, 0, 4, MPI.INT, ops[o], 3);
            final long[] lv = {rank + 1L << 33, rank};
            final long[] lr = new long[2];
            MPI.COMM_WORLD.Allreduce(lv, 0, lr, 0, 2, MPI.LONG, ops[o]);
            out("int " + names[o] + " " + Arrays.toString(r) + (rank == 3 ? " reduce " + Arrays.toString(rr) : "") +
                " long " + Arrays.toString(lr));
        }
        final Op[] fops = {MPI.SUM, MPI.PROD, MPI.MAX, MPI.MIN};
        for (int o = 0; o < fops.length; o++)
        {
            final double[] d = {rank + 0.5, -rank, 2.0};
            final double[] dr = new double[3];
            MPI.COMM_WORLD.Allreduce(d, 0, dr, 0, 3, MPI.DOUBLE, fops[o]);
            final float[] f = {rank * 2f};
            final float[] fr = new float[1];
            MPI.COMM_WORLD.Reduce(f, 0, fr, 0, 1, MPI.FLOAT, fops[o], 0);
            final short[] s = {(short)(rank + 2)};
            final short[] sr = new short[1];
            MPI.COMM_WORLD.Allreduce(s, 0, sr, 0, 1, MPI.SHORT, fops[o]);
            final byte[] y = {(byte)(rank - 1)};
            final byte[] yr = new byte[1];
            MPI.COMM_WORLD.Allreduce(y, 0, yr, 0, 1, MPI.BYTE, fops[o]);
            out("double " + names[o] + " " + Arrays.toString(dr) + (rank == 0 ? " float " + fr[0] : "") +
                " short " + sr[0] + " byte " + yr[0]);
        }
        // large enough for Ringfold's shared-memory all-reduce (it reads and writes the arrays in place); at
        // offsets: see StandardAnswers (MPJ Express 0.44 gets them wrong)
        final int big = 100_003;
        final float[] fs = new float[big];
        for (int i = 0; i < big; i++)
        {
            fs[i] = (rank + 1) * (i % 7);
        }
        final float[] fsum = new float[big];
        MPI.COMM_WORLD.Allreduce(fs, 0, fsum, 0, big, MPI.FLOAT, MPI.SUM);
        long digest = 0;
        for (final float x : fsum)
        {
            digest = digest * 31 + (long)x;
        }
        out("large float SUM digest " + digest);
        final boolean[] bv = {true, rank == 0, rank % 2 == 0};
        final Op[] lops = {MPI.LAND, MPI.LOR, MPI.LXOR};
        for (int o = 0; o < lops.length; o++)
        {
            final boolean[] br = new boolean[3];
            MPI.COMM_WORLD.Allreduce(bv, 0, br, 0, 3, MPI.BOOLEAN, lops[o]);
            out("boolean op" + o + " " + Arrays.toString(br));
        }
        // MAXLOC / MINLOC on (value, index) pairs, with ties
        final int[] pairs = {rank % 2, rank, 10 - rank, rank};
        final int[] maxloc = new int[4];
        final int[] minloc = new int[4];
        MPI.COMM_WORLD.Allreduce(pairs, 0, maxloc, 0, 2, MPI.INT2, MPI.MAXLOC);
        MPI.COMM_WORLD.Allreduce(pairs, 0, minloc, 0, 2, MPI.INT2, MPI.MINLOC);
        out("maxloc " + Arrays.toString(maxloc) + " minloc " + Arrays.toString(minloc));
        final double[] dpairs = {rank * 1.5, rank};
        final double[] dmax = new double[2];
        MPI.COMM_WORLD.Reduce(dpairs, 0, dmax, 0, 1, MPI.DOUBLE2, MPI.MAXLOC, 0);
        if (rank == 0)
        {
            out("double maxloc " + Arrays.toString(dmax));
        }
        // a user op that does not commute
        final Op matmul = new Op(new MatrixProduct(), false);
        final int[] m = {1, rank, 0, 1};
        final int[] mr = new int[4];
        MPI.COMM_WORLD.Allreduce(m, 0, mr, 0, 1, Datatype.Contiguous(4, MPI.INT), matmul);
        out("user op " + Arrays.toString(mr));
        final int[] m2 = {1, rank + 1, 0, 1};
        final int[] sr2 = new int[4];
        MPI.COMM_WORLD.Scan(m2, 0, sr2, 0, 1, Datatype.Contiguous(4, MPI.INT), matmul);
        out("user scan (commuting operands) " + Arrays.toString(sr2));

        // Scan, Reduce_scatter
        final int[] sc = new int[2];
        MPI.COMM_WORLD.Scan(new int[] {rank + 1, 2}, 0, sc, 0, 2, MPI.INT, MPI.SUM);
        final double[] scd = new double[1];
        MPI.COMM_WORLD.Scan(new double[] {rank + 1}, 0, scd, 0, 1, MPI.DOUBLE, MPI.PROD);
        out("scan " + Arrays.toString(sc) + " " + scd[0]);
        // Reduce_scatter: see StandardAnswers (MPJ Express 0.44 gets it wrong)

        // Gather, Gatherv, Scatter, Scatterv, Allgather, Allgatherv, Alltoall, Alltoallv
        final int[] g = new int[2 * size];
        MPI.COMM_WORLD.Gather(new int[] {rank, -rank}, 0, 2, MPI.INT, g, 0, 2, MPI.INT, 1);
        if (rank == 1)
        {
            out("gather " + Arrays.toString(g));
        }
        final int[] vc = {1, 2, 3, 4};
        final int[] vd = {9, 0, 6, 2};
        final long[] gv = new long[10];
        final long[] mine = new long[rank + 1];
        Arrays.fill(mine, 100 + rank);
        MPI.COMM_WORLD.Gatherv(mine, 0, rank + 1, MPI.LONG, gv, 0, vc, vd, MPI.LONG, 0);
        if (rank == 0)
        {
            out("gatherv " + Arrays.toString(gv));
        }
        final double[] sa = new double[2 * size];
        for (int i = 0; i < sa.length; i++)
        {
            sa[i] = i * 0.5;
        }
        final double[] sr = new double[2];
        MPI.COMM_WORLD.Scatter(sa, 0, 2, MPI.DOUBLE, sr, 0, 2, MPI.DOUBLE, 3);
        out("scatter " + Arrays.toString(sr));
        final char[] svs = "abcdefghij".toCharArray();
        final char[] svr = new char[rank + 1];
        MPI.COMM_WORLD.Scatterv(svs, 0, vc, vd, MPI.CHAR, svr, 0, rank + 1, MPI.CHAR, 2);
        out("scatterv " + new String(svr));
        final int[] ag = new int[size];
        MPI.COMM_WORLD.Allgather(new int[] {rank * rank}, 0, 1, MPI.INT, ag, 0, 1, MPI.INT);
        out("allgather " + Arrays.toString(ag));
        final long[] agv = new long[10];
        MPI.COMM_WORLD.Allgatherv(mine, 0, rank + 1, MPI.LONG, agv, 0, vc, vd, MPI.LONG);
        out("allgatherv " + Arrays.toString(agv));
        final int[] a2a = new int[size];
        for (int i = 0; i < size; i++)
        {
            a2a[i] = rank * 10 + i;
        }
        final int[] a2r = new int[size];
        MPI.COMM_WORLD.Alltoall(a2a, 0, 1, MPI.INT, a2r, 0, 1, MPI.INT);
        out("alltoall " + Arrays.toString(a2r));
        final int[] scount = new int[size];
        final int[] sdisp = new int[size];
        final int[] rcount = new int[size];
        final int[] rdisp = new int[size];
        int sTotal = 0;
        int rTotal = 0;
        for (int p = 0; p < size; p++)
        {
            scount[p] = p + 1;
            sdisp[p] = sTotal;
            sTotal += scount[p];
            rcount[p] = rank + 1;
            rdisp[p] = rTotal;
            rTotal += rcount[p];
        }
        final int[] a2vs = new int[sTotal];
        for (int i = 0; i < sTotal; i++)
        {
            a2vs[i] = rank * 100 + i;
        }
        final int[] a2vr = new int[rTotal];
        MPI.COMM_WORLD.Alltoallv(a2vs, 0, scount, sdisp, MPI.INT, a2vr, 0, rcount, rdisp, MPI.INT);
        out("alltoallv " + Arrays.toString(a2vr));
        final Object[] og = new Object[size];
        MPI.COMM_WORLD.Allgather(new Object[] {"r" + rank}, 0, 1, MPI.OBJECT, og, 0, 1, MPI.OBJECT);
        out("allgather objects " + Arrays.toString(og));

        MPI.COMM_WORLD.Barrier();
        out("DONE");
        MPI.Finalize();
    }
}
