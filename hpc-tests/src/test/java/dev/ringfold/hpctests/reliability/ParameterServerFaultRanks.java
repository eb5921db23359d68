package dev.ringfold.hpctests.reliability;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.training.data.DataParallel;
import dev.ringfold.training.data.DataParallelOptions;
import dev.ringfold.training.data.ParameterServer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.nio.ByteOrder;
import java.util.List;

/**
 * {@code ParameterServerFaultRanks MODE SHARDS REPLICAS VICTIM KILL_AT STEPS PACE_MS [SCALE]}: parameter-server
 * training of a model of 64 × SCALE parameters (SCALE 1 by default) whose gradients are a known function of (worker, step, element), so that the final
 * parameters can be computed here and compared. MODE is {@code sync} or {@code async} (staleness 1). World rank
 * VICTIM, a worker, SIGKILLs itself right after its step KILL_AT returns (-1: no rank kills itself; the test may
 * kill a server from outside). Each worker paces its steps by PACE_MS so that a kill from outside lands mid-run.
 * Lines (the test reads them):
 * <pre>
 * ps: worker W step T at EPOCH_MS
 * ps: worker W done STEPS steps, dead servers D, params HEX,...   (over 1024 parameters: crc32:HEX of their bits)
 * ps: worker W expected-difference X            (sync: relative difference to the arithmetic done here)
 * ps: server rank R shard S replica Q updates U dead-workers D values HEX,...
 * ps: rank R failed: EXCEPTION: MESSAGE
 * </pre>
 */
public final class ParameterServerFaultRanks
{
    private static final int[] SHAPES = {40, 24};
    private static final float LR = 0.5f;

