/*
 * The OSU latency loop of openmpi-java/src/test/java/dev/ringfold/openmpi/bench/OsuJavaBench.java (8 B, direct
 * buffer, ITERS timed round trips after ITERS/10 untimed) with what its mean hides: rank 0 prints the loop's JVM
 * uptime window, the OSU mean, the median, p99 and longest round trip, and how many round trips took over 100 us and
 * over 1 ms. Written against Open MPI's Java API, so it runs on Open MPI's bindings and on Ringfold alike:
 *   javac -cp /tmp/ompi-java-ref/mpi.jar -d /tmp/lat bench/scripts/latency-stalls/Lat.java
 *   bin/mpjrun -np 2 [--env RINGFOLD_IDLE=spin|yield] [-Xlog:jit+compilation=debug:file=/tmp/jit%p.log:uptimemillis] \
 *     -cp /tmp/lat Lat 10000
 * (BENCHMARKS.md, "Fourteenth session", "The OSU latency's stalls").
 */
import mpi.*;
import java.lang.management.ManagementFactory;
public class Lat {
  public static void main(String[] a) throws Exception {
    MPI.Init(a);
    int me = MPI.COMM_WORLD.getRank();
    java.nio.ByteBuffer buf = MPI.newByteBuffer(8);
    int iters = Integer.parseInt(a[0]), skip = iters/10;
    long[] rt = new long[iters];
    var rb = ManagementFactory.getRuntimeMXBean();
    long u0 = rb.getUptime();
    MPI.COMM_WORLD.barrier();
    long u1 = rb.getUptime();
    long t0 = 0, tStart=0;
    for (int i = 0; i < iters + skip; i++) {
      if (i == skip) tStart = System.nanoTime();
      if (me == 0) { long t = System.nanoTime(); MPI.COMM_WORLD.send(buf, 8, MPI.BYTE, 1, 1); MPI.COMM_WORLD.recv(buf, 8, MPI.BYTE, 1, 1); if (i>=skip) rt[i-skip] = System.nanoTime()-t; }
      else { MPI.COMM_WORLD.recv(buf, 8, MPI.BYTE, 0, 1); MPI.COMM_WORLD.send(buf, 8, MPI.BYTE, 0, 1); }
    }
    long tEnd = System.nanoTime();
    long u2 = rb.getUptime();
    java.util.Arrays.sort(rt);
    if (me == 0) System.out.printf("MARK rank0 barrier@%d loop %d..%d ms; mean %.3f us; p50 %.3f p99 %.3f max %.1f us; sum>100us %.1f ms n>100us %d n>1ms %d%n", u1, u1, u2, (tEnd-tStart)/2e3/iters, rt[iters/2]/2e3, rt[iters*99/100]/2e3, rt[iters-1]/2e3, java.util.Arrays.stream(rt).filter(x->x>100_000).sum()/1e6, java.util.Arrays.stream(rt).filter(x->x>100_000).count(), java.util.Arrays.stream(rt).filter(x->x>1_000_000).count());
    MPI.Finalize();
  }
}
