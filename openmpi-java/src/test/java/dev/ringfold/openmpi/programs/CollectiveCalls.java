package dev.ringfold.openmpi.programs;

import mpi.Datatype;
import mpi.DoubleInt;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Op;
import mpi.Request;
import mpi.UserFunction;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/** Every collective, its in-place, v- and i-forms, with arrays and direct buffers, and every op. */
public final class CollectiveCalls
{
    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final Intracomm w = MPI.COMM_WORLD;
        final int me = w.getRank();
        final int n = w.getSize();
        final Out out = new Out(me);
        final int root = n - 1;

        // broadcast: array, direct buffer, derived type, non-blocking
        final double[] b = me == 1 ? new double[]{1.5, 2.5, 3.5} : new double[3];
        w.bcast(b, 3, MPI.DOUBLE, 1);
        out.line("bcast array", b);
        final IntBuffer bb = MPI.newIntBuffer(5);
        if (me == 0)
        {
            for (int i = 0; i < 5; i++)
            {
                bb.put(i, 7 * i);
            }
        }
        w.bcast(bb, 5, MPI.INT, 0);
        out.line("bcast direct", bb);
        final Datatype pairs = Datatype.createVector(2, 1, 3, MPI.LONG);
        pairs.commit();
        final long[] lv = me == root ? new long[]{11, -1, -1, 22} : new long[4];
        w.bcast(lv, 1, pairs, root);
        out.line("bcast vector type", lv);
        final LongBuffer ib = MPI.newLongBuffer(2);
        if (me == 0)
        {
            ib.put(0, 42).put(1, 43);
        }
        w.iBcast(ib, 2, MPI.LONG, 0).waitFor();
        out.line("iBcast", ib);

        // gather / gatherv / scatter / scatterv / allGather / allGatherv / allToAll / allToAllv
        final int[] g = new int[2 * n];
        w.gather(new int[]{me, me * me}, 2, MPI.INT, g, 2, MPI.INT, root);
        out.line("gather at root", me == root ? g : "-");
        final int[] gp = new int[n];
        gp[me] = me + 100;
        w.gather(gp, 1, MPI.INT, 0);
        out.line("gather in place", me == 0 ? gp : "-");
        final int[] counts = new int[n];
        final int[] displs = new int[n];
        int total = 0;
        for (int r = 0; r < n; r++)
        {
            counts[r] = r + 1;
            displs[r] = total + r;
            total += r + 1 + r;
        }
        final int[] mine = new int[me + 1];
        java.util.Arrays.fill(mine, me);
        final int[] gv = new int[total];
        w.gatherv(mine, me + 1, MPI.INT, gv, counts, displs, MPI.INT, 0);
        out.line("gatherv", me == 0 ? gv : "-");
        final int[] sc = new int[n];
        final double[] scatterSrc = new double[2 * n];
        for (int i = 0; i < scatterSrc.length; i++)
        {
            scatterSrc[i] = i * 0.5;
        }
        final double[] part = new double[2];
        w.scatter(scatterSrc, 2, MPI.DOUBLE, part, 2, MPI.DOUBLE, 0);
        out.line("scatter", part);
        final int[] sv = new int[total];
        for (int i = 0; i < total; i++)
        {
            sv[i] = i;
        }
        final int[] svr = new int[me + 1];
        w.scatterv(sv, counts, displs, MPI.INT, svr, me + 1, MPI.INT, root);
        out.line("scatterv", svr);
        final long[] ag = new long[n];
        w.allGather(new long[]{me * 3L}, 1, MPI.LONG, ag, 1, MPI.LONG);
        out.line("allGather", ag);
        final long[] agp = new long[n];
        agp[me] = -me;
        w.allGather(agp, 1, MPI.LONG);
        out.line("allGather in place", agp);
        final int[] agv = new int[total];
        w.allGatherv(mine, me + 1, MPI.INT, agv, counts, displs, MPI.INT);
        out.line("allGatherv", agv);
        final int[] a2a = new int[n];
        final int[] a2aIn = new int[n];
        for (int r = 0; r < n; r++)
        {
            a2aIn[r] = me * 10 + r;
        }
        w.allToAll(a2aIn, 1, MPI.INT, a2a, 1, MPI.INT);
        out.line("allToAll", a2a);
        final int[] scounts = new int[n];
        final int[] sdispls = new int[n];
        final int[] rcounts = new int[n];
        final int[] rdispls = new int[n];
        int st = 0;
        int rt = 0;
        for (int r = 0; r < n; r++)
        {
            scounts[r] = r + 1;
            sdispls[r] = st;
            st += r + 1;
            rcounts[r] = me + 1;
            rdispls[r] = rt;
            rt += me + 1;
        }
        final int[] vin = new int[st];
        for (int i = 0; i < st; i++)
        {
            vin[i] = me * 100 + i;
        }
        final int[] vout = new int[rt];
        w.allToAllv(vin, scounts, sdispls, MPI.INT, vout, rcounts, rdispls, MPI.INT);
        out.line("allToAllv", vout);
        final IntBuffer ia = MPI.newIntBuffer(n);
        final IntBuffer ib2 = MPI.newIntBuffer(n);
        for (int r = 0; r < n; r++)
        {
            ia.put(r, me + r * 1000);
        }
        w.iAllToAll(ia, 1, MPI.INT, ib2, 1, MPI.INT).waitFor();
        out.line("iAllToAll", ib2);
        final IntBuffer igs = MPI.newIntBuffer(1);
        igs.put(0, me * 5);
        final IntBuffer igr = MPI.newIntBuffer(n);
        w.iAllGather(igs, 1, MPI.INT, igr, 1, MPI.INT).waitFor();
        out.line("iAllGather", igr);

