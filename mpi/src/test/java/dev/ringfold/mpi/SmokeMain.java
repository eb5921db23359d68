package dev.ringfold.mpi;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

public final class SmokeMain
{
    public static void main(final String[] args)
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator w = rf.world();
            final int n = w.size();
            final int me = w.rank();
            System.out.println("rank " + me + " of " + n + " local " + rf.localRank() + "/" + rf.localSize() +
                " transport to 0: " + w.transportTo(0));
            // ring
            final int[] token = {me};
            final int[] in = new int[1];
            final Status st = w.sendRecv(new UnsafeBuffer(new byte[4]), 0, 4, (me + 1) % n, 5,
                new UnsafeBuffer(new byte[4]), 0, 4, (me - 1 + n) % n, 5);
            System.out.println("rank " + me + " sendRecv from " + st.source());
            for (final int size : new int[] {0, 8, 1000, 40_000, 1 << 20, 16 << 20, (64 << 20) + 3})
            {
                final UnsafeBuffer buf = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(size, 8), 64));
                if (me == 0)
                {
                    for (int i = 0; i < size; i++)
                    {
                        buf.putByte(i, (byte)(i * 7 + size));
                    }
                    for (int p = 1; p < n; p++)
                    {
                        w.send(buf, 0, size, p, 9);
                    }
                    final long t0 = System.nanoTime();
                    for (int p = 1; p < n; p++)
                    {
                        w.recv(buf, 0, size, p, 10);
                    }
                    System.out.printf("size %d ok, round %.1f us%n", size, (System.nanoTime() - t0) / 1e3);
                }
                else
                {
                    final Status s = w.recv(buf, 0, size, 0, 9);
                    for (int i = 0; i < size; i++)
                    {
                        if (buf.getByte(i) != (byte)(i * 7 + size))
                        {
                            throw new IllegalStateException("rank " + me + " size " + size + " bad byte at " + i);
                        }
                    }
                    if (s.count() != size)
                    {
                        throw new IllegalStateException("count " + s.count());
                    }
                    w.send(buf, 0, size, 0, 10);
                }
            }
            w.barrier();
            // latency
            final UnsafeBuffer b = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
            for (int rep = 0; rep < 3; rep++)
            {
                final int iters = 200_000;
                final long t0 = System.nanoTime();
                for (int i = 0; i < iters; i++)
                {
                    if (me == 0)
                    {
                        w.send(b, 0, 8, 1, 1);
                        w.recv(b, 0, 8, 1, 1);
                    }
                    else if (me == 1)
                    {
                        w.recv(b, 0, 8, 0, 1);
                        w.send(b, 0, 8, 0, 1);
                    }
                }
                if (me == 0)
                {
                    System.out.printf("8B one-way latency %.3f us%n", (System.nanoTime() - t0) / 1e3 / iters / 2);
                }
            }
        }
    }
}
