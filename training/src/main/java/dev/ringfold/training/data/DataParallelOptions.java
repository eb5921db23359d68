package dev.ringfold.training.data;

/**
 * How {@link DataParallel#create} replicates a model: the mode, and its knobs. Fluent setters check their argument
 * at once. Defaults: all-reduce, 25 MiB buckets (PyTorch DDP's {@code bucket_cap_mb}), gradients reduced in their
 * own type, no trace, one parameter server, one replica of it, staleness 0.
 */
public final class DataParallelOptions
{
    /** PyTorch's default bucket capacity, 25 MiB. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    /** How the workers agree on gradients. */
    public enum Mode
    {
        /** Every rank a worker; gradients all-reduced in buckets while backward runs. */
        ALL_REDUCE,
        /** The last {@link #servers(int)} ranks hold the parameters; every step waits for every worker. */
        PARAMETER_SERVER,
        /** As PARAMETER_SERVER, but a server applies each push at once; a worker may run ahead of the slowest by
         * at most {@link #staleness(int)} steps. */
        ASYNC_PARAMETER_SERVER
    }

    private Mode mode = Mode.ALL_REDUCE;
    private long bucketBytes = DEFAULT_BUCKET_BYTES;
    private boolean accumulateInF32;
    private boolean trace;
    private boolean nodeSharedBuckets = true;
    private boolean updateInBuckets;
    private boolean shardedUpdate = true;
    private int servers = 1;
    private int serverReplicas = 1;
    private int staleness;
    private ParameterUpdate update;
    private int elasticMin;
    private int elasticMax;
    private ReplicaState replicaState;

    /** The defaults above; change them with the setters. */
    public DataParallelOptions()
    {
    }

    public Mode mode()
    {
        return mode;
    }

    public DataParallelOptions mode(final Mode mode)
    {
        if (mode == null)
        {
            throw new NullPointerException("data-parallel options: mode is null");
        }
        this.mode = mode;
        return this;
    }

    public long bucketBytes()
    {
        return bucketBytes;
    }

    /** Capacity of a gradient bucket in bytes (all-reduce mode); a gradient larger than this gets a bucket alone. */
    public DataParallelOptions bucketBytes(final long bytes)
    {
        if (bytes <= 0 || bytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("data-parallel options: bucketBytes=" + bytes +
                " must be in [1, " + Integer.MAX_VALUE + "]");
        }
        this.bucketBytes = bytes;
        return this;
    }

    public boolean accumulateInF32()
    {
        return accumulateInF32;
    }

    /**
     * BF16/F16 gradients: accumulate micro-batches and reduce in F32 buckets, rounding once when copied back
     * (instead of once per micro-batch). F32 gradients ignore it; parameter-server mode always does it.
     */
    public DataParallelOptions accumulateInF32(final boolean on)
    {
        this.accumulateInF32 = on;
        return this;
    }

    public boolean trace()
    {
        return trace;
    }

    /** Record per-bucket timestamps (see {@link BucketTrace}). */
    public DataParallelOptions trace(final boolean on)
    {
        this.trace = on;
        return this;
    }

    public boolean nodeSharedBuckets()
    {
        return nodeSharedBuckets;
    }

    /**
     * All-reduce mode, every rank on one node: buckets in node-shared memory (on by default), which the
     * shared-memory all-reduce reduces in place, each rank its slice straight from every rank's bucket into every
     * rank's bucket, nothing staged. Off: private buckets, staged through the node's region (the path across nodes
     * and over TCP whatever this says).
     */
    public DataParallelOptions nodeSharedBuckets(final boolean on)
    {
        this.nodeSharedBuckets = on;
        return this;
    }

    public boolean updateInBuckets()
    {
        return updateInBuckets;
    }

    /**
     * All-reduce mode: {@code step()} applies the update to the averaged gradients where the all-reduce left them,
     * views of the buckets ({@link BucketedAllReduce#averagedGradients()}, in the buckets' type), instead of copying
     * them back into the caller's gradient tensors first, which then keep this rank's own gradients: one pass over
     * the gradients fewer per step. An optimizer made for fixed lists must be made over those views (an
     * {@link OptimizerUpdate} makes its optimizer over the lists of its first apply). Elastic: the views are
     * remade with the buckets after a width change ({@link ElasticAllReduce#averagedGradients()}); an
     * {@link OptimizerUpdate} then reads the new ones. Off by default.
     */
    public DataParallelOptions updateInBuckets(final boolean on)
    {
        this.updateInBuckets = on;
        return this;
    }

