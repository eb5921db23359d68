import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Ringfold;

import java.nio.ByteBuffer;

/**
 * Bandwidth as osu_bw measures it, on Ringfold's own API, with as many windows as asked (the OSU programs time a
 * few, mostly cold code): rank 0 isends windows of W messages of N bytes from W distinct direct buffers ("distinct",
 * out of the cache when W x N is large) or from one ("same"), rank 1 irecvs them, an 8-byte acknowledgement per
 * window; two untimed windows first. With "curve" as a fifth argument rank 1 also prints the time a message of
 * windows 0-9 and every 20th (the JIT's warm-up). BENCHMARKS.md, "Thirteenth session".
 * <pre>
 * javac -cp 'build/lib/*' -d /tmp/wb bench/scripts/window-bandwidth/WinBw.java
 * RINGFOLD_CMA=1 bin/mpjrun -np 2 --no-tag-output -cp /tmp/wb WinBw 1048576 64 distinct 300 [curve]   # N W distinct|same WINDOWS
 * </pre>
 */
public final class WinBw
{
    public static void main(final String[] args) throws Exception
    {
        final int bytes = Integer.parseInt(args[0]);
        final int width = Integer.parseInt(args[1]);
        final boolean distinct = args[2].equals("distinct");
        final int windows = Integer.parseInt(args[3]);
        final boolean curve = args.length > 4 && args[4].equals("curve");
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            final ByteBuffer[] buffers = new ByteBuffer[width];
            for (int i = 0; i < width; i++)
            {
                buffers[i] = distinct || i == 0 ? ByteBuffer.allocateDirect(bytes) : buffers[0];
            }
            final ByteBuffer ack = ByteBuffer.allocateDirect(8);
            final Request[] window = new Request[width];
            long start = 0;
            long windowStart = System.nanoTime();
            for (int w = -2; w < windows; w++)
            {
                if (w == 0)
                {
                    world.barrier();
                    start = System.nanoTime();
                }
                for (int i = 0; i < width; i++)
                {
                    window[i] = world.rank() == 0 ? world.isend(buffers[i], 1, 2) : world.irecv(buffers[i], 0, 2);
                }
                Request.waitAll(window);
                if (curve && world.rank() == 1 && w >= 0 && (w < 10 || w % 20 == 0))
                {
                    System.out.printf("window %d: %.1f us a message%n", w, (System.nanoTime() - windowStart) / 1e3 / width);
                }
                windowStart = System.nanoTime();
                if (world.rank() == 0)
                {
                    world.recv(ack, 1, 3);
                }
                else
                {
                    world.send(ack, 0, 3);
                }
            }
            final double seconds = (System.nanoTime() - start) * 1e-9;
            if (world.rank() == 0)
            {
                System.out.printf("%d bytes, windows of %d (%s buffers): %.0f MB/s, %.1f us a message%n", bytes, width,
                    distinct ? "distinct" : "same", (double)bytes * width * windows / seconds / 1e6,
                    seconds * 1e6 / width / windows);
            }
        }
    }
}
