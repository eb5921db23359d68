package dev.ringfold.collectives.data;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.util.Locale;

/**
 * Trains {@link TinyClassifier} data-parallel: {@code TrainingRanks <all_reduce|parameter_server|async_parameter_server>
 * <global batch> <epochs> [servers] [staleness] [slow ms]}. Every rank starts from different random parameters
 * (creation broadcasts rank 0's); worker 0 prints the final parameters' bits ({@code params ...}), servers print
 * their update count and the largest lead they allowed; every rank ends with {@code ok train rank r} once its
 * allocator is back to zero. With a slow time, worker 0 sleeps that long every step (for the staleness test).
 */
public final class TrainingRanks
{
    static final int SAMPLES = 480;
    static final long SEED = 42;

    public static void main(final String[] args) throws Exception
    {
        final DataParallelOptions.Mode mode = DataParallelOptions.Mode.valueOf(args[0].toUpperCase(Locale.ROOT));
        final int globalBatch = Integer.parseInt(args[1]);
        final int epochs = Integer.parseInt(args[2]);
        final int servers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        final int staleness = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        final int slowMillis = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        try (Ringfold rf = Ringfold.init(); BufferAllocator allocator = new RootAllocator())
        {
            final Communicator world = rf.world();
            try (TinyClassifier model = new TinyClassifier(allocator, SAMPLES, 100 + world.rank(), DType.F32);
                 Momentum momentum = new Momentum(allocator, 0.5f, 0.9f))
            {
                final DataParallelOptions options = new DataParallelOptions().mode(mode).bucketBytes(64)
                    .servers(servers).staleness(staleness).update(momentum);
                try (DataParallel dp = DataParallel.create(world, allocator, model.parameters, model.gradients,
                    options))
                {
                    if (!dp.isWorker())
                    {
                        dp.serve();
                        final ParameterServer ps = (ParameterServer)dp;
                        System.out.println("server rank " + world.rank() + " shard " + ps.shardElements() +
                            " updates " + ps.updates() + " maxLead " + ps.maxLead());
                    }
                    else
                    {
                        train(dp, model, globalBatch, epochs, slowMillis);
                    }
                }
            }
            System.out.println("ok train rank " + world.rank());
        }
    }

    private static void train(final DataParallel dp, final TinyClassifier model, final int globalBatch,
        final int epochs, final int slowMillis) throws InterruptedException
    {
        final int local = globalBatch / dp.workers();
        if (local * dp.workers() != globalBatch)
        {
            throw new IllegalArgumentException("global batch " + globalBatch + " does not divide over " +
                dp.workers() + " workers");
        }
        final DistributedSampler sampler = new DistributedSampler(model.samples(), dp.workers(), dp.workerIndex(),
            SEED, true, false);
        final int[] indices = new int[sampler.size()];
        double first = Double.NaN;
        double last = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            sampler.setEpoch(epoch);
            sampler.indices(indices);
            for (int s = 0; s + local <= sampler.size(); s += local)
            {
                last = model.backward(indices, s, local, dp::gradientReady);
                first = Double.isNaN(first) ? last : first;
                if (slowMillis > 0 && dp.workerIndex() == 0)
                {
                    Thread.sleep(slowMillis);
                }
                dp.step();
            }
        }
        System.out.println("worker " + dp.workerIndex() + " loss " + first + " -> " + last);
        if (dp.workerIndex() == 0)
        {
            System.out.println("params " + model.parameterBits());
        }
    }
}
