package dev.ringfold.training.data;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.Tensor;
import org.apache.arrow.memory.BufferAllocator;

import java.util.List;

/**
 * A model replicated over the ranks of a communicator, trained on a shard of the data per worker; the workers agree
 * on the gradient every step. The model is an ordered list of parameter tensors and one gradient tensor per
 * parameter, in the same order on every rank. A training step:
 * <pre>{@code
 * forward; backward, calling gradientReady(i) as each gradient is final (the last layer's first);
 * step();   // gradients agreed and averaged, the update applied: every worker holds the same parameters
 * }</pre>
 * Two implementations behind one API, chosen by {@link DataParallelOptions#mode}: {@link BucketedAllReduce} (every
 * rank a worker, gradients all-reduced in buckets while backward runs) and {@link ParameterServer} (server ranks own
 * shards of the parameters and run the update; workers push gradients and pull parameters). With
 * {@link DataParallelOptions#elastic} the all-reduce mode is an {@link ElasticAllReduce}, which goes on without
 * replicas that die. Creating one is
 * collective: it copies rank 0's parameters to every rank.
 *
 * <p>Communication advances while this rank calls into it or into its communicator (there is no background
 * thread): {@link #gradientReady} drives it, and a long stretch of compute between two gradients can call
 * {@link #progress()}.
 */
public interface DataParallel extends AutoCloseable
{
    /** Validates the model lists, copies rank 0's parameters everywhere and builds the mode's machinery. */
    static DataParallel create(final Communicator comm, final BufferAllocator allocator,
        final List<Tensor> parameters, final List<Tensor> gradients, final DataParallelOptions options)
    {
        if (comm == null || options == null)
        {
            throw new NullPointerException("DataParallel.create: " + (comm == null ? "communicator" : "options") +
                " is null");
        }
        if (options.elastic())
        {
            if (options.mode() != DataParallelOptions.Mode.ALL_REDUCE)
            {
                throw new IllegalArgumentException("rank " + comm.rank() + " of " + comm.name() + ": elastic(" +
                    options.elasticMin() + ", " + options.elasticMax() + ") is for mode ALL_REDUCE, not " +
                    options.mode());
            }
            return new ElasticAllReduce(comm, allocator, parameters, gradients, options);
        }
        return options.mode() == DataParallelOptions.Mode.ALL_REDUCE ?
            new BucketedAllReduce(comm, allocator, parameters, gradients, options) :
            new ParameterServer(comm, allocator, parameters, gradients, options);
    }

    /** How many ranks train (the sampler's replica count). */
    int workers();

    /** This rank's index among the workers (the sampler's replica), or -1 on a server. */
    int workerIndex();

    /** False on a parameter-server rank, whose {@link #serve()} serves instead of training. */
    default boolean isWorker()
    {
        return workerIndex() >= 0;
    }

    /** The gradient of parameter {@code index} is final for this backward pass (copied now; reuse the tensor). */
    void gradientReady(int index);

    /** Marks every gradient not yet marked in this pass, last parameter first: for code without per-layer hooks. */
    void allGradientsReady();

    /**
     * Ends the step: waits for the gradients of every worker, averages them (over workers and accumulated
     * micro-batches), and applies the update; afterwards the parameters are the same on every worker (in the
     * asynchronous mode: the server's current ones).
     */
    void step();

    /**
     * A scope for gradient accumulation: backward passes inside it add to the local sum and communicate nothing;
     * the next {@link #step()} averages over all of them. Allocation-free: the same object every time.
     */
    NoSync noSync();

    /** Drives this rank's communication once without waiting. */
    void progress();

    /**
     * On a parameter-server rank: serves the workers until every one has closed, then returns true. On a worker
     * (every rank in all-reduce mode) returns false at once. So {@code if (dp.serve()) return;} before the training
     * loop is right in every mode.
     */
    boolean serve();

    /** The bucket trace when {@link DataParallelOptions#trace} is on, else null. */
    BucketTrace trace();

    /** Releases buffers (allocator accounting back to zero); a worker's close also tells the servers it is done. */
    @Override
    void close();

    /** The scope {@link #noSync()} returns. */
    interface NoSync extends AutoCloseable
    {
        @Override
        void close();
    }
}