        // reductions with every op, arrays and buffers, in place and not
        final int[] iv = {me + 1, -(me + 1), me % 2, 1 << me};
        final Op[] intOps = {MPI.MAX, MPI.MIN, MPI.SUM, MPI.PROD, MPI.LAND, MPI.LOR, MPI.LXOR, MPI.BAND, MPI.BOR,
            MPI.BXOR};
        final String[] names = {"MAX", "MIN", "SUM", "PROD", "LAND", "LOR", "LXOR", "BAND", "BOR", "BXOR"};
        for (int k = 0; k < intOps.length; k++)
        {
            final int[] r = new int[4];
            w.allReduce(iv, r, 4, MPI.INT, intOps[k]);
            out.line("allReduce int " + names[k], r);
        }
        final double[] dv = {me * 0.5, -me, 1.0 + me};
        final double[] dr = new double[3];
        w.reduce(dv, dr, 3, MPI.DOUBLE, MPI.SUM, root);
        out.line("reduce double SUM at root", me == root ? dr : "-");
        final double[] dm = {me * 0.5, -me, 1.0 + me};
        w.allReduce(dm, 3, MPI.DOUBLE, MPI.MAX);
        out.line("allReduce in place MAX", dm);
        final long[] lr = {me, 2L * me};
        w.reduce(lr, 2, MPI.LONG, MPI.PROD, 0);
        out.line("reduce in place PROD", me == 0 ? lr : "-");
        final short[] shv = {(short)me, (short)(3 - me)};
        final short[] shr = new short[2];
        w.allReduce(shv, shr, 2, MPI.SHORT, MPI.SUM);
        out.line("allReduce short", shr);
        final boolean[] bv = {me == 0, true, me % 2 == 1};
        final boolean[] brl = new boolean[3];
        w.allReduce(bv, brl, 3, MPI.BOOLEAN, MPI.LOR);
        out.line("allReduce boolean LOR", brl);
        final DoubleBuffer dbs = MPI.newDoubleBuffer(2);
        final DoubleBuffer dbr = MPI.newDoubleBuffer(2);
        dbs.put(0, me).put(1, 10.0 - me);
        w.allReduce(dbs, dbr, 2, MPI.DOUBLE, MPI.MIN);
        out.line("allReduce direct MIN", dbr);
        final DoubleBuffer idb = MPI.newDoubleBuffer(2);
        idb.put(0, me).put(1, 1);
        w.iAllReduce(idb, 2, MPI.DOUBLE, MPI.SUM).waitFor();
        out.line("iAllReduce in place", idb);
        final IntBuffer irs = MPI.newIntBuffer(2);
        final IntBuffer irr = MPI.newIntBuffer(2);
        irs.put(0, me).put(1, 1);
        w.iReduce(irs, irr, 2, MPI.INT, MPI.SUM, 0).waitFor();
        out.line("iReduce", me == 0 ? irr : "-");

        // MAXLOC / MINLOC on value-index pairs
        final DoubleInt di = MPI.doubleInt;
        final ByteBuffer pairIn = MPI.newByteBuffer(2 * di.getExtent());
        final ByteBuffer pairOut = MPI.newByteBuffer(2 * di.getExtent());
        final DoubleInt.Data p0 = di.getData(pairIn, 0);
        final DoubleInt.Data p1 = di.getData(pairIn, 1);
        p0.putValue(me % 2 == 0 ? 5.0 : me);
        p0.putIndex(me);
        p1.putValue(-me);
        p1.putIndex(me);
        w.allReduce(pairIn, pairOut, 2, MPI.DOUBLE_INT, MPI.MAXLOC);
        final DoubleInt.Data q0 = di.getData(pairOut, 0);
        final DoubleInt.Data q1 = di.getData(pairOut, 1);
        out.line("MAXLOC", q0.getValue() + "@" + q0.getIndex() + " " + q1.getValue() + "@" + q1.getIndex());
        // (Open MPI's pair types need buffers: its array path copies count * extent ints of an int[])
        final IntBuffer i2 = MPI.newIntBuffer(4);
        final IntBuffer i2r = MPI.newIntBuffer(4);
        i2.put(0, me % 3).put(1, me).put(2, (n - me) % 2).put(3, me);
        w.allReduce(i2, i2r, 2, MPI.INT2, MPI.MINLOC);
        out.line("MINLOC INT2", i2r);

