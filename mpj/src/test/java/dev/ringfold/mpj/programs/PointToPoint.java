package dev.ringfold.mpj.programs;

import mpi.Datatype;
import mpi.MPI;
import mpi.Prequest;
import mpi.Request;
import mpi.Status;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static dev.ringfold.mpj.programs.Print.out;

/** Point-to-point in every mode, every basic type, wildcards, probing, request sets, OBJECT messages (np = 4). */
public class PointToPoint
{
    static int rank;


    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        rank = MPI.COMM_WORLD.Rank();
        final int size = MPI.COMM_WORLD.Size();
        final int right = (rank + 1) % size;
        final int left = (rank + size - 1) % size;

        // every basic type around the ring with offsets
        final int[] ia = {rank, rank * 10, rank * 100, -rank};
        final int[] ib = new int[6];
        MPI.COMM_WORLD.Sendrecv(ia, 1, 3, MPI.INT, right, 1, ib, 2, 3, MPI.INT, left, 1);
        out("int " + Arrays.toString(ib));
        final long[] la = {1L << 40 | rank, -rank};
        final long[] lb = new long[2];
        MPI.COMM_WORLD.Sendrecv(la, 0, 2, MPI.LONG, right, 2, lb, 0, 2, MPI.LONG, left, 2);
        out("long " + Arrays.toString(lb));
        final double[] da = {rank + 0.5, -rank * 0.25};
        final double[] db = new double[2];
        MPI.COMM_WORLD.Sendrecv(da, 0, 2, MPI.DOUBLE, right, 3, db, 0, 2, MPI.DOUBLE, left, 3);
        out("double " + Arrays.toString(db));
        final float[] fa = {rank + 0.75f};
        final float[] fb = new float[1];
        MPI.COMM_WORLD.Sendrecv(fa, 0, 1, MPI.FLOAT, right, 4, fb, 0, 1, MPI.FLOAT, left, 4);
        out("float " + Arrays.toString(fb));
        final short[] sa = {(short)(rank - 7), (short)30000};
        final short[] sb = new short[2];
        MPI.COMM_WORLD.Sendrecv(sa, 0, 2, MPI.SHORT, right, 5, sb, 0, 2, MPI.SHORT, left, 5);
        out("short " + Arrays.toString(sb));
        final char[] ca = {(char)('a' + rank), '\u00e9'};
        final char[] cb = new char[2];
        MPI.COMM_WORLD.Sendrecv(ca, 0, 2, MPI.CHAR, right, 6, cb, 0, 2, MPI.CHAR, left, 6);
        out("char " + new String(cb));
        final boolean[] ba = {rank % 2 == 0, true, false};
        final boolean[] bb = new boolean[3];
        MPI.COMM_WORLD.Sendrecv(ba, 0, 3, MPI.BOOLEAN, right, 7, bb, 0, 3, MPI.BOOLEAN, left, 7);
        out("boolean " + Arrays.toString(bb));
        final byte[] ya = {(byte)rank, (byte)-1, 42};
        final byte[] yb = new byte[3];
        MPI.COMM_WORLD.Sendrecv(ya, 0, 3, MPI.BYTE, right, 8, yb, 0, 3, MPI.BYTE, left, 8);
        out("byte " + Arrays.toString(yb));