    private ParameterServerFaultRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final boolean async = args[0].equals("async");
        final int shards = Integer.parseInt(args[1]);
        final int replicas = Integer.parseInt(args[2]);
        final int victim = Integer.parseInt(args[3]);
        final int killAt = Integer.parseInt(args[4]);
        final int steps = Integer.parseInt(args[5]);
        final long paceMs = Long.parseLong(args[6]);
        final int scale = args.length > 7 ? Integer.parseInt(args[7]) : 1;
        for (int t = 0; t < SHAPES.length; t++)
        {
            SHAPES[t] *= scale;
        }
        final int rank = Integer.parseInt(System.getenv(LaunchEnvironment.RANK));
        System.out.println("fault: rank " + rank + " pid " + ProcessHandle.current().pid() + " job " +
            System.getenv(LaunchEnvironment.JOB_ID));
        if (rank == victim)
        {
            FaultRanks.arm();
        }
        try (Ringfold rf = Ringfold.init(); BufferAllocator allocator = new RootAllocator())
        {
            final Communicator world = rf.world();
            final Tensor[] params = new Tensor[SHAPES.length];
            final Tensor[] grads = new Tensor[SHAPES.length];
            try
            {
                for (int t = 0; t < SHAPES.length; t++)
                {
                    params[t] = Tensors.zeros(allocator, DType.F32, SHAPES[t]);
                    grads[t] = Tensors.zeros(allocator, DType.F32, SHAPES[t]);
                    // rank 0's values win (creation broadcasts them); the others start elsewhere on purpose
                    fill(params[t], offset(t), (i) -> rank == 0 ? initial(i) : -7f);
                }
                final DataParallelOptions options = new DataParallelOptions()
                    .mode(async ? DataParallelOptions.Mode.ASYNC_PARAMETER_SERVER :
                        DataParallelOptions.Mode.PARAMETER_SERVER)
                    .servers(shards).serverReplicas(replicas).staleness(1).update(ParameterServerFaultRanks::sgd);
                try (DataParallel dp = DataParallel.create(world, allocator, List.of(params), List.of(grads), options))
                {
                    if (!dp.isWorker())
                    {
                        final ParameterServer ps = (ParameterServer)dp;
                        try
                        {
                            dp.serve();
                        }
                        finally
                        {
                            System.out.println("ps: server rank " + rank + " shard " + (rank - dp.workers()) % shards +
                                " replica " + ps.replica() + " updates " + ps.updates() + " dead-workers " +
                                ps.deadWorkers() + " values " + hex(ps.shardValues()));
                        }
                    }
                    else
                    {
                        work(dp, rank, victim, killAt, steps, paceMs, params, grads, async);
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                System.out.println("ps: rank " + rank + " failed: " + ex.getClass().getSimpleName() + ": " +
                    ex.getMessage());
                System.out.flush();
                throw ex;
            }
            finally
            {
                for (int t = 0; t < SHAPES.length; t++)
                {
                    if (params[t] != null)
                    {
                        params[t].close();
                    }
                    if (grads[t] != null)
                    {
                        grads[t].close();
                    }
                }
            }
        }
    }

    private static void work(final DataParallel dp, final int rank, final int victim, final int killAt,
        final int steps, final long paceMs, final Tensor[] params, final Tensor[] grads, final boolean async)
        throws InterruptedException
    {
        final int w = dp.workerIndex();
        for (int step = 0; step < steps; step++)
        {
            final int s = step;
            for (int t = 0; t < SHAPES.length; t++)
            {
                fill(grads[t], offset(t), (i) -> gradient(w, s, i));
            }
            dp.allGradientsReady();
            dp.step();
            System.out.println("ps: worker " + w + " step " + step + " at " + System.currentTimeMillis());
            System.out.flush();
            if (rank == victim && step == killAt)
            {
                FaultRanks.die(rank, "ps-worker", "step " + step);
            }
            Thread.sleep(paceMs);
        }
        final float[] mine = values(params);
        System.out.println("ps: worker " + w + " done " + steps + " steps, dead servers " +
            ((ParameterServer)dp).deadServers() + ", params " + hex(mine));
        if (!async && SHAPES[0] == 40) // SCALE 1: the small model whose arithmetic is redone here
        {
            System.out.println("ps: worker " + w + " expected-difference " +
                relativeDifference(mine, expected(dp.workers(), victim, killAt, steps)));
        }
    }

    /**
     * The synchronous run's arithmetic: at each step the mean over the workers whose push made it (all of them, but
     * the victim only up to its step killAt), then p -= lr × mean.
     */
    static float[] expected(final int workers, final int victim, final int killAt, final int steps)
    {
        final int n = offset(SHAPES.length);
        final float[] p = new float[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = initial(i);
        }
        for (int step = 0; step < steps; step++)
        {
            for (int i = 0; i < n; i++)
            {
                float sum = 0;
                int count = 0;
                for (int w = 0; w < workers; w++)
                {
                    if (w != victim || step <= killAt)
                    {
                        sum += gradient(w, step, i);
                        count++;
                    }
                }
                p[i] -= LR * (sum / count);
            }
        }
        return p;
    }

    static float initial(final int i)
    {
        return 0.01f * i - 0.3f;
    }

    /** Worker w's gradient at a step: different for every worker, so that whose pushes were summed shows. */
    static float gradient(final int w, final int step, final int i)
    {
        return (w + 1) * 0.001f * (step % 7 + 1) + (w == 1 ? 0.004f : 0f) + i * 1e-5f;
    }

    private static void sgd(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        for (int k = 0; k < parameters.size(); k++)
        {
            final UnsafeBuffer p = parameters.get(k).unsafeBuffer();
            final UnsafeBuffer g = gradients.get(k).unsafeBuffer();
            for (int i = 0; i < parameters.get(k).elementCount(); i++)
            {
                p.putFloat(4 * i, p.getFloat(4 * i, ByteOrder.nativeOrder()) - LR * g.getFloat(4 * i,
                    ByteOrder.nativeOrder()), ByteOrder.nativeOrder());
            }
        }
    }

    private interface Values
    {
        float at(int flatIndex);
    }

    private static int offset(final int tensor)
    {
        int at = 0;
        for (int t = 0; t < tensor; t++)
        {
            at += SHAPES[t];
        }
        return at;
    }

    private static void fill(final Tensor t, final int offset, final Values values)
    {
        final UnsafeBuffer b = t.unsafeBuffer();
        for (int i = 0; i < t.elementCount(); i++)
        {
            b.putFloat(4 * i, values.at(offset + i), ByteOrder.nativeOrder());
        }
    }

    private static float[] values(final Tensor[] tensors)
    {
        final float[] all = new float[offset(tensors.length)];
        for (int t = 0, at = 0; t < tensors.length; t++)
        {
            final UnsafeBuffer b = tensors[t].unsafeBuffer();
            for (int i = 0; i < tensors[t].elementCount(); i++)
            {
                all[at++] = b.getFloat(4 * i, ByteOrder.nativeOrder());
            }
        }
        return all;
    }

    static double relativeDifference(final float[] a, final float[] b)
    {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++)
        {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    static String hex(final float[] values)
    {
        if (values.length > 1024)
        {
            final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            for (final float v : values)
            {
                final int bits = Float.floatToRawIntBits(v);
                crc.update(new byte[] {(byte)bits, (byte)(bits >> 8), (byte)(bits >> 16), (byte)(bits >> 24)});
            }
            return "crc32:" + Long.toHexString(crc.getValue());
        }
        final StringBuilder sb = new StringBuilder();
        for (final float v : values)
        {
            sb.append(sb.isEmpty() ? "" : ",").append(Integer.toHexString(Float.floatToRawIntBits(v)));
        }
        return sb.toString();
    }
}
