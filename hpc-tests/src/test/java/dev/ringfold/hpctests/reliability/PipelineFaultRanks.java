package dev.ringfold.hpctests.reliability;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.mpi.bootstrap.LaunchEnvironment;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.nn.Sequential;
import dev.ringfold.tensors.nn.SgdMomentum;
import dev.ringfold.training.pipeline.Partition;
import dev.ringfold.training.pipeline.Partitioner;
import dev.ringfold.training.pipeline.PipelineStage;
import dev.ringfold.training.pipeline.Schedule;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.nio.ByteOrder;

/**
 * {@code PipelineFaultRanks SCHEDULE VICTIM KILL_AT STEPS}: one stage per rank of a small MLP; world rank VICTIM
 * SIGKILLs itself when it reaches step KILL_AT (the other stages are then inside that step, waiting on it or on each
 * other). Every other stage reports the error that ends its step, as {@link FaultRanks} does:
 * {@code fault: rank R detected rank V failure at <epoch ms> in pipeline-step: <exception> (world rank N): <message>},
 * then closes its stage and runtime and exits 0. Under {@code mpjrun --max-restarts K} the victim dies only in the first
 * run ({@code RINGFOLD_RESTART=0}); a stage that runs all its steps prints
 * {@code pipeline: stage S finished STEPS steps (restart N)}.
 */
public final class PipelineFaultRanks
{
    private static final Sequential.Builder MODEL = Sequential.builder(12)
        .linear(48).relu().linear(48).relu().linear(32).relu().linear(6);
    private static final int MICRO_BATCHES = 4;
    private static final int ROWS = 8;

    private PipelineFaultRanks()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Schedule schedule = Schedule.valueOf(args[0]);
        final int victim = Integer.parseInt(args[1]);
        final int killAt = Integer.parseInt(args[2]);
        final int steps = Integer.parseInt(args[3]);
        final int rank = Integer.parseInt(System.getenv(LaunchEnvironment.RANK));
        final String restart = System.getenv().getOrDefault("RINGFOLD_RESTART", "0");
        final boolean dies = rank == victim && restart.equals("0");
        System.out.println("fault: rank " + rank + " pid " + ProcessHandle.current().pid() + " job " +
            System.getenv(LaunchEnvironment.JOB_ID));
        if (dies)
        {
            FaultRanks.arm();
        }
        final Ringfold rf = Ringfold.init();
        final Communicator world = rf.world();
        try (BufferAllocator allocator = new RootAllocator())
        {
            final Partition partition = Partitioner.byParameters(MODEL, world.size());
            try (Sequential layers = partition.build(MODEL, allocator, 7, rank);
                 PipelineStage stage = new PipelineStage(world, allocator, layers, schedule, MICRO_BATCHES, ROWS);
                 SgdMomentum sgd = new SgdMomentum(allocator, layers.parameters(), layers.gradients(), 0.01f, 0.9f))
            {
                fill(stage, rank, world.size());
                for (int step = 0; step < steps; step++)
                {
                    if (dies && step == killAt)
                    {
                        FaultRanks.die(rank, "pipeline", "step " + step);
                    }
                    layers.zeroGradients();
                    try
                    {
                        stage.step();
                    }
                    catch (final RuntimeException ex)
                    {
                        FaultRanks.report(rank, victim, "pipeline-step", ex);
                        // a later step fails at once, the same way
                        try
                        {
                            stage.step();
                            throw new AssertionError("rank " + rank + ": a step after the failure succeeded");
                        }
                        catch (final RuntimeException again)
                        {
                            if (again != ex)
                            {
                                throw new AssertionError("rank " + rank + ": the next step threw another error",
                                    again);
                            }
                        }
                        return;
                    }
                    sgd.step();
                }
                System.out.println("pipeline: stage " + rank + " finished " + steps + " steps (restart " + restart + ")");
            }
        }
        finally
        {
            try
            {
                rf.close();
            }
            catch (final RuntimeException ignore)
            {
                // closing next to a dead peer: what matters is reported above
            }
        }
    }

    private static void fill(final PipelineStage stage, final int rank, final int stages)
    {
        if (rank == 0)
        {
            final Tensor x = stage.input();
            final UnsafeBuffer b = x.unsafeBuffer();
            for (int i = 0; i < x.elementCount(); i++)
            {
                b.putFloat(4 * i, (float)Math.sin(i * 0.37), ByteOrder.nativeOrder());
            }
        }
        if (rank == stages - 1)
        {
            final Tensor y = stage.labels();
            final UnsafeBuffer b = y.unsafeBuffer();
            for (int i = 0; i < y.elementCount(); i++)
            {
                b.putInt(4 * i, i % 6, ByteOrder.nativeOrder());
            }
        }
    }
}