        // the modes: standard, synchronous, buffered, ready, to rank 0 from everyone
        if (rank == 0)
        {
            final int[] got = new int[1];
            for (int i = 1; i < size; i++)
            {
                final Status s = MPI.COMM_WORLD.Recv(got, 0, 1, MPI.INT, i, 20);
                out("standard from " + s.source + " tag " + s.tag + " = " + got[0]);
                MPI.COMM_WORLD.Recv(got, 0, 1, MPI.INT, i, 21);
                out("synchronous from " + i + " = " + got[0]);
                MPI.COMM_WORLD.Recv(got, 0, 1, MPI.INT, i, 22);
                out("buffered from " + i + " = " + got[0]);
            }
        }
        else
        {
            MPI.COMM_WORLD.Send(new int[] {rank * 2}, 0, 1, MPI.INT, 0, 20);
            MPI.COMM_WORLD.Ssend(new int[] {rank * 3}, 0, 1, MPI.INT, 0, 21);
            MPI.Buffer_attach(ByteBuffer.allocateDirect(1024));
            MPI.COMM_WORLD.Bsend(new int[] {rank * 4}, 0, 1, MPI.INT, 0, 22);
            MPI.Buffer_detach();
        }
        // ready mode: the receive is posted before a barrier, the send after it
        final int[] ready = new int[1];
        final Request posted = MPI.COMM_WORLD.Irecv(ready, 0, 1, MPI.INT, left, 23);
        MPI.COMM_WORLD.Barrier();
        MPI.COMM_WORLD.Rsend(new int[] {100 + rank}, 0, 1, MPI.INT, right, 23);
        posted.Wait();
        out("ready " + ready[0]);

