package dev.ringfold.training.data;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * All-reduce data parallelism, DDP's design: every rank a worker, gradients fused into buckets that are all-reduced
 * while backward goes on.
 *
 * <p>Buckets are filled in reverse parameter order (backward produces the last layer's gradient first): walking
 * from the last parameter to the first, a gradient joins the current bucket unless that would take it past
 * {@link DataParallelOptions#bucketBytes()}; a gradient larger than the capacity gets a bucket alone. When the last
 * gradient of a bucket is ready, the bucket's persistent all-reduce (AVG: the sum divided by the ranks in the
 * reduction's last pass) starts, unless an earlier bucket is still waiting for gradients: buckets start strictly in
 * order, so every rank starts them in the same order whatever order its gradients come in. {@link #step()} starts
 * what is left and, bucket by bucket as each completes, copies its slices back into their gradient tensors (dividing
 * by the accumulated passes first where there were several): gradients stay the caller's tensors (one copy in, one
 * back, per step), and the caller's tensors are free for the next backward while buckets are in flight. With
 * {@link DataParallelOptions#updateInBuckets} nothing is copied back: the update reads the averages in the buckets
 * ({@link #averagedGradients()}).
 *
 * <p>When every rank is on one node the buckets are node-shared tensors ({@link NodeSharedAllocator}; unless
 * {@link DataParallelOptions#nodeSharedBuckets} is off), so the table's shared-memory all-reduce reduces them in
 * place: each rank reduces its slice straight from every rank's bucket and writes the average into every rank's
 * bucket, with no staging copy through the node region. Across nodes, or with them off, the buckets are private
 * and the table's algorithm (hierarchical, staged through the region, ring) copies as it needs.
 *
 * <p>When every rank's parameters and gradients are themselves node-shared (a model built with a
 * {@code NodeSharedAllocator}) and {@link DataParallelOptions#shardedUpdate} is on (the default), there are no
 * buckets: the gradient tensors are read in place, each rank reduces and updates only its slice of every parameter and
 * writes it into every rank's parameters ({@link ShardedUpdate}); the bucket layout still orders the reductions,
 * which start as buckets fill during backward.
 *
 * <p>It runs on a duplicate of the communicator, so collectives the training code runs on its own (a loss
 * all-reduce) cannot interleave with the buckets' sequence (in elastic mode {@link ElasticAllReduce}'s own). After the first step nothing allocates.
 */
public final class BucketedAllReduce extends AbstractDataParallel
{
    private final Communicator comm;
    private final boolean ownsComm;
    private final int size;
    private final List<Tensor> parameters;
    private final List<Tensor> gradients;
    private final ParameterUpdate update;
    private final GradientSlots slots;
    private final Tensor[] buckets;
    private final CollectiveRequest[] requests;
    private final int[] bucketOf;
    private final int[] members;
    /** Bucket b holds parameters {@code lastParameter[b] - members[b] + 1 .. lastParameter[b]}. */
    private final int[] lastParameter;
    /** Where node-shared buckets are allocated; null when they are private. */
    private final NodeSharedAllocator sharedMemory;
    /** Views of the buckets, one per gradient: where the averages are after a step. */
    private final Tensor[] averaged;
    private final List<Tensor> averagedList;
    private final boolean copyBack;
    private final int[] pending;
    private final BucketTrace trace;
    private final AccumulationScope scope;
    /** The sharded update when the parameters and gradients are node-shared; then there are no buckets. */
    private final ShardedUpdate sharded;
    private final BufferAllocator allocator;
    /** Sharded: where noSync passes accumulate, made at the first. */
    private Tensor accumulated;
    /** Sharded: buckets started in the steps before this one. */
    private long startedBefore;
    private int nextStart;
    private int nextFinish;

    BucketedAllReduce(final Communicator world, final BufferAllocator allocator, final List<Tensor> parameters,
        final List<Tensor> gradients, final DataParallelOptions options)
    {
        this(world, allocator, parameters, gradients, options, false);
    }

    /**
     * As above; {@code parametersAgreed}: the caller has made the parameters the same on every rank already (an
     * elastic rebuild after its catch-up), so rank 0's are not broadcast again.
     */
    BucketedAllReduce(final Communicator world, final BufferAllocator allocator, final List<Tensor> parameters,
        final List<Tensor> gradients, final DataParallelOptions options, final boolean parametersAgreed)
    {
        super("rank " + world.rank() + " of " + world.name() + ": data-parallel (all-reduce)");
        this.scope = new AccumulationScope(where);
        final DType gradientType = GradientSlots.validate(where, parameters, gradients, false);
        if (allocator == null)
        {
            throw new NullPointerException(where + ": the allocator is null");
        }
        GradientSlots.checkSameOnEveryRank(where, world, parameters, gradients);
        // elastic: ElasticAllReduce hands over a communicator of its own, which it revokes when a replica dies
        this.ownsComm = !options.elastic();
        this.comm = ownsComm ? world.dup() : world;
        this.size = comm.size();
        this.parameters = List.copyOf(parameters);
        this.gradients = List.copyOf(gradients);
        this.update = options.update();
        this.allocator = allocator;
        final Collectives collectives = Collectives.of(comm);
        for (int i = 0; i < this.parameters.size() && !parametersAgreed; i++)
        {
            collectives.broadcast(this.parameters.get(i), 0);
        }
        // the same answer on every rank (sharing a node is an equivalence), so every rank's buckets are shared or none
        final boolean oneNode = size > 1 && collectives.isOneNode();
        final long[] shardable = {options.shardedUpdate() && oneNode && !options.elastic() && update != null &&
            ShardedUpdate.possible(parameters, gradients) ? 1 : 0};
        if (options.shardedUpdate() && oneNode && !options.elastic() && update != null)
        {
            collectives.allReduce(shardable, 0, 1, ReduceOp.MIN); // every rank's tensors node-shared, or none sharded
        }
        final boolean shardedUpdate = shardable[0] == 1;
        final DType slotType = shardedUpdate ? gradientType : options.accumulateInF32() ? DType.F32 : gradientType;
        this.slots = new GradientSlots(where, this.gradients, gradientType, slotType, shardedUpdate);
        this.sharedMemory = (shardedUpdate || options.nodeSharedBuckets()) && oneNode ?
            NodeSharedAllocator.create(world, allocator) : null;

        // bucket layout: last parameter first
        final int n = parameters.size();
        this.bucketOf = new int[n];
        final List<Long> bucketElements = new ArrayList<>();
        final long capacity = options.bucketBytes();
        long filled = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            final long bytes = gradients.get(i).elementCount() * slotType.bytes();
            if (bucketElements.isEmpty() || (filled > 0 && filled + bytes > capacity))
            {
                bucketElements.add(0L);
                filled = 0;
            }
            final int b = bucketElements.size() - 1;
            bucketOf[i] = b;
            bucketElements.set(b, bucketElements.get(b) + gradients.get(i).elementCount());
            filled += bytes;
        }
        final int count = bucketElements.size();
        this.buckets = new Tensor[shardedUpdate ? 0 : count];
        this.requests = new CollectiveRequest[shardedUpdate ? 0 : count];
        this.members = new int[count];
        this.lastParameter = new int[count];
        this.averaged = new Tensor[n];
        this.copyBack = !options.updateInBuckets();
        this.pending = new int[count];
        final long[] bucketBytes = new long[count];
        final long[] offset = new long[count];
        ShardedUpdate made = null;
        try
        {
            for (int b = 0; b < count; b++)
            {
                if (shardedUpdate)
                {
                    bucketBytes[b] = bucketElements.get(b) * slotType.bytes();
                    continue;
                }
                final long elements = bucketElements.get(b);
                buckets[b] = sharedMemory != null ? sharedMemory.allocate("bucket " + b, slotType, elements) :
                    Tensors.zeros(allocator, slotType, elements);
                bucketBytes[b] = buckets[b].byteSize();
            }
            for (int i = n - 1; i >= 0; i--)
            {
                final int b = bucketOf[i];
                if (members[b] == 0)
                {
                    lastParameter[b] = i;
                }
                members[b]++;
                if (shardedUpdate)
                {
                    continue;
                }
                slots.place(i, buckets[b].address() + offset[b]);
                final long first = offset[b] / slotType.bytes();
                try (Tensor slice = buckets[b].slice(0, first, first + gradients.get(i).elementCount()))
                {
                    averaged[i] = slice.reshape(gradients.get(i).shape());
                }
                offset[b] += gradients.get(i).elementCount() * slotType.bytes();
            }
            for (int b = 0; b < requests.length; b++)
            {
                requests[b] = collectives.allReduceInit(buckets[b], ReduceOp.AVG);
            }
            if (shardedUpdate)
            {
                made = new ShardedUpdate(comm, sharedMemory, allocator, this.parameters, this.gradients);
            }
        }
        catch (final RuntimeException ex)
        {
            releaseBuckets();
            throw ex;
        }
        this.sharded = made;
        this.averagedList = made != null ? List.of() : List.of(averaged);
        System.arraycopy(members, 0, pending, 0, count);
        this.trace = options.trace() ? new BucketTrace(bucketBytes) : null;
    }

    /** Buckets in start order; bucket b holds the gradients whose {@link #bucketOf} is b. */
    public int buckets()
    {
        return pending.length;
    }

    public int bucketOf(final int parameter)
    {
        return bucketOf[parameter];
    }

    /**
     * The gradients' places in the buckets (views, in the buckets' type, in parameter order): after
     * {@link #synchronize()} or {@link #step()} they hold the averages, until the next backward pass copies into
     * them. What to build an optimizer over with {@link DataParallelOptions#updateInBuckets}.
     */
    public List<Tensor> averagedGradients()
    {
        if (sharded != null)
        {
            throw new IllegalStateException(where + ": the update is sharded (node-shared parameters and gradients): " +
                "no rank holds the whole average; updateParameters() and updateGradients() are what step() updates");
        }
        return averagedList;
    }

    /**
     * The parameters {@code step()} hands to the update: this rank's 1-D slices of them with the sharded update,
     * else the model's parameters. With {@link #updateGradients()}, what to make an optimizer over.
     */
    public List<Tensor> updateParameters()
    {
        return sharded != null ? sharded.parameters() : parameters;
    }

    /**
     * The gradients {@code step()} hands to the update, beside {@link #updateParameters()}: the averaged slices with
     * the sharded update, {@link #averagedGradients()} with {@link DataParallelOptions#updateInBuckets}, else the
     * model's gradients (into which the averages are copied back).
     */
    public List<Tensor> updateGradients()
    {
        return sharded != null ? sharded.gradients() : copyBack ? gradients : averagedList;
    }

    /** Whether each rank reduces and updates only its slice of the parameters ({@link ShardedUpdate}). */
    public boolean shardedUpdate()
    {
        return sharded != null;
    }

    /** Whether the buckets live in node-shared memory (and are reduced in place by every rank of the node). */
    public boolean nodeSharedBuckets()
    {
        return sharedMemory != null;
    }

    @Override
    public int workers()
    {
        return size;
    }

    @Override
    public int workerIndex()
    {
        return comm.rank();
    }

    @Override
    public void gradientReady(final int index)
    {
        checkOpen();
        if (index >= 0 && index < bucketOf.length && bucketOf[index] < nextStart)
        {
            throw new IllegalStateException(where + ": gradientReady(" + index + ") after its bucket's all-reduce " +
                "started this step; call step() first (noSync passes come before the synchronising one)");
        }
        final long copyStart = trace != null ? System.nanoTime() : 0;
        final boolean passDone = slots.ready(index, !scope.isOpen());
        final long copyEnd = trace != null ? System.nanoTime() : 0;
        if (trace != null)
        {
            trace.copiedIn(copyEnd - copyStart);
        }
        final int b = bucketOf[index];
        if (--pending[b] == 0 && trace != null)
        {
            trace.ready(b, System.nanoTime());
        }
        if (!scope.isOpen())
        {
            startFullBuckets();
        }
        if (passDone)
        {
            System.arraycopy(members, 0, pending, 0, pending.length);
            if (trace != null)
            {
                trace.backwardEnded(System.nanoTime());
            }
        }
        progress();
        if (trace != null)
        {
            trace.progressed(System.nanoTime() - copyEnd);
        }
    }

    @Override
    public void allGradientsReady()
    {
        for (int i = slots.size() - 1; i >= 0; i--)
        {
            if (!slots.isReady(i))
            {
                gradientReady(i);
            }
        }
    }

    private void startFullBuckets()
    {
        while (nextStart < pending.length && pending[nextStart] == 0)
        {
            startBucket(nextStart++);
        }
    }

    private void startBucket(final int b)
    {
        if (trace != null)
        {
            trace.started(b, System.nanoTime());
        }
        if (sharded != null)
        {
            sharded.publishStarted(startedBefore + b + 1); // its gradients are final here: peers may read them
        }
        else
        {
            requests[b].start();
        }
    }

    /** Sharded: whether bucket b's slices can be reduced now, every rank having started it. */
    private boolean finished(final int b)
    {
        if (sharded == null)
        {
            return requests[b].isComplete();
        }
        if (!sharded.allStarted(startedBefore + b + 1))
        {
            return false;
        }
        sharded.reduce(lastParameter[b] - members[b] + 1, lastParameter[b]);
        return true;
    }

    @Override
    public void progress()
    {
        checkOpen();
        // with no bucket in flight too: what else arrives (a replacement's join rounds, a death) is answered now
        comm.progress();
        if (nextFinish < nextStart)
        {
            while (nextFinish < nextStart && finished(nextFinish))
            {
                if (trace != null)
                {
                    trace.finished(nextFinish, System.nanoTime());
                }
                nextFinish++;
            }
        }
    }

    /**
     * Waits for every bucket (averaged over ranks by its all-reduce), and copies each, as it completes, into its
     * gradient tensors (unless {@link DataParallelOptions#updateInBuckets}: then the averages stay in
     * {@link #averagedGradients()}), divided by the accumulated passes where there were several; the parameters are
     * untouched.
     * {@link #step()} is this plus the update.
     */
    public void synchronize()
    {
        checkOpen();
        if (sharded != null)
        {
            throw new IllegalStateException(where + ": synchronize() with the sharded update: no rank holds the whole " +
                "average; call step(), or turn DataParallelOptions.shardedUpdate off to run an optimizer of your own");
        }
        complete();
    }

    private void complete()
    {
        scope.checkClosed();
        final int passes = slots.endWindow();
        if (sharded != null)
        {
            completeSharded(passes);
            return;
        }
        final long completing = trace != null ? System.nanoTime() : 0;
        while (nextStart < buckets.length)
        {
            startBucket(nextStart++);
        }
        for (int b = 0; b < buckets.length; b++)
        {
            requests[b].await();
            if (trace != null)
            {
                trace.finished(b, System.nanoTime());
            }
            copyBack(b, passes); // while the later buckets' peers still work
        }
        endStep(completing);
    }

    /** Every bucket reduced: the next step starts from the first bucket, each waiting for all its gradients. */
    private void endStep(final long completing)
    {
        nextStart = 0;
        nextFinish = 0;
        System.arraycopy(members, 0, pending, 0, pending.length);
        if (trace != null)
        {
            trace.completed(System.nanoTime() - completing);
            trace.stepDone();
        }
    }

    private void copyBack(final int b, final int passes)
    {
        final Tensor bucket = buckets[b];
        if (passes > 1)
        {
            ReduceKernels.divide(bucket.dtype(), bucket.address(), bucket.elementCount(), passes);
        }
        for (int i = lastParameter[b], end = lastParameter[b] - members[b]; copyBack && i > end; i--)
        {
            slots.copyBack(i);
        }
    }

    /**
     * Sharded: once every rank has finished backward (the first rendezvous; every bucket started everywhere, so
     * the reductions left need no more waiting), reduces the slices not reduced during backward.
     */
    private void completeSharded(final int passes)
    {
        final long completing = trace != null ? System.nanoTime() : 0;
        while (nextStart < pending.length)
        {
            startBucket(nextStart++);
        }
        sharded.rendezvous();
        while (nextFinish < nextStart)
        {
            finished(nextFinish);
            if (trace != null)
            {
                trace.finished(nextFinish, System.nanoTime());
            }
            nextFinish++;
        }
        if (passes > 1)
        {
            sharded.divide(passes);
        }
        startedBefore += pending.length;
        endStep(completing);
    }

    @Override
    public void step()
    {
        checkOpen();
        complete();
        if (update != null)
        {
            final long updating = trace != null ? System.nanoTime() : 0;
            update.apply(updateParameters(), updateGradients());
            if (sharded != null)
            {
                sharded.publishParameters(); // every rank has finished backward: nobody reads them now
                sharded.rendezvous();        // every slice written before any rank's next forward
            }
            if (trace != null)
            {
                trace.updated(System.nanoTime() - updating);
            }
        }
    }

    @Override
    public NoSync noSync()
    {
        checkOpen();
        if (sharded != null && accumulated == null)
        {
            long total = 0;
            for (final Tensor g : gradients)
            {
                total += g.elementCount();
            }
            accumulated = Tensors.zeros(allocator, gradients.get(0).dtype(), total);
            long at = accumulated.address();
            for (int i = 0; i < gradients.size(); i++)
            {
                slots.place(i, at);
                at += gradients.get(i).byteSize();
            }
        }
        return scope.enter();
    }

    @Override
    public boolean serve()
    {
        checkOpen();
        return false; // in all-reduce mode every rank is a worker
    }

    @Override
    public BucketTrace trace()
    {
        return trace;
    }

    @Override
    void release()
    {
        try
        {
            for (int b = 0; b < nextStart && b < requests.length; b++)
            {
                requests[b].await(); // a bucket in flight still writes into its buffer
            }
        }
        finally
        {
            releaseBuckets();
            if (ownsComm)
            {
                comm.close();
            }
        }
    }

    private void releaseBuckets()
    {
        if (sharded != null)
        {
            sharded.close();
        }
        if (accumulated != null)
        {
            accumulated.close();
        }
        for (final Tensor t : averaged)
        {
            if (t != null)
            {
                t.close();
            }
        }
        for (final Tensor t : buckets)
        {
            if (t != null)
            {
                t.close();
            }
        }
        if (sharedMemory != null)
        {
            sharedMemory.close();
        }
    }

}
