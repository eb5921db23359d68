package dev.ringfold.openmpi.programs;

import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;
import mpi.Message;
import mpi.Prequest;
import mpi.Request;
import mpi.Status;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;

/** Point-to-point in every form, between ring neighbours; written against Open MPI 4.1's Java API. */
public final class PointToPoint
{
    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final int me = MPI.COMM_WORLD.getRank();
        final int n = MPI.COMM_WORLD.getSize();
        final Out out = new Out(me);
        final int right = (me + 1) % n;
        final int left = (me + n - 1) % n;

        // blocking, every primitive array type, to the right neighbour (even ranks send first)
        final int[] ints = {me, me * 10, me * 100};
        final long[] longs = {me * 1_000_000_000_000L, -me};
        final double[] doubles = {me + 0.5, -me - 0.25};
        final float[] floats = {me * 1.5f};
        final short[] shorts = {(short)(me * 7), (short)-me};
        final char[] chars = {(char)('a' + me)};
        final byte[] bytes = {(byte)me, (byte)(me * 3)};
        final boolean[] booleans = {me % 2 == 0, true};
        final int[] rInts = new int[3];
        final long[] rLongs = new long[2];
        final double[] rDoubles = new double[2];
        final float[] rFloats = new float[1];
        final short[] rShorts = new short[2];
        final char[] rChars = new char[1];
        final byte[] rBytes = new byte[2];
        final boolean[] rBooleans = new boolean[2];
        for (int turn = 0; turn < 2; turn++)
        {
            if ((me % 2 == 0) == (turn == 0))
            {
                MPI.COMM_WORLD.send(ints, 3, MPI.INT, right, 1);
                MPI.COMM_WORLD.send(longs, 2, MPI.LONG, right, 2);
                MPI.COMM_WORLD.send(doubles, 2, MPI.DOUBLE, right, 3);
                MPI.COMM_WORLD.send(floats, 1, MPI.FLOAT, right, 4);
                MPI.COMM_WORLD.send(shorts, 2, MPI.SHORT, right, 5);
                MPI.COMM_WORLD.send(chars, 1, MPI.CHAR, right, 6);
                MPI.COMM_WORLD.send(bytes, 2, MPI.BYTE, right, 7);
                MPI.COMM_WORLD.send(booleans, 2, MPI.BOOLEAN, right, 8);
            }
            else
            {
                final Status s = MPI.COMM_WORLD.recv(rInts, 3, MPI.INT, left, 1);
                out.line("recv int source/tag/count", s.getSource() + "/" + s.getTag() + "/" + s.getCount(MPI.INT));
                MPI.COMM_WORLD.recv(rLongs, 2, MPI.LONG, left, 2);
                MPI.COMM_WORLD.recv(rDoubles, 2, MPI.DOUBLE, left, 3);
                MPI.COMM_WORLD.recv(rFloats, 1, MPI.FLOAT, left, 4);
                MPI.COMM_WORLD.recv(rShorts, 2, MPI.SHORT, left, 5);
                MPI.COMM_WORLD.recv(rChars, 1, MPI.CHAR, left, 6);
                MPI.COMM_WORLD.recv(rBytes, 2, MPI.BYTE, left, 7);
                MPI.COMM_WORLD.recv(rBooleans, 2, MPI.BOOLEAN, left, 8);
            }
        }
        out.line("ints", rInts);
        out.line("longs", rLongs);
        out.line("doubles", rDoubles);
        out.line("floats", rFloats);
        out.line("shorts", rShorts);
        out.line("chars", rChars);
        out.line("bytes", rBytes);
        out.line("booleans", rBooleans);

        // a slice of an array (Open MPI's way to send from an offset) and a heap buffer
        final int[] big = {0, 1, 2, 3, 4, 5, 6, 7};
        final int[] into = new int[8];
        MPI.COMM_WORLD.sendRecv(MPI.slice(big, 2 + me % 3), 3, MPI.INT, right, 9, MPI.slice(into, 4), 3, MPI.INT,
            left, 9);
        out.line("slice sendRecv", into);

        // direct buffers, non-blocking, wait for all
        final IntBuffer sendBuf = MPI.newIntBuffer(4);
        final IntBuffer recvBuf = MPI.newIntBuffer(4);
        for (int i = 0; i < 4; i++)
        {
            sendBuf.put(i, me * 4 + i);
        }
        final Request[] rs = {MPI.COMM_WORLD.iRecv(recvBuf, 4, MPI.INT, left, 10),
            MPI.COMM_WORLD.iSend(sendBuf, 4, MPI.INT, right, 10)};
        final Status[] st = Request.waitAllStatus(rs);
        out.line("iRecv status", st[0].getSource() + "/" + st[0].getTag() + "/" + st[0].getCount(MPI.INT));
        out.line("iRecv direct", recvBuf);
        out.line("request null after wait", rs[0].isNull());

        // waitAny / testAll / waitSome over several receives
        final DoubleBuffer[] bufs = new DoubleBuffer[3];
        final Request[] recvs = new Request[3];
        for (int k = 0; k < 3; k++)
        {
            bufs[k] = MPI.newDoubleBuffer(2);
            recvs[k] = MPI.COMM_WORLD.iRecv(bufs[k], 2, MPI.DOUBLE, left, 20 + k);
        }
        final DoubleBuffer d = MPI.newDoubleBuffer(2);
        d.put(0, me).put(1, -me);
        for (int k = 2; k >= 0; k--)
        {
            MPI.COMM_WORLD.send(d, 2, MPI.DOUBLE, right, 20 + k);
        }
        int done = 0;
        while (done < 3)
        {
            final Status s = Request.waitAnyStatus(recvs);
            done++;
            if (s.getIndex() == MPI.UNDEFINED)
            {
                break;
            }
        }
        out.line("waitAny completed", done);
        out.line("testAll after", Request.testAll(recvs));
        out.line("bufs", bufs[0].get(0) + "," + bufs[1].get(1) + "," + bufs[2].get(0));