        // synchronous mode waits for the receive, however small the message: the next rank posts it only after a
        // later message says go
        final Request sync = MPI.COMM_WORLD.Issend(new int[] {rank}, 0, 1, MPI.INT, right, 24);
        final long until = System.nanoTime() + 50_000_000L;
        boolean early = false;
        while (!early && System.nanoTime() < until)
        {
            early = sync.Test() != null;
        }
        final Request go = MPI.COMM_WORLD.Isend(new int[1], 0, 1, MPI.INT, right, 25);
        MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, left, 25);
        final int[] synced = new int[1];
        MPI.COMM_WORLD.Recv(synced, 0, 1, MPI.INT, left, 24);
        go.Wait();
        sync.Wait();
        out("issend " + (early ? "completed before its receive was posted" : "waited for its receive") + ", got " +
            synced[0]);

        // wildcards: rank 0 receives size-1 messages from anyone with any tag, ordered by what it reports
        if (rank == 0)
        {
            final int[] sum = new int[1];
            int total = 0;
            int tags = 0;
            for (int i = 1; i < size; i++)
            {
                final Status s = MPI.COMM_WORLD.Recv(sum, 0, 1, MPI.INT, MPI.ANY_SOURCE, MPI.ANY_TAG);
                if (s.tag != 30 + s.source || sum[0] != s.source * 7 || s.Get_count(MPI.INT) != 1)
                {
                    out("WRONG wildcard " + s.source + " " + s.tag + " " + sum[0]);
                }
                total += sum[0];
                tags += s.tag;
            }
            out("wildcards total " + total + " tags " + tags);
        }
        else
        {
            MPI.COMM_WORLD.Send(new int[] {rank * 7}, 0, 1, MPI.INT, 0, 30 + rank);
        }

        // probe then receive a message of unknown length
        if (rank == 1)
        {
            MPI.COMM_WORLD.Send(new double[] {1, 2, 3, 4, 5}, 0, 5, MPI.DOUBLE, 2, 40);
        }
        if (rank == 2)
        {
            final Status p = MPI.COMM_WORLD.Probe(MPI.ANY_SOURCE, 40);
            final int n = p.Get_count(MPI.DOUBLE);
            final double[] d = new double[n];
            final Status s = MPI.COMM_WORLD.Recv(d, 0, n, MPI.DOUBLE, p.source, p.tag);
            out("probed " + p.source + " " + n + " " + Arrays.toString(d) + " elements " + s.Get_elements(MPI.DOUBLE));
            out("iprobe after " + (MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG) == null ? "nothing" : "something"));
        }
        MPI.COMM_WORLD.Barrier();

        // non-blocking: Isend/Irecv/Issend with Waitall, Waitany, Testall, Waitsome
        final int[][] in = new int[size][1];
        final Request[] reqs = new Request[2 * size];
        for (int p = 0; p < size; p++)
        {
            reqs[p] = MPI.COMM_WORLD.Irecv(in[p], 0, 1, MPI.INT, p, 50);
        }
        for (int p = 0; p < size; p++)
        {
            reqs[size + p] = p % 2 == 0 ? MPI.COMM_WORLD.Isend(new int[] {rank * 1000 + p}, 0, 1, MPI.INT, p, 50) :
                MPI.COMM_WORLD.Issend(new int[] {rank * 1000 + p}, 0, 1, MPI.INT, p, 50);
        }
        final Status[] all = Request.Waitall(reqs);
        final StringBuilder text = new StringBuilder();
        for (int p = 0; p < size; p++)
        {
            text.append(in[p][0]).append(all[p].source == p ? "" : "!").append(' ');
        }
        out("waitall " + text);
        final Request[] any = new Request[size - 1];
        final int[][] anyIn = new int[size][1];
        for (int p = 0, k = 0; p < size; p++)
        {
            if (p != rank)
            {
                any[k++] = MPI.COMM_WORLD.Irecv(anyIn[p], 0, 1, MPI.INT, p, 51);
            }
        }
        for (int p = 0; p < size; p++)
        {
            if (p != rank)
            {
                MPI.COMM_WORLD.Send(new int[] {rank + 1}, 0, 1, MPI.INT, p, 51);
            }
        }
        int anySum = 0;
        for (int k = 0; k < size - 1; k++)
        {
            final Status s = Request.Waitany(any);
            anySum += anyIn[s.source][0];
        }
        out("waitany sum " + anySum);
        MPI.COMM_WORLD.Barrier();
        final Request r1 = MPI.COMM_WORLD.Irecv(new int[1], 0, 1, MPI.INT, left, 52);
        out("testall before " + (Request.Testall(new Request[] {r1}) == null ? "incomplete" : "complete"));
        MPI.COMM_WORLD.Barrier(); // nobody sends before everyone has tested
        MPI.COMM_WORLD.Send(new int[] {9}, 0, 1, MPI.INT, right, 52);
        int found = 0;
        while (found < 1)
        {
            found += Request.Waitsome(new Request[] {r1}).length;
        }
        out("waitsome " + found);

        // persistent requests, three rounds
        final int[] pbuf = new int[1];
        final int[] rbuf = new int[1];
        final Prequest ps = MPI.COMM_WORLD.Send_init(pbuf, 0, 1, MPI.INT, right, 60);
        final Prequest pr = MPI.COMM_WORLD.Recv_init(rbuf, 0, 1, MPI.INT, left, 60);
        int persistent = 0;
        for (int round = 0; round < 3; round++)
        {
            pbuf[0] = rank * 10 + round;
            pr.Start();
            ps.Start();
            Request.Waitall(new Request[] {ps, pr});
            persistent += rbuf[0];
        }
        out("persistent " + persistent);

        // Sendrecv_replace
        final int[] rep = {rank, rank * rank};
        MPI.COMM_WORLD.Sendrecv_replace(rep, 0, 2, MPI.INT, right, 70, left, 70);
        out("replace " + Arrays.toString(rep));

        // OBJECT messages
        final Object[] objs = {"from " + rank, Integer.valueOf(rank * 11), new int[] {rank, rank}, null};
        final Object[] got = new Object[5];
        MPI.COMM_WORLD.Sendrecv(objs, 0, 3, MPI.OBJECT, right, 80, got, 1, 3, MPI.OBJECT, left, 80);
        out("objects " + got[0] + " " + got[1] + " " + got[2] + " " + Arrays.toString((int[])got[3]) + " " + got[4]);
        final Object[] nb = new Object[2];
        final Request orq = MPI.COMM_WORLD.Irecv(nb, 0, 2, MPI.OBJECT, MPI.ANY_SOURCE, 81);
        MPI.COMM_WORLD.Isend(new Object[] {java.util.List.of(rank, "x"), 2.5}, 0, 2, MPI.OBJECT, right, 81).Wait();
        final Status os = orq.Wait();
        out("object irecv " + nb[0] + " " + nb[1] + " from " + os.source);

        MPI.COMM_WORLD.Barrier();
        out("DONE");
        MPI.Finalize();
    }
}
