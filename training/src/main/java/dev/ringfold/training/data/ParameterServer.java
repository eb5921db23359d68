package dev.ringfold.training.data;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.mpi.Request;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameter-server data parallelism, the classic design: the last {@code servers × serverReplicas} ranks are
 * servers ({@link DataParallelOptions#servers()}, {@link DataParallelOptions#serverReplicas()}), the others workers.
 * The parameters, laid end to end in list order as one F32 vector, are cut into as many contiguous shards as there
 * are servers; shard s is held by {@code serverReplicas} ranks (replica r of shard s is rank
 * {@code workers + r × servers + s}), each keeping the parameters of it and running the {@link ParameterUpdate} on
 * it. A worker's {@link #step()} pushes its gradient shards (point-to-point, F32, averaged over its accumulated
 * passes) to every replica and pulls the parameter shards back.
 *
 * <p>Synchronous mode: a server waits for every worker's push, sums them in worker order, divides by their number,
 * updates once and sends the new shard to every worker: the same arithmetic as all-reduce mode up to the order of the
 * sum. Asynchronous mode: a server updates with each push as it comes (its gradient divided by the workers still
 * alive, so a round of pushes moves the parameters as far as one synchronous step) and answers the pusher with the
 * current shard, but holds the answer while the pusher would be more than {@link DataParallelOptions#staleness()}
 * steps ahead of the slowest worker still running. Workers that have closed or died no longer count.
 *
 * <p>Failures (a rank's death reaches the ranks that talk to it as a {@link PeerFailedException}):
 * <ul>
 * <li>A worker dies: the servers drop it and stop waiting for it. In synchronous mode the update in progress is
 * made of the pushes of the workers still alive (the plain mean over them: each survivor's gradient weighs
 * 1/survivors, as if the global batch were the survivors' samples); in asynchronous mode it stops counting towards
 * the staleness bound. The other workers see nothing (they talk only to servers). {@link #serve()} returns once
 * every worker has closed or died, and throws if every one of them died.</li>
 * <li>A server dies: with one replica per shard, the workers' next step throws a PeerFailedException naming the
 * shard and its dead rank (restart from a checkpoint, mpjrun --max-restarts). With two or more replicas (synchronous
 * mode only), every worker pushes to every replica and each replica applies the same updates in the same order, so
 * they hold the same bits; a worker takes each shard from its lowest live replica and goes on when one dies; only
 * when every replica of a shard is dead does step() throw, naming the shard and each dead rank.</li>
 * </ul>
 * Why every worker sends to every replica rather than a primary forwarding to a backup: no extra hop on the step's
 * critical path, no failover protocol (a worker simply stops using a dead replica, whose death it sees on its own
 * requests), and the backup is never behind. What it costs: each push and pull goes once per replica. What keeps
 * the replicas identical when a worker dies between its push to one replica and to the other: before each update the
 * replicas of a shard exchange which workers' pushes arrived and sum only those that arrived at every live replica
 * (a worker missing at one replica is dead, so nothing of a live worker is dropped). The asynchronous mode refuses
 * replicas: its updates follow the order pushes arrive in, which differs from replica to replica.
 *
 * <p>Messages go over a duplicate of the communicator. Gradients are copied into the flat buffer as they become
 * ready; the push happens in step(). After the first step nothing allocates, on either side, while no rank fails.
 */
public final class ParameterServer extends AbstractDataParallel
{
    private static final int PUSH = 1;
    private static final int STOP = 2;
    private static final int PARAMETERS = 3;
    private static final int ARRIVED = 4;

    private final Communicator comm;
    private final int workers;
    private final int servers;
    private final int replicas;
    private final boolean async;
    private final int staleness;
    private final ParameterUpdate update;
    private final List<Tensor> parameters;
    private final long[] prefix;
    private final long[] shardStart;
    private final List<Tensor> owned = new ArrayList<>();
    private final AccumulationScope scope;
    /** Per server rank (shard s, replica r at s × replicas + r): why it is known dead, or null. */
    private final String[] serverFailure;

    // a worker's side
    private final GradientSlots slots;
    private final Tensor flatGradients;
    private final UnsafeBuffer gradientView = new UnsafeBuffer(0, 0);
    private final Tensor[] replicaParameters;
    private final UnsafeBuffer[] parameterViews;
    private final Request[] pushes;
    private final Request[] pulls;

    // a server's side
    private final int shard;
    private final int replica;
    private final Tensor shardParameters;
    private final Tensor sum;
    private final Tensor[] received;
    private final UnsafeBuffer[] receivedViews;
    private final UnsafeBuffer shardView = new UnsafeBuffer(0, 0);
    private final Request[] receives;
    private final Request[] replies;
    private final List<Tensor> parameterPieces = new ArrayList<>();
    private final List<Tensor> gradientPieces = new ArrayList<>();
    private final long[] pushed;
    private final boolean[] waiting;
    private final boolean[] stopped;
    private final boolean[] workerDead;
    private final byte[] arrived;
    private final byte[][] arrivedAt;
    private final Request[] arrivedSends;
    private final Request[] arrivedReceives;
    private long updates;
    private long maxLead;
    private int deadWorkers;
    private int lastDeadWorker = -1;

    ParameterServer(final Communicator world, final BufferAllocator allocator, final List<Tensor> parameters,
        final List<Tensor> gradients, final DataParallelOptions options)
    {
        super("rank " + world.rank() + " of " + world.name() + ": data-parallel (" +
            (options.mode() == DataParallelOptions.Mode.ASYNC_PARAMETER_SERVER ? "asynchronous " : "") +
            "parameter server)");
        final DataParallelOptions.Mode mode = options.mode();
        this.scope = new AccumulationScope(where);
        final DType gradientType = GradientSlots.validate(where, parameters, gradients, true);
        if (allocator == null)
        {
            throw new NullPointerException(where + ": the allocator is null");
        }
        if (options.update() == null)
        {
            throw new IllegalArgumentException(where + ": parameter-server mode needs DataParallelOptions.update " +
                "(the servers run the optimizer)");
        }
        final long serverRanks = (long)options.servers() * options.serverReplicas();
        if (serverRanks >= world.size())
        {
            throw new IllegalArgumentException(where + ": servers=" + options.servers() + " × serverReplicas=" +
                options.serverReplicas() + " leaves no worker among " + world.size() + " ranks; use at most " +
                (world.size() - 1) + " server ranks in all");
        }
        if (mode == DataParallelOptions.Mode.ASYNC_PARAMETER_SERVER && options.serverReplicas() > 1)
        {
            throw new IllegalArgumentException(where + ": serverReplicas=" + options.serverReplicas() + " needs the " +
                "synchronous mode (PARAMETER_SERVER): replicas stay identical only when they apply the same updates " +
                "in the same order, and an asynchronous server applies pushes in the order they arrive");
        }
        GradientSlots.checkSameOnEveryRank(where, world, parameters, gradients);
        this.comm = world.dup();
        this.servers = options.servers();
        this.replicas = options.serverReplicas();
        this.workers = comm.size() - (int)serverRanks;
        this.async = mode == DataParallelOptions.Mode.ASYNC_PARAMETER_SERVER;
        this.staleness = options.staleness();
        this.update = options.update();
        this.parameters = List.copyOf(parameters);
        this.serverFailure = new String[(int)serverRanks];
        final Collectives collectives = Collectives.of(comm);
        for (final Tensor p : this.parameters)
        {
            collectives.broadcast(p, 0);
        }
        final int n = parameters.size();
        this.prefix = new long[n + 1];
        for (int i = 0; i < n; i++)
        {
            prefix[i + 1] = prefix[i] + parameters.get(i).elementCount();
        }
        this.shardStart = new long[servers + 1];
        for (int s = 0; s <= servers; s++)
        {
            shardStart[s] = prefix[n] * s / servers;
        }
        final boolean worker = comm.rank() < workers;
        this.shard = worker ? -1 : (comm.rank() - workers) % servers;
        this.replica = worker ? -1 : (comm.rank() - workers) / servers;
        try
        {
            if (worker)
            {
                this.slots = new GradientSlots(where, List.copyOf(gradients), gradientType, DType.F32);
                this.flatGradients = own(Tensors.zeros(allocator, DType.F32, prefix[n]));
                flatGradients.unsafeBuffer(gradientView);
                this.replicaParameters = new Tensor[replicas];
                this.parameterViews = new UnsafeBuffer[replicas];
                for (int r = 0; r < replicas; r++)
                {
                    replicaParameters[r] = own(Tensors.zeros(allocator, DType.F32, prefix[n]));
                    parameterViews[r] = replicaParameters[r].unsafeBuffer();
                }
                for (int i = 0; i < n; i++)
                {
                    slots.place(i, flatGradients.address() + 4 * prefix[i]);
                }
                this.pushes = requests((int)serverRanks);
                this.pulls = requests((int)serverRanks);
                this.shardParameters = null;
                this.sum = null;
                this.received = null;
                this.receivedViews = null;
                this.receives = null;
                this.replies = null;
                this.pushed = null;
                this.waiting = null;
                this.stopped = null;
                this.workerDead = null;
                this.arrived = null;
                this.arrivedAt = null;
                this.arrivedSends = null;
                this.arrivedReceives = null;
            }
            else
            {
                this.slots = null;
                this.flatGradients = null;
                this.replicaParameters = null;
                this.parameterViews = null;
                this.pushes = null;
                this.pulls = null;
                final long from = shardStart[shard];
                final long length = shardStart[shard + 1] - from;
                this.shardParameters = own(Tensors.zeros(allocator, DType.F32, length));
                this.sum = own(Tensors.zeros(allocator, DType.F32, length));
                shardParameters.unsafeBuffer(shardView);
                this.received = new Tensor[workers];
                this.receivedViews = new UnsafeBuffer[workers];
                for (int w = 0; w < workers; w++)
                {
                    received[w] = own(Tensors.zeros(allocator, DType.F32, length));
                    receivedViews[w] = received[w].unsafeBuffer();
                }
                for (int i = 0; i < n; i++)
                {
                    final long a = Math.max(prefix[i], from);
                    final long b = Math.min(prefix[i + 1], from + length);
                    if (a < b)
                    {
                        UnsafeApi.copyMemory(parameters.get(i).address() + 4 * (a - prefix[i]),
                            shardParameters.address() + 4 * (a - from), 4 * (b - a));
                        parameterPieces.add(own(shardParameters.slice(0, a - from, b - from)));
                        gradientPieces.add(own(sum.slice(0, a - from, b - from)));
                    }
                }
                this.receives = requests(workers);
                this.replies = requests(workers);
                this.pushed = new long[workers];
                this.waiting = new boolean[workers];
                this.stopped = new boolean[workers];
                this.workerDead = new boolean[workers];
                this.arrived = new byte[workers];
                this.arrivedAt = new byte[replicas][workers];
                this.arrivedSends = requests(replicas);
                this.arrivedReceives = requests(replicas);
            }
        }
        catch (final RuntimeException ex)
        {
            closeOwned();
            throw ex;
        }
    }

    private Tensor own(final Tensor t)
    {
        owned.add(t);
        return t;
    }

    private static Request[] requests(final int n)
    {
        final Request[] r = new Request[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = new Request();
        }
        return r;
    }

    /** Replica r of shard s. */
    private int serverRank(final int s, final int r)
    {
        return workers + r * servers + s;
    }

    private int shardBytes(final int s)
    {
        return (int)(4 * (shardStart[s + 1] - shardStart[s]));
    }

    @Override
    public int workers()
    {
        return workers;
    }

    @Override
    public int workerIndex()
    {
        return shard < 0 ? comm.rank() : -1;
    }

    /** The parameter shard this server owns (elements of the flat parameter vector), for tests and logs. */
    public long shardElements()
    {
        return shard < 0 ? 0 : shardStart[shard + 1] - shardStart[shard];
    }

    /** On a server: which replica of its shard it is (0 when the shards are not replicated); -1 on a worker. */
    public int replica()
    {
        return replica;
    }

    /** Updates this server has applied. */
    public long updates()
    {
        return updates;
    }

    /**
     * Asynchronous mode: the largest lead, in steps, of a worker over the slowest running worker at the moment the
     * server let it go on; never more than the staleness bound.
     */
    public long maxLead()
    {
        return maxLead;
    }

    /** On a server: the workers it has dropped because they died. */
    public int deadWorkers()
    {
        return deadWorkers;
    }

    /** On a worker: the server ranks (of this communicator) it has stopped using because they died. */
    public int deadServers()
    {
        int dead = 0;
        for (final String f : serverFailure)
        {
            dead += f == null ? 0 : 1;
        }
        return dead;
    }

    /** On a server: the F32 values of its shard now (replicas of a shard hold the same bits), for tests. */
    public float[] shardValues()
    {
        if (shard < 0)
        {
            throw new IllegalStateException(where + ": shardValues() on a worker; only servers hold a shard");
        }
        final float[] values = new float[(int)shardParameters.elementCount()];
        for (int k = 0; k < values.length; k++)
        {
            values[k] = shardView.getFloat(4 * k, ByteOrder.nativeOrder());
        }
        return values;
    }

    // ------------------------------------------------------------------------------------------------ worker

    @Override
    public void gradientReady(final int index)
    {
        checkWorker("gradientReady");
        slots.ready(index);
    }

    @Override
    public void allGradientsReady()
    {
        checkWorker("allGradientsReady");
        for (int i = slots.size() - 1; i >= 0; i--)
        {
            if (!slots.isReady(i))
            {
                slots.ready(i);
            }
        }
    }

    @Override
    public void step()
    {
        checkWorker("step");
        scope.checkClosed();
        final int passes = slots.endWindow();
        if (passes > 1)
        {
            ReduceKernels.divide(DType.F32, flatGradients.address(), flatGradients.elementCount(), passes);
        }
        for (int s = 0; s < servers; s++)
        {
            final int offset = (int)(4 * shardStart[s]);
            for (int r = 0; r < replicas; r++)
            {
                final int i = s * replicas + r;
                if (serverFailure[i] != null)
                {
                    continue;
                }
                try
                {
                    comm.irecv(parameterViews[r], offset, shardBytes(s), serverRank(s, r), PARAMETERS, pulls[i]);
                    comm.isend(gradientView, offset, shardBytes(s), serverRank(s, r), PUSH, pushes[i]);
                }
                catch (final PeerFailedException ex)
                {
                    serverFailed(i, ex);
                }
            }
        }
        for (int i = 0; i < serverFailure.length; i++)
        {
            if (serverFailure[i] == null)
            {
                awaitServer(i, pushes[i]);
                awaitServer(i, pulls[i]);
            }
        }
        final long base = replicaParameters[0].address();
        for (int s = 0; s < servers; s++)
        {
            final int from = liveReplica(s);
            if (from > 0)
            {
                UnsafeApi.copyMemory(replicaParameters[from].address() + 4 * shardStart[s], base + 4 * shardStart[s],
                    shardBytes(s));
            }
        }
        for (int i = 0; i < parameters.size(); i++)
        {
            final Tensor p = parameters.get(i);
            UnsafeApi.copyMemory(base + 4 * prefix[i], p.address(), 4 * p.elementCount());
        }
    }

    /** Waits for a request to server {@code i}; its death marks it dead instead of ending the step. */
    private void awaitServer(final int i, final Request request)
    {
        try
        {
            request.await();
        }
        catch (final PeerFailedException ex)
        {
            if (ex.worldRank() != comm.worldRank(serverRank(i / replicas, i % replicas)))
            {
                throw ex;
            }
            serverFailed(i, ex);
        }
    }

    private void serverFailed(final int i, final PeerFailedException ex)
    {
        serverFailure[i] = ex.getMessage();
        if (liveReplica(i / replicas) < 0)
        {
            throw allReplicasDead(i / replicas, ex);
        }
    }

    /** The lowest replica of shard s not known dead, or -1. */
    private int liveReplica(final int s)
    {
        for (int r = 0; r < replicas; r++)
        {
            if (serverFailure[s * replicas + r] == null)
            {
                return r;
            }
        }
        return -1;
    }

    private PeerFailedException allReplicasDead(final int s, final PeerFailedException last)
    {
        final StringBuilder dead = new StringBuilder();
        for (int r = 0; r < replicas; r++)
        {
            dead.append(r == 0 ? "" : "; ").append("rank ").append(serverRank(s, r)).append(" (world rank ")
                .append(comm.worldRank(serverRank(s, r))).append("): ").append(serverFailure[s * replicas + r]);
        }
        return new PeerFailedException(last.worldRank(), where + ": every server holding parameter shard " + s +
            " of " + servers + " has failed (" + (replicas == 1 ? "it has no replica" : replicas + " replicas") +
            "): " + dead + "; the training cannot go on: restart it from a checkpoint (mpjrun --max-restarts), " +
            (replicas == 1 ? "or replicate the servers (DataParallelOptions.serverReplicas, --server-replicas 2) " +
            "to survive a server's death" : "or run more replicas"));
    }

    @Override
    public NoSync noSync()
    {
        checkWorker("noSync");
        return scope.enter();
    }

    @Override
    public void progress()
    {
        checkOpen();
        comm.progress();
    }

    @Override
    public BucketTrace trace()
    {
        return null;
    }

    private void checkWorker(final String call)
    {
        checkOpen();
        if (shard >= 0)
        {
            throw new IllegalStateException(where + ": " + call + "() on parameter server " + shard + "; server ranks " +
                "(the last " + servers * replicas + ") call serve()");
        }
    }

    // ------------------------------------------------------------------------------------------------ server

    @Override
    public boolean serve()
    {
        checkOpen();
        if (shard < 0)
        {
            return false; // a worker: it trains
        }
        for (int w = 0; w < workers; w++)
        {
            if (!workerDead[w])
            {
                receive(w);
            }
        }
        if (async)
        {
            serveAsync();
        }
        else
        {
            serveSync();
        }
        if (deadWorkers == workers)
        {
            throw new PeerFailedException(comm.worldRank(lastDeadWorker), where + ": every one of the " + workers +
                " workers has failed (the last, rank " + lastDeadWorker + ", world rank " +
                comm.worldRank(lastDeadWorker) + "): nothing is left to serve");
        }
        return true;
    }

    private void receive(final int w)
    {
        try
        {
            comm.irecv(receivedViews[w], 0, shardBytes(shard), w, Communicator.ANY_TAG, receives[w]);
        }
        catch (final PeerFailedException ex)
        {
            workerFailed(w);
        }
    }

    /** Waits for a request to or from worker w; false (and the worker dropped) if it died. */
    private boolean awaitWorker(final int w, final Request request)
    {
        try
        {
            request.await();
            return true;
        }
        catch (final PeerFailedException ex)
        {
            if (ex.worldRank() != comm.worldRank(w))
            {
                throw ex;
            }
            workerFailed(w);
            return false;
        }
    }

    private void workerFailed(final int w)
    {
        if (!workerDead[w])
        {
            workerDead[w] = true;
            waiting[w] = false;
            deadWorkers++;
            lastDeadWorker = w;
        }
    }

    private boolean stoppedBy(final int w)
    {
        final int tag = receives[w].status().tag();
        if (tag != STOP && tag != PUSH)
        {
            throw new IllegalStateException(where + ": message with tag " + tag + " from worker " + w);
        }
        return tag == STOP;
    }

    private void serveSync()
    {
        final long sumAddress = sum.address();
        final long length = sum.elementCount();
        while (true)
        {
            int stops = 0;
            int pushes = 0;
            for (int w = 0; w < workers; w++)
            {
                arrived[w] = 0;
                if (workerDead[w] || !awaitWorker(w, receives[w]))
                {
                    continue;
                }
                if (stoppedBy(w))
                {
                    stops++;
                }
                else
                {
                    arrived[w] = 1;
                    pushes++;
                }
            }
            if (pushes == 0)
            {
                return; // every worker closed or died
            }
            if (stops > 0)
            {
                throw new IllegalStateException(where + ": " + stops + " of " + workers + " workers closed at update " +
                    updates + " while the others pushed gradients; in synchronous mode every worker runs the same " +
                    "number of steps");
            }
            if (replicas > 1)
            {
                pushes = agreeOnArrivals();
            }
            boolean first = true;
            for (int w = 0; w < workers; w++)
            {
                if (arrived[w] == 1)
                {
                    if (first)
                    {
                        UnsafeApi.copyMemory(received[w].address(), sumAddress, 4 * length);
                        first = false;
                    }
                    else
                    {
                        ReduceKernels.reduce(ReduceOp.SUM, DType.F32, sumAddress, received[w].address(), length);
                    }
                }
            }
            applyUpdate(pushes);
            for (int w = 0; w < workers; w++)
            {
                if (arrived[w] == 1)
                {
                    receive(w);
                }
                if (arrived[w] == 1 && !workerDead[w])
                {
                    try
                    {
                        comm.isend(shardView, 0, shardBytes(shard), w, PARAMETERS, replies[w]);
                    }
                    catch (final PeerFailedException ex)
                    {
                        workerFailed(w);
                    }
                }
            }
            for (int w = 0; w < workers; w++)
            {
                if (arrived[w] == 1 && !workerDead[w])
                {
                    awaitWorker(w, replies[w]);
                }
            }
        }
    }

    /**
     * Replicated shards: tells the other live replicas of this shard whose pushes arrived here and keeps only those
     * that arrived at every one of them, so that all replicas sum the same gradients. A worker missing at one replica
     * died while pushing; it is dropped here too. Returns the pushes kept.
     */
    private int agreeOnArrivals()
    {
        for (int r = 0; r < replicas; r++)
        {
            final int i = shard * replicas + r;
            if (r == replica || serverFailure[i] != null)
            {
                continue;
            }
            try
            {
                comm.irecv(arrivedAt[r], 0, workers, serverRank(shard, r), ARRIVED, arrivedReceives[r]);
                comm.isend(arrived, 0, workers, serverRank(shard, r), ARRIVED, arrivedSends[r]);
            }
            catch (final PeerFailedException ex)
            {
                serverFailure[i] = ex.getMessage();
            }
        }
        for (int r = 0; r < replicas; r++)
        {
            final int i = shard * replicas + r;
            if (r == replica || serverFailure[i] != null)
            {
                continue;
            }
            try
            {
                Request.waitAll(arrivedSends[r], arrivedReceives[r]);
                for (int w = 0; w < workers; w++)
                {
                    if (arrived[w] == 1 && arrivedAt[r][w] == 0)
                    {
                        arrived[w] = 0;
                        workerFailed(w); // it died pushing: its receive here is done, it is not asked again
                    }
                }
            }
            catch (final PeerFailedException ex)
            {
                if (ex.worldRank() != comm.worldRank(serverRank(shard, r)))
                {
                    throw ex;
                }
                serverFailure[i] = ex.getMessage();
            }
        }
        int kept = 0;
        for (int w = 0; w < workers; w++)
        {
            kept += arrived[w];
        }
        return kept;
    }

    /** Averages the sum over {@code contributions} gradients and updates the shard. */
    private void applyUpdate(final int contributions)
    {
        if (contributions > 1)
        {
            ReduceKernels.divide(DType.F32, sum.address(), sum.elementCount(), contributions);
        }
        update.apply(parameterPieces, gradientPieces);
        updates++;
    }

    private void serveAsync()
    {
        while (running() > 0)
        {
            final int w;
            try
            {
                w = Request.waitAny(receives);
            }
            catch (final PeerFailedException ex)
            {
                workerFailed(workerOf(ex));
                releaseWithinBound();
                continue;
            }
            if (w < 0)
            {
                return;
            }
            if (stoppedBy(w))
            {
                stopped[w] = true;
            }
            else
            {
                UnsafeApi.copyMemory(received[w].address(), sum.address(), 4 * sum.elementCount());
                receive(w);
                applyUpdate(workers - deadWorkers);
                pushed[w]++;
                waiting[w] = true;
            }
            releaseWithinBound();
        }
    }

    /** Workers neither closed nor dead. */
    private int running()
    {
        int running = 0;
        for (int w = 0; w < workers; w++)
        {
            running += stopped[w] || workerDead[w] ? 0 : 1;
        }
        return running;
    }

    private int workerOf(final PeerFailedException ex)
    {
        for (int w = 0; w < workers; w++)
        {
            if (comm.worldRank(w) == ex.worldRank())
            {
                return w;
            }
        }
        throw ex;
    }

    /** Answers every waiting worker that is at most {@code staleness} steps ahead of the slowest running one. */
    private void releaseWithinBound()
    {
        long slowest = Long.MAX_VALUE;
        for (int w = 0; w < workers; w++)
        {
            if (!stopped[w] && !workerDead[w])
            {
                slowest = Math.min(slowest, pushed[w]);
            }
        }
        for (int w = 0; w < workers; w++)
        {
            if (waiting[w] && (slowest == Long.MAX_VALUE || pushed[w] - slowest <= staleness))
            {
                waiting[w] = false;
                maxLead = Math.max(maxLead, slowest == Long.MAX_VALUE ? 0 : pushed[w] - slowest);
                // the shard changes with the next push: this copy must be out before then
                try
                {
                    comm.isend(shardView, 0, shardBytes(shard), w, PARAMETERS, replies[w]);
                }
                catch (final PeerFailedException ex)
                {
                    workerFailed(w);
                    continue;
                }
                if (!awaitWorker(w, replies[w]))
                {
                    // its death may make another worker the slowest: answer whoever that lets go
                    releaseWithinBound();
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ both

    @Override
    void release()
    {
        try
        {
            if (shard < 0)
            {
                for (int i = 0; i < serverFailure.length; i++)
                {
                    if (serverFailure[i] == null)
                    {
                        try
                        {
                            comm.isend(gradientView, 0, 0, serverRank(i / replicas, i % replicas), STOP, pushes[i])
                                .await();
                        }
                        catch (final PeerFailedException ex)
                        {
                            serverFailure[i] = ex.getMessage(); // a dead server needs no goodbye
                        }
                    }
                }
            }
        }
        finally
        {
            closeOwned();
            comm.close();
        }
    }

    private void closeOwned()
    {
        for (int i = owned.size() - 1; i >= 0; i--)
        {
            owned.get(i).close();
        }
        owned.clear();
    }

}