        // user ops: commutative (array form) and non-commutative (2x2 integer matrix product, buffer form)
        final Op absMax = new Op(new UserFunction()
        {
            @Override
            public void call(final Object in, final Object inOut, final int count, final Datatype type)
            {
                final int[] a = (int[])in;
                final int[] b = (int[])inOut;
                for (int i = 0; i < count; i++)
                {
                    b[i] = Math.abs(a[i]) > Math.abs(b[i]) ? a[i] : b[i];
                }
            }
        }, true);
        final int[] ua = {me * (me % 2 == 0 ? 1 : -1), 3 - me};
        final int[] ur = new int[2];
        w.allReduce(ua, ur, 2, MPI.INT, absMax);
        out.line("user op absMax", ur);
        final Op matMul = new Op(new UserFunction()
        {
            @Override
            public void call(final ByteBuffer in, final ByteBuffer inOut, final int count, final Datatype type)
            {
                final IntBuffer a = in.asIntBuffer();
                final IntBuffer b = inOut.asIntBuffer();
                for (int m = 0; m < count / 4; m++)
                {
                    final int o = 4 * m;
                    final int c0 = a.get(o) * b.get(o) + a.get(o + 1) * b.get(o + 2);
                    final int c1 = a.get(o) * b.get(o + 1) + a.get(o + 1) * b.get(o + 3);
                    final int c2 = a.get(o + 2) * b.get(o) + a.get(o + 3) * b.get(o + 2);
                    final int c3 = a.get(o + 2) * b.get(o + 1) + a.get(o + 3) * b.get(o + 3);
                    b.put(o, c0).put(o + 1, c1).put(o + 2, c2).put(o + 3, c3);
                }
            }
        }, false);
        final int[] mat = {1, me + 1, me, 1};
        final int[] prod = new int[4];
        w.allReduce(mat, prod, 4, MPI.INT, matMul);
        out.line("non-commutative allReduce", prod);
        final int[] scanned = new int[4];
        w.scan(mat, scanned, 4, MPI.INT, matMul);
        out.line("non-commutative scan", scanned);

        // scan, exScan, reduceScatter, reduceScatterBlock, reduceLocal
        final long[] sl = {me + 1, 1};
        final long[] slr = new long[2];
        w.scan(sl, slr, 2, MPI.LONG, MPI.SUM);
        out.line("scan", slr);
        final long[] ex = {-7, -7};
        w.exScan(sl, ex, 2, MPI.LONG, MPI.SUM);
        out.line("exScan", me == 0 ? "-" : ex);
        final int[] scanIn = {me, 2};
        w.scan(scanIn, 2, MPI.INT, MPI.PROD);
        out.line("scan in place PROD", scanIn);
        final int[] rsCounts = new int[n];
        int rsTotal = 0;
        for (int r = 0; r < n; r++)
        {
            rsCounts[r] = r % 2 + 1;
            rsTotal += rsCounts[r];
        }
        final int[] rsIn = new int[rsTotal];
        for (int i = 0; i < rsTotal; i++)
        {
            rsIn[i] = i * (me + 1);
        }
        final int[] rsOut = new int[rsCounts[me]];
        w.reduceScatter(rsIn, rsOut, rsCounts, MPI.INT, MPI.SUM);
        out.line("reduceScatter", rsOut);
        final double[] rbIn = new double[2 * n];
        for (int i = 0; i < rbIn.length; i++)
        {
            rbIn[i] = i + me;
        }
        final double[] rbOut = new double[2];
        w.reduceScatterBlock(rbIn, rbOut, 2, MPI.DOUBLE, MPI.MAX);
        out.line("reduceScatterBlock", rbOut);
        final int[] loc = {1, 2, 3};
        final int[] locIo = {10, 20, 30};
        mpi.Comm.reduceLocal(loc, locIo, 3, MPI.INT, MPI.PROD);
        out.line("reduceLocal", locIo);

        // barrier forms
        w.barrier();
        final Request rb = w.iBarrier();
        rb.waitFor();
        out.line("iBarrier done", rb.isNull());
        MPI.Finalize();
    }
}
