package dev.ringfold.bench;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.training.pipeline.Partition;
import dev.ringfold.training.pipeline.Partitioner;
import dev.ringfold.training.pipeline.PipelineStage;
import dev.ringfold.training.pipeline.Schedule;
import dev.ringfold.training.pipeline.StageTimeline;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.Init;
import dev.ringfold.tensors.nn.Activations;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SgdMomentum;
import dev.ringfold.tensors.nn.SoftmaxCrossEntropy;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code bin/ringfold-bench pipeline -np P [--width W] [--batch B] [--steps N] [--m 1,2,4,8,16]}: the pipeline on
 * the deep MLP 784-W-W-W-10 (W = 1024 by default; random data), split by parameters into P stages. For GPipe and
 * 1F1B and each m: first the baseline, the whole model trained on rank 0 alone with the full batch (the other
 * ranks wait in a barrier), then the pipeline: samples/s of both and their ratio and, per stage, the measured idle
 * fraction (1 - compute / step time) against GPipe's theory (p-1)/(m+p-1), and the time per micro-batch spent
 * waiting in point-to-point receives and sends. The baseline runs right before each configuration so that the
 * machine's load falls on both alike.
 * Means over N steps after N/4 + 1 warm-up steps; rank 0 prints the table.
 */
public final class PipelineBench
{
    private PipelineBench()
    {
    }

    public static void main(final String[] args)
    {
        int width = 1024;
        int batch = 128;
        int steps = 12;
        int[] ms = {1, 2, 4, 8, 16};
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--width" -> width = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--steps" -> steps = Integer.parseInt(args[i + 1]);
                case "--m" -> ms = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("ringfold-bench pipeline: unknown option " + args[i] +
                    " (--width W, --batch B, --steps N, --m LIST)");
            }
        }
        try (Ringfold rf = Ringfold.init(); BufferAllocator allocator = new RootAllocator())
        {
            run(rf.world(), allocator, width, batch, steps, ms, System.out);
        }
    }

    static void run(final Communicator world, final BufferAllocator allocator, final int width, final int batch,
        final int steps, final int[] ms, final PrintStream out)
    {
        final Sequential.Builder mlp = Sequential.builder(784).linear(width).relu().linear(width).relu()
            .linear(width).relu().linear(10);
        final int p = world.size();
        final int warmUp = steps / 4 + 1;
        final Partition partition = Partitioner.byParameters(mlp, p);
        if (world.rank() == 0)
        {
            out.printf(Locale.ROOT, "# pipeline: MLP 784-%d-%d-%d-10, global batch %d, %d steps after %d warm-up; %s%n",
                width, width, width, batch, steps, warmUp, partition);
            out.printf(Locale.ROOT, "%-6s %4s %5s %10s %10s %6s %s%n", "sched", "m", "rows", "1 rank/s", "pipe/s",
                "ratio", "per stage: compute ms/step, idle measured / GPipe theory, wait ms per micro-batch recv + send");
        }
        pipelines(world, allocator, mlp, partition, batch, steps, warmUp, ms, out);
    }

    private static void pipelines(final Communicator world, final BufferAllocator allocator,
        final Sequential.Builder mlp, final Partition partition, final int batch, final int steps, final int warmUp,
        final int[] ms, final PrintStream out)
    {
        final int p = world.size();
        final int stage = world.rank();
        for (final Schedule schedule : Schedule.values())
        {
            for (final int m : ms)
            {
                if (batch % m != 0)
                {
                    continue;
                }
                final double baseline = stage == 0 ? sequential(mlp, allocator, batch, steps, warmUp) : 0;
                world.barrier();
                final double[] stats = new double[5 * p];
                double seconds = 0;
                try (Sequential layers = partition.build(mlp, allocator, 1, stage);
                     PipelineStage pipeline = new PipelineStage(world, allocator, layers, schedule, m, batch / m);
                     SgdMomentum sgd = new SgdMomentum(allocator, layers.parameters(), layers.gradients(), 0.01f, 0.9f))
                {
                    if (stage == 0)
                    {
                        random(pipeline.input());
                    }
                    if (stage == p - 1)
                    {
                        labels(pipeline.labels());
                    }
                    for (int s = 0; s < warmUp + steps; s++)
                    {
                        if (s == warmUp)
                        {
                            world.barrier();
                            pipeline.timeline().reset();
                            seconds = -System.nanoTime() * 1e-9;
                        }
                        layers.zeroGradients();
                        pipeline.step();
                        sgd.step();
                    }
                    seconds += System.nanoTime() * 1e-9;
                    final StageTimeline t = pipeline.timeline();
                    stats[5 * stage] = t.idleFraction();
                    stats[5 * stage + 1] = t.receiveWaitPerMicroBatchSeconds();
                    stats[5 * stage + 2] = t.sendWaitPerMicroBatchSeconds();
                    stats[5 * stage + 3] = seconds;
                    stats[5 * stage + 4] = t.meanComputeSeconds();
                }
                Collectives.of(world).allReduce(stats, 0, stats.length, ReduceOp.SUM);
                if (stage == 0)
                {
                    double slowest = 0;
                    final StringBuilder perStage = new StringBuilder();
                    for (int s = 0; s < p; s++)
                    {
                        slowest = Math.max(slowest, stats[5 * s + 3]);
                        perStage.append(String.format(Locale.ROOT, " | s%d %6.1f %4.1f%% / %4.1f%% %6.3f + %.3f", s,
                            stats[5 * s + 4] * 1e3, stats[5 * s] * 100, StageTimeline.theoreticalBubble(p, m) * 100,
                            stats[5 * s + 1] * 1e3, stats[5 * s + 2] * 1e3));
                    }
                    final double rate = (double)steps * batch / slowest;
                    out.printf(Locale.ROOT, "%-6s %4d %5d %10.1f %10.1f %6.2f%s%n", schedule, m, batch / m,
                        baseline, rate, rate / baseline, perStage);
                }
            }
        }
    }

    /** Samples/s of the whole model on this rank: forward, backward and SGD on the full batch. */
    private static double sequential(final Sequential.Builder mlp, final BufferAllocator allocator, final int batch,
        final int steps, final int warmUp)
    {
        try (Sequential model = mlp.build(allocator, 1);
             Activations acts = model.newActivations(allocator, batch);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(allocator, 10, batch);
             SgdMomentum sgd = new SgdMomentum(allocator, model.parameters(), model.gradients(), 0.01f, 0.9f);
             Tensor x = Tensors.zeros(allocator, DType.F32, batch, 784);
             Tensor y = Tensors.zeros(allocator, DType.I32, batch))
        {
            random(x);
            labels(y);
            long start = 0;
            for (int s = 0; s < warmUp + steps; s++)
            {
                if (s == warmUp)
                {
                    start = System.nanoTime();
                }
                model.zeroGradients();
                loss.forward(model.forward(acts, x, batch), y, batch);
                model.backward(acts, loss.backward(), batch, false);
                sgd.step();
            }
            return (double)steps * batch / ((System.nanoTime() - start) * 1e-9);
        }
    }

    private static void random(final Tensor x)
    {
        Init.uniform(3, 0, x.address(), x.elementCount(), 0f, 1f);
    }

    private static void labels(final Tensor y)
    {
        for (long i = 0; i < y.shape(0); i++)
        {
            y.setLong(i % 10, i);
        }
    }
}
