package dev.ringfold.training.data;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameter-server data parallelism, the classic design: the last {@link DataParallelOptions#servers()} ranks are
 * servers, the others workers. The parameters, laid end to end in list order as one F32 vector, are cut into as
 * many contiguous shards as there are servers; server s owns shard s, keeps the parameters of it and runs the
 * {@link ParameterUpdate} on it. A worker's {@link #step()} pushes its gradient shards (point-to-point, F32, averaged
 * over its accumulated passes) and pulls the parameter shards back.
 *
 * <p>Synchronous mode: a server waits for every worker's push, sums them in worker order, divides by the workers,
 * updates once and sends the new shard to every worker: the same arithmetic as all-reduce mode up to the order of the
 * sum. Asynchronous mode: a server updates with each push as it comes (its gradient divided by the workers, so a
 * round of pushes moves the parameters as far as one synchronous step) and answers the pusher with the current
 * shard, but holds the answer while the pusher would be more than {@link DataParallelOptions#staleness()} steps
 * ahead of the slowest worker still running. Workers that have closed no longer count.
 *
 * <p>Messages go over a duplicate of the communicator. Gradients are copied into the flat buffer as they become
 * ready; the push happens in step(). After the first step nothing allocates, on either side.
 */
public final class ParameterServer implements DataParallel
{
    private static final int PUSH = 1;
    private static final int STOP = 2;
    private static final int PARAMETERS = 3;

    private final String where;
    private final Communicator comm;
    private final int workers;
    private final int servers;
    private final boolean async;
    private final int staleness;
    private final ParameterUpdate update;
    private final List<Tensor> parameters;
    private final long[] prefix;
    private final long[] shardStart;
    private final List<Tensor> owned = new ArrayList<>();
    private final AccumulationScope scope;
    private boolean closed;

    // a worker's side
    private final GradientSlots slots;
    private final Tensor flatGradients;
    private final Tensor flatParameters;
    private final UnsafeBuffer gradientView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer parameterView = new UnsafeBuffer(0, 0);
    private final Request[] pushes;
    private final Request[] pulls;

    // a server's side
    private final int shard;
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
    private long updates;
    private long maxLead;

    ParameterServer(final Communicator world, final BufferAllocator allocator, final List<Tensor> parameters,
        final List<Tensor> gradients, final DataParallelOptions options)
    {
        final DataParallelOptions.Mode mode = options.mode();
        this.where = "rank " + world.rank() + " of " + world.name() + ": data-parallel (" +
            (mode == DataParallelOptions.Mode.ASYNC_PARAMETER_SERVER ? "asynchronous " : "") + "parameter server)";
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
        if (options.servers() >= world.size())
        {
            throw new IllegalArgumentException(where + ": servers=" + options.servers() + " leaves no worker among " +
                world.size() + " ranks; use at most " + (world.size() - 1));
        }
        GradientSlots.checkSameOnEveryRank(where, world, parameters, gradients);
        this.comm = world.dup();
        this.servers = options.servers();
        this.workers = comm.size() - servers;
        this.async = mode == DataParallelOptions.Mode.ASYNC_PARAMETER_SERVER;
        this.staleness = options.staleness();
        this.update = options.update();
        this.parameters = List.copyOf(parameters);
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
        this.shard = worker ? -1 : comm.rank() - workers;
        try
        {
            if (worker)
            {
                this.slots = new GradientSlots(where, List.copyOf(gradients), gradientType, DType.F32);
                this.flatGradients = own(Tensors.zeros(allocator, DType.F32, prefix[n]));
                this.flatParameters = own(Tensors.zeros(allocator, DType.F32, prefix[n]));
                flatGradients.unsafeBuffer(gradientView);
                flatParameters.unsafeBuffer(parameterView);
                for (int i = 0; i < n; i++)
                {
                    slots.place(i, flatGradients.address() + 4 * prefix[i]);
                }
                this.pushes = requests(servers);
                this.pulls = requests(servers);
                this.shardParameters = null;
                this.sum = null;
                this.received = null;
                this.receivedViews = null;
                this.receives = null;
                this.replies = null;
                this.pushed = null;
                this.waiting = null;
                this.stopped = null;
            }
            else
            {
                this.slots = null;
                this.flatGradients = null;
                this.flatParameters = null;
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
            }
        }
        catch (final RuntimeException ex)
        {
            release();
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

    private int serverRank(final int s)
    {
        return workers + s;
    }

    private int shardBytes(final int s)
    {
        return (int)(4 * (shardStart[s + 1] - shardStart[s]));
    }

    @Override
    public boolean isWorker()
    {
        return shard < 0;
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
            comm.irecv(parameterView, offset, shardBytes(s), serverRank(s), PARAMETERS, pulls[s]);
            comm.isend(gradientView, offset, shardBytes(s), serverRank(s), PUSH, pushes[s]);
        }
        for (int s = 0; s < servers; s++)
        {
            pushes[s].await();
            pulls[s].await();
        }
        final long base = flatParameters.address();
        for (int i = 0; i < parameters.size(); i++)
        {
            final Tensor p = parameters.get(i);
            UnsafeApi.copyMemory(base + 4 * prefix[i], p.address(), 4 * p.elementCount());
        }
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
                "(the last " + servers + ") call serve()");
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
            receive(w);
        }
        if (async)
        {
            serveAsync();
        }
        else
        {
            serveSync();
        }
        return true;
    }

    private void receive(final int w)
    {
        comm.irecv(receivedViews[w], 0, shardBytes(shard), w, Communicator.ANY_TAG, receives[w]);
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
            for (int w = 0; w < workers; w++)
            {
                receives[w].await();
                if (stoppedBy(w))
                {
                    stops++;
                }
            }
            if (stops == workers)
            {
                return;
            }
            if (stops > 0)
            {
                throw new IllegalStateException(where + ": " + stops + " of " + workers + " workers closed at update " +
                    updates + " while the others pushed gradients; in synchronous mode every worker runs the same " +
                    "number of steps");
            }
            UnsafeApi.copyMemory(received[0].address(), sumAddress, 4 * length);
            for (int w = 1; w < workers; w++)
            {
                ReduceKernels.reduce(ReduceOp.SUM, DType.F32, sumAddress, received[w].address(), length);
            }
            applyUpdate();
            for (int w = 0; w < workers; w++)
            {
                receive(w);
                comm.isend(shardView, 0, shardBytes(shard), w, PARAMETERS, replies[w]);
            }
            for (int w = 0; w < workers; w++)
            {
                replies[w].await();
            }
        }
    }

    private void applyUpdate()
    {
        if (workers > 1)
        {
            ReduceKernels.divide(DType.F32, sum.address(), sum.elementCount(), workers);
        }
        update.apply(parameterPieces, gradientPieces);
        updates++;
    }

    private void serveAsync()
    {
        int running = workers;
        while (running > 0)
        {
            final int w = Request.waitAny(receives);
            if (stoppedBy(w))
            {
                stopped[w] = true;
                running--;
            }
            else
            {
                UnsafeApi.copyMemory(received[w].address(), sum.address(), 4 * sum.elementCount());
                receive(w);
                applyUpdate();
                pushed[w]++;
                waiting[w] = true;
            }
            releaseWithinBound();
        }
    }

    /** Answers every waiting worker that is at most {@code staleness} steps ahead of the slowest running one. */
    private void releaseWithinBound()
    {
        long slowest = Long.MAX_VALUE;
        for (int w = 0; w < workers; w++)
        {
            if (!stopped[w])
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
                comm.isend(shardView, 0, shardBytes(shard), w, PARAMETERS, replies[w]).await();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ both

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (shard < 0)
            {
                for (int s = 0; s < servers; s++)
                {
                    comm.isend(gradientView, 0, 0, serverRank(s), STOP, pushes[s]).await();
                }
            }
        }
        finally
        {
            release();
            comm.close();
        }
    }

    private void release()
    {
        for (int i = owned.size() - 1; i >= 0; i--)
        {
            owned.get(i).close();
        }
        owned.clear();
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(where + ": closed");
        }
    }
}