    public boolean shardedUpdate()
    {
        return shardedUpdate;
    }

    /**
     * All-reduce mode, every rank on one node, an update set, not elastic: when every rank's parameters and
     * gradients are F32 node-shared tensors (a model built with a {@code NodeSharedAllocator}), each rank reduces
     * and updates only its slice of every parameter and writes the result into every rank's parameters (ZeRO-1 on
     * shared memory, {@link BucketedAllReduce}); no buckets, no copies. The update is then applied to 1-D slices
     * (as a parameter server's is to its pieces), so it must be element-wise, as the nn optimizers are, and its
     * state covers this rank's slices only. On by default; it changes nothing for private parameters.
     */
    public DataParallelOptions shardedUpdate(final boolean on)
    {
        this.shardedUpdate = on;
        return this;
    }

    public int servers()
    {
        return servers;
    }

    /** Parameter-server ranks (the last ones of the communicator); at least 1, fewer than the ranks. */
    public DataParallelOptions servers(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("data-parallel options: servers=" + count + " must be >= 1");
        }
        this.servers = count;
        return this;
    }

    public int serverReplicas()
    {
        return serverReplicas;
    }

    /**
     * Synchronous parameter server: ranks holding each parameter shard (>= 1). With 2, every shard is held by two
     * server ranks that apply the same updates in the same order, and the training goes on when one of them dies
     * (see {@link ParameterServer}); the servers take the last {@code servers × serverReplicas} ranks.
     */
    public DataParallelOptions serverReplicas(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("data-parallel options: serverReplicas=" + count + " must be >= 1");
        }
        this.serverReplicas = count;
        return this;
    }

    public int staleness()
    {
        return staleness;
    }

    /** Asynchronous parameter server: how many steps a worker may be ahead of the slowest (>= 0). */
    public DataParallelOptions staleness(final int steps)
    {
        if (steps < 0)
        {
            throw new IllegalArgumentException("data-parallel options: staleness=" + steps + " must be >= 0");
        }
        this.staleness = steps;
        return this;
    }

    public ParameterUpdate update()
    {
        return update;
    }

    /**
     * The optimizer step {@link DataParallel#step()} applies (required for the parameter-server modes, where the
     * servers run it). Without one, all-reduce mode's step() only averages the gradients.
     */
    public DataParallelOptions update(final ParameterUpdate update)
    {
        this.update = update;
        return this;
    }

    /** Whether {@link #elastic(int, int)} was set. */
    public boolean elastic()
    {
        return elasticMax > 0;
    }

    public int elasticMin()
    {
        return elasticMin;
    }

    public int elasticMax()
    {
        return elasticMax;
    }

    /**
     * Elastic all-reduce ({@link ElasticAllReduce}): when replicas die the survivors shrink to themselves and go on
     * while at least {@code min} are left; the run starts with between {@code min} and {@code max}. Only in
     * {@link Mode#ALL_REDUCE}.
     */
    public DataParallelOptions elastic(final int min, final int max)
    {
        if (min < 1 || max < min)
        {
            throw new IllegalArgumentException("data-parallel options: elastic(" + min + ", " + max +
                "): expected 1 <= min <= max");
        }
        this.elasticMin = min;
        this.elasticMax = max;
        return this;
    }

    public ReplicaState replicaState()
    {
        return replicaState;
    }

    /** Elastic mode: the optimizer state a survivor one step behind copies from one ahead (see {@link ReplicaState}). */
    public DataParallelOptions replicaState(final ReplicaState state)
    {
        this.replicaState = state;
        return this;
    }

    @Override
    public String toString()
    {
        return "DataParallelOptions{mode=" + mode + ", bucketBytes=" + bucketBytes + ", accumulateInF32=" +
            accumulateInF32 + ", trace=" + trace + ", nodeSharedBuckets=" + nodeSharedBuckets +
            ", updateInBuckets=" + updateInBuckets + ", shardedUpdate=" + shardedUpdate + ", servers=" + servers +
            ", serverReplicas=" + serverReplicas +
            ", staleness=" + staleness + ", update=" + (update == null ? "none" : "set") +
            (elastic() ? ", elastic=" + elasticMin + ":" + elasticMax : "") + "}";
    }
}
