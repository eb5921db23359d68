package dev.ringfold.training.data;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Trains {@link TinyClassifier} all-reduce data-parallel for {@value #EPOCHS} epochs of {@value #STEPS_PER_EPOCH}
 * steps (global batch 16), checkpointing every {@value #EVERY} steps (so checkpoints fall mid-epoch) into
 * {@code <dir>/train.arrow}: {@code ResumeRanks <dir> <fresh|resume> [ms per step]}. The learning rate of each step
 * is jittered by a shared random generator whose state the checkpoint keeps, so a resume that lost it would
 * diverge. Prints {@code pid <pid> rank r} at start, {@code checkpoint <step>} after each save, and worker 0's final
 * parameter bits.
 */
public final class ResumeRanks
{
    static final int EPOCHS = 3;
    static final int STEPS_PER_EPOCH = 30;
    static final int EVERY = 7;
    static final int GLOBAL_BATCH = 16;

    public static void main(final String[] args) throws Exception
    {
        final Path file = Path.of(args[0]).resolve("train.arrow");
        final boolean resume = args[1].equals("resume");
        final int slowMillis = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        try (Ringfold rf = Ringfold.init(); BufferAllocator allocator = new RootAllocator())
        {
            final Communicator world = rf.world();
            System.out.println("pid " + ProcessHandle.current().pid() + " rank " + world.rank());
            try (TinyClassifier model = new TinyClassifier(allocator, TrainingRanks.SAMPLES, 100 + world.rank(),
                DType.F32);
                 Momentum momentum = new Momentum(allocator, 0.5f, 0.9f).init(model.parameters);
                 DataParallel dp = DataParallel.create(world, allocator, model.parameters, model.gradients,
                     new DataParallelOptions().bucketBytes(64).update(momentum)))
            {
                TrainingProgress progress = new TrainingProgress(0, 0, TrainingRanks.SEED, 12345);
                if (resume)
                {
                    if (!Files.exists(file))
                    {
                        throw new IllegalStateException("no checkpoint at " + file);
                    }
                    progress = TrainingCheckpoint.load(file, world, model.parameters, momentum.state());
                    System.out.println("resumed at step " + progress.step() + " epoch " + progress.epoch() +
                        " rank " + world.rank());
                }
                final int local = GLOBAL_BATCH / dp.workers();
                final DistributedSampler sampler = new DistributedSampler(model.samples(), dp.workers(),
                    dp.workerIndex(), progress.seed(), true, false);
                final int[] indices = new int[sampler.size()];
                long step = progress.step();
                long rng = progress.rngState();
                for (long epoch = progress.epoch(); epoch < EPOCHS; epoch++)
                {
                    sampler.setEpoch(epoch);
                    sampler.indices(indices);
                    for (long s = step - epoch * STEPS_PER_EPOCH; s < STEPS_PER_EPOCH; s++)
                    {
                        model.backward(indices, (int)s * local, local, dp::gradientReady);
                        rng += 0x9E3779B97F4A7C15L;
                        momentum.learningRate = 0.5f * (0.75f + 0.5f * (TinyClassifier.uniform(rng, 0) + 1) / 2);
                        dp.step();
                        step++;
                        if (step % EVERY == 0)
                        {
                            TrainingCheckpoint.save(file, world, model.parameters, momentum.state(),
                                new TrainingProgress(step, step / STEPS_PER_EPOCH, progress.seed(), rng));
                            System.out.println("checkpoint " + step + " rank " + world.rank());
                        }
                        if (slowMillis > 0)
                        {
                            Thread.sleep(slowMillis);
                        }
                    }
                }
                if (dp.workerIndex() == 0)
                {
                    System.out.println("params " + model.parameterBits());
                }
            }
            System.out.println("ok resume rank " + world.rank());
        }
    }
}