        // ANY_SOURCE, ANY_TAG, probe then receive what was probed
        MPI.COMM_WORLD.send(new int[]{me, me, me, me, me}, 2 + me % 3, MPI.INT, right, 30 + me);
        final Status probed = MPI.COMM_WORLD.probe(MPI.ANY_SOURCE, MPI.ANY_TAG);
        final int[] got = new int[probed.getCount(MPI.INT)];
        final Status s2 = MPI.COMM_WORLD.recv(got, got.length, MPI.INT, probed.getSource(), probed.getTag());
        out.line("probe source/tag/count", probed.getSource() + "/" + probed.getTag() + "/" + got.length);
        out.line("recv after probe", s2.getSource() + "/" + s2.getTag() + "/" + s2.getElements(MPI.INT));

        // iProbe for nothing, then matched probe and receive
        MPI.COMM_WORLD.barrier();
        out.line("iProbe of nothing", MPI.COMM_WORLD.iProbe(left, 999) == null);
        MPI.COMM_WORLD.send(new long[]{me, me + 1}, 2, MPI.LONG, right, 40);
        final Message msg = new Message();
        final Status ms = msg.mProbe(left, 40, MPI.COMM_WORLD);
        final long[] ml = new long[2];
        msg.mRecv(ml, 2, MPI.LONG);
        out.line("mProbe/mRecv", ms.getSource() + " " + ms.getCount(MPI.LONG) + " " + ml[0] + "," + ml[1]);

        // synchronous and buffered modes
        final int[] one = new int[1];
        if (me % 2 == 0)
        {
            MPI.COMM_WORLD.sSend(new int[]{me + 100}, 1, MPI.INT, right, 50);
            MPI.COMM_WORLD.recv(one, 1, MPI.INT, left, 50);
        }
        else
        {
            MPI.COMM_WORLD.recv(one, 1, MPI.INT, left, 50);
            MPI.COMM_WORLD.sSend(new int[]{me + 100}, 1, MPI.INT, right, 50);
        }
        out.line("sSend", one[0]);
        MPI.attachBuffer(new byte[1 << 16]);
        MPI.COMM_WORLD.bSend(new double[]{me * 2.0}, 1, MPI.DOUBLE, right, 51);
        final double[] bd = new double[1];
        MPI.COMM_WORLD.recv(bd, 1, MPI.DOUBLE, left, 51);
        out.line("bSend", bd[0]);
        out.line("detached bytes", MPI.detachBuffer().length);

        // sendRecvReplace, PROC_NULL
        final int[] rep = {me, me * me};
        final Status rs2 = MPI.COMM_WORLD.sendRecvReplace(rep, 2, MPI.INT, right, 60, left, 60);
        out.line("sendRecvReplace", rep);
        out.line("replace status", rs2.getSource() + "/" + rs2.getTag());
        final Status nul = MPI.COMM_WORLD.recv(new int[1], 1, MPI.INT, MPI.PROC_NULL, 61);
        out.line("recv PROC_NULL source/count", nul.getSource() + "/" + nul.getCount(MPI.INT));
        MPI.COMM_WORLD.send(new int[1], 1, MPI.INT, MPI.PROC_NULL, 61);

        // persistent requests, started three times
        final IntBuffer ps = MPI.newIntBuffer(1);
        final IntBuffer pr = MPI.newIntBuffer(1);
        final Prequest sendP = MPI.COMM_WORLD.sendInit(ps, 1, MPI.INT, right, 70);
        final Prequest recvP = MPI.COMM_WORLD.recvInit(pr, 1, MPI.INT, left, 70);
        int sum = 0;
        for (int k = 0; k < 3; k++)
        {
            ps.put(0, me * 10 + k);
            recvP.start();
            sendP.start();
            Prequest.waitAll(new Request[]{recvP, sendP});
            sum += pr.get(0);
        }
        out.line("persistent sum", sum);

        // a derived type over a message: every other int, received contiguous
        final Datatype everyOther = Datatype.createVector(3, 1, 2, MPI.INT);
        everyOther.commit();
        final int[] src = {me, -1, me + 1, -1, me + 2, -1};
        final int[] dst = new int[3];
        MPI.COMM_WORLD.sendRecv(src, 1, everyOther, right, 80, dst, 3, MPI.INT, left, 80);
        out.line("vector to contiguous", dst);
        final int[] spread = new int[6];
        MPI.COMM_WORLD.sendRecv(dst, 3, MPI.INT, right, 81, spread, 1, everyOther, left, 81);
        out.line("contiguous to vector", spread);

        // a direct ByteBuffer of doubles sent as bytes
        final ByteBuffer raw = MPI.newByteBuffer(16);
        raw.putDouble(0, me * 3.25).putDouble(8, me * -1.0);
        final ByteBuffer rraw = MPI.newByteBuffer(16);
        MPI.COMM_WORLD.sendRecv(raw, 16, MPI.BYTE, right, 90, rraw, 16, MPI.BYTE, left, 90);
        out.line("bytes as doubles", rraw.getDouble(0) + "," + rraw.getDouble(8));
        MPI.Finalize();
    }
}
