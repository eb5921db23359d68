package dev.ringfold.training.data;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Trains {@link TinyClassifier} data-parallel: {@code TrainingRanks <all_reduce|parameter_server|async_parameter_server>
 * <global batch> <epochs> [servers] [staleness] [gate] [wide] [private] [inbuckets]}. Every rank starts from
 * different random parameters (creation broadcasts rank 0's); worker 0 prints the final parameters' bits
 * ({@code params ...}), servers print their update count and the largest lead they allowed; every rank ends with
 * {@code ok train rank r} once its allocator is back to zero. With {@code gate} (the staleness test), worker 0 is
 * made the slowest without timing: before each step it waits until worker 1 reports having finished
 * {@code staleness} steps more than worker 0 has, so worker 1 is as far ahead as the bound allows whenever the server
 * lets it; a server that held it too little would show a larger lead. With {@code wide}, the model has
 * {@link TinyClassifier#WIDE} features and 64 KiB buckets (one 40 KiB weight block each: the shared-memory
 * all-reduce's sizes, reduced in place when the buckets are node-shared), and the learning rate shrinks with the
 * width; {@code private} turns node-shared buckets off, {@code inbuckets} has the update read the averages in the
 * buckets (no copy back). Worker 0 prints {@code buckets node-shared} or {@code buckets private}.
 */
public final class TrainingRanks
{
    static final int SAMPLES = 480;
    static final long SEED = 42;
    private static final int GATE_TAG = 99;

    public static void main(final String[] all)
    {
        final List<String> flags = List.of("wide", "private", "inbuckets");
        final String[] args = Arrays.stream(all).filter(a -> !flags.contains(a)).toArray(String[]::new);
        final boolean wide = Arrays.asList(all).contains("wide");
        final boolean privateBuckets = Arrays.asList(all).contains("private");
        final boolean inBuckets = Arrays.asList(all).contains("inbuckets");
        final int features = wide ? TinyClassifier.WIDE : TinyClassifier.FEATURES;
        final DataParallelOptions.Mode mode = DataParallelOptions.Mode.valueOf(args[0].toUpperCase(Locale.ROOT));
        final int globalBatch = Integer.parseInt(args[1]);
        final int epochs = Integer.parseInt(args[2]);
        final int servers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        final int staleness = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        final boolean gate = args.length > 5 && args[5].equals("gate");
        try (Ringfold rf = Ringfold.init(); BufferAllocator allocator = new RootAllocator())
        {
            final Communicator world = rf.world();
            try (TinyClassifier model = new TinyClassifier(allocator, SAMPLES, 100 + world.rank(), DType.F32, features);
                 Momentum momentum = new Momentum(allocator, 0.5f * TinyClassifier.FEATURES / features, 0.9f))
            {
                final DataParallelOptions options = new DataParallelOptions().mode(mode)
                    .bucketBytes(wide ? 64 << 10 : 64).servers(servers).staleness(staleness).update(momentum)
                    .nodeSharedBuckets(!privateBuckets).updateInBuckets(inBuckets);
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
                        if (dp instanceof BucketedAllReduce buckets && dp.workerIndex() == 0)
                        {
                            System.out.println("buckets " + (buckets.nodeSharedBuckets() ? "node-shared" : "private") +
                                " " + buckets.buckets());
                        }
                        train(world, dp, model, globalBatch, epochs, gate ? staleness : -1);
                    }
                }
            }
            System.out.println("ok train rank " + world.rank());
        }
    }

    private static void train(final Communicator world, final DataParallel dp, final TinyClassifier model,
        final int globalBatch, final int epochs, final int gateLead)
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
        final int[] peerDone = {0};
        int done = 0;
        final int total = epochs * (sampler.size() / local);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            sampler.setEpoch(epoch);
            sampler.indices(indices);
            for (int s = 0; s + local <= sampler.size(); s += local)
            {
                last = model.backward(indices, s, local, dp::gradientReady);
                first = Double.isNaN(first) ? last : first;
                if (gateLead >= 0 && dp.workerIndex() == 0)
                {
                    while (peerDone[0] < Math.min(done + gateLead, total))
                    {
                        world.recv(peerDone, 0, 1, 1, GATE_TAG);
                    }
                }
                dp.step();
                done++;
                if (gateLead >= 0 && dp.workerIndex() == 1)
                {
                    peerDone[0] = done;
                    world.send(peerDone, 0, 1, 0, GATE_TAG);
                }
            }
        }
        System.out.println("worker " + dp.workerIndex() + " loss " + first + " -> " + last);
        if (dp.workerIndex() == 0)
        {
            System.out.println("params " + model.parameterBits());
        }
    }
}
