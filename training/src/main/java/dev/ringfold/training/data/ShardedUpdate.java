package dev.ringfold.training.data;

import dev.ringfold.collectives.CollectiveRequest;
import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.NodeSharedAllocator;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.SharedLocations;
import dev.ringfold.tensors.SharedTensors;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import dev.ringfold.tensors.kernels.ReduceKernels;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * The sharded update of {@link BucketedAllReduce} on one node (ZeRO-1 over shared memory): every rank's parameters
 * and gradients are node-shared tensors, so no bucket and no copy stands between backward and the reduction. Each
 * rank owns a slice of every gradient ({@link #start}, {@link #length}: contiguous, sizes differing by at most one
 * element); it reduces that slice straight from every rank's gradient, in rank order, and divides by the ranks
 * ({@link #reduce}: the same bits as the in-place all-reduce's AVG), into a private buffer; the update runs on the
 * slices only, over this rank's copy of its slices of the parameters (and slice-sized optimizer state); the new
 * slices are then written into every other rank's parameters ({@link #publishParameters}). Each slice is updated by
 * exactly one rank and copied bit for bit, so every rank ends the step with the same parameters.
 *
 * <p>Ordering. A rank publishes, in its node-shared control word, how many buckets of the run it has started
 * ({@link #publishStarted}, release): a bucket started means its gradients are final on that rank, so a peer may
 * read them ({@link #allStarted}, acquire) while backward goes on; nobody writes a gradient again before the step's
 * last rendezvous. Parameters are different: a rank still reads a layer's weights in backward after that layer's
 * gradient is final (its input gradient), so slices are written into the peers' parameters only after the first
 * rendezvous of {@code step()} (every rank has finished backward), and the next forward starts after the second
 * (every rank has written its slices). The rendezvous are a persistent 8-byte all-reduce: a dead peer is the
 * collective's error, not a hang.
 */
final class ShardedUpdate implements AutoCloseable
{
    /** Elements reduced per piece: the sources' pieces and the result stay in cache between the passes. */
    private static final long PIECE = 8192;
    private static final int TAG = 0x52_5a_31; // the handles' exchange on the data-parallel communicator

    private final int rank;
    private final int size;
    private final Tensor control;
    private final Tensor[] controls;
    private final UnsafeBuffer[] started;
    private final long[][] gradientOf;
    private final long[][] parameterOf;
    private final Tensor[][] mapped;
    private final long[] start;
    private final long[] length;
    private final long[] scratchAt;
    private final Tensor scratch;
    private final List<Tensor> views = new ArrayList<>();
    private final List<Tensor> sliceParameters;
    private final List<Tensor> sliceGradients;
    private final Tensor token;
    private final CollectiveRequest rendezvous;

    /**
     * Whether this rank's parameters and gradients allow the sharded update: all F32 and node-shared. Every rank
     * must agree before one is made (the caller all-reduces the answer).
     */
    static boolean possible(final List<Tensor> parameters, final List<Tensor> gradients)
    {
        for (int i = 0; i < parameters.size(); i++)
        {
            for (final Tensor t : new Tensor[]{ parameters.get(i), gradients.get(i) })
            {
                if (t.dtype() != DType.F32 || !SharedLocations.isNodeShared(t.address(), t.byteSize()))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** Collective over {@code comm} (node peers): maps every rank's parameters and gradients. */
    ShardedUpdate(final Communicator comm, final NodeSharedAllocator shared, final BufferAllocator allocator,
        final List<Tensor> parameters, final List<Tensor> gradients)
    {
        this.rank = comm.rank();
        this.size = comm.size();
        final int n = parameters.size();
        this.gradientOf = new long[n][];
        this.parameterOf = new long[n][];
        this.mapped = new Tensor[2 * n][];
        this.start = new long[n];
        this.length = new long[n];
        this.scratchAt = new long[n];
        Tensor madeControl = null;
        Tensor[] madeControls = null;
        Tensor madeScratch = null;
        Tensor madeToken = null;
        try
        {
            madeControl = shared.allocate("sharded update control", DType.I64, 8); // a cache line of its own
            madeControls = SharedTensors.exchange(comm, shared, madeControl, TAG);
            long total = 0;
            for (int i = 0; i < n; i++)
            {
                mapped[2 * i] = SharedTensors.exchange(comm, shared, gradients.get(i), TAG);
                mapped[2 * i + 1] = SharedTensors.exchange(comm, shared, parameters.get(i), TAG);
                gradientOf[i] = addresses(mapped[2 * i]);
                parameterOf[i] = addresses(mapped[2 * i + 1]);
                final long count = gradients.get(i).elementCount();
                start[i] = count / size * rank + Math.min(rank, count % size);
                length[i] = count / size + (rank < count % size ? 1 : 0);
                scratchAt[i] = 4 * total;
                total += length[i];
            }
            madeScratch = Tensors.zeros(allocator, DType.F32, Math.max(total, 1));
            madeToken = Tensors.zeros(allocator, DType.I64, 1);
        }
        catch (final RuntimeException ex)
        {
            for (final Tensor[] peers : mapped)
            {
                closeAll(null, peers, null, null);
            }
            closeAll(madeControl, madeControls, madeScratch, madeToken);
            throw ex;
        }
        this.control = madeControl;
        this.controls = madeControls;
        this.scratch = madeScratch;
        this.token = madeToken;
        this.started = new UnsafeBuffer[size];
        for (int r = 0; r < size; r++)
        {
            started[r] = new UnsafeBuffer(controls[r].address(), 8);
        }
        final List<Tensor> p = new ArrayList<>();
        final List<Tensor> g = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            if (length[i] > 0)
            {
                p.add(slice(parameters.get(i), start[i], length[i]));
                g.add(slice(scratch, scratchAt[i] / 4, length[i]));
            }
        }
        this.sliceParameters = List.copyOf(p);
        this.sliceGradients = List.copyOf(g);
        this.rendezvous = Collectives.of(comm).allReduceInit(token, ReduceOp.MAX);
    }

    private static long[] addresses(final Tensor[] tensors)
    {
        final long[] a = new long[tensors.length];
        for (int r = 0; r < a.length; r++)
        {
            a[r] = tensors[r].address();
        }
        return a;
    }

    /** A 1-D view of {@code count} elements of {@code t} from {@code first}. */
    private Tensor slice(final Tensor t, final long first, final long count)
    {
        try (Tensor flat = t.reshape(t.elementCount()))
        {
            final Tensor view = flat.slice(0, first, first + count);
            views.add(view);
            return view;
        }
    }

    /** This rank's slices of the parameters (its own copy), in parameter order, empty slices left out. */
    List<Tensor> parameters()
    {
        return sliceParameters;
    }

    /** The averaged gradients of those slices (valid from the end of {@link #reduce} to the next step). */
    List<Tensor> gradients()
    {
        return sliceGradients;
    }

    void publishStarted(final long buckets)
    {
        started[rank].putLongRelease(0, buckets);
    }

    boolean allStarted(final long buckets)
    {
        for (int r = 0; r < size; r++)
        {
            if (started[r].getLongAcquire(0) < buckets)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Reduces this rank's slices of gradients {@code first} to {@code last} (inclusive) from every rank's gradient,
     * {@code ((g0 + g1) + g2) ... + g(n-1)}, divided by the ranks, into the private buffer.
     */
    void reduce(final int first, final int last)
    {
        final long out = scratch.address();
        for (int i = first; i <= last; i++)
        {
            final long[] from = gradientOf[i];
            for (long done = 0; done < length[i]; done += PIECE)
            {
                final long count = Math.min(PIECE, length[i] - done);
                final long at = 4 * (start[i] + done);
                final long dst = out + scratchAt[i] + 4 * done;
                ReduceKernels.reduce(ReduceOp.SUM, DType.F32, dst, from[0] + at, from[1] + at, count);
                for (int r = 2; r < size; r++)
                {
                    ReduceKernels.reduce(ReduceOp.SUM, DType.F32, dst, from[r] + at, count);
                }
                ReduceKernels.divide(DType.F32, dst, count, size);
            }
        }
    }

    /** Divides the averaged slices by the backward passes accumulated (after every {@link #reduce}). */
    void divide(final int passes)
    {
        ReduceKernels.divide(DType.F32, scratch.address(), scratch.elementCount(), passes);
    }

    /**
     * Returns once every rank has called it: after the first of a step every rank has finished backward and started
     * every bucket, after the second every rank has written its slices.
     */
    void rendezvous()
    {
        rendezvous.start();
        rendezvous.await();
    }

    /** Writes this rank's updated slices into every other rank's parameters (after the first rendezvous). */
    void publishParameters()
    {
        for (int i = 0; i < parameterOf.length; i++)
        {
            final long bytes = 4 * length[i];
            if (bytes == 0)
            {
                continue;
            }
            final long at = 4 * start[i];
            final long mine = parameterOf[i][rank] + at;
            for (int r = 0; r < size; r++)
            {
                if (r != rank)
                {
                    UnsafeApi.copyMemory(null, mine, null, parameterOf[i][r] + at, bytes);
                }
            }
        }
    }

    @Override
    public void close()
    {
        views.forEach(Tensor::close);
        for (final Tensor[] peers : mapped)
        {
            closeAll(null, peers, null, null);
        }
        closeAll(control, controls, scratch, token);
    }

    private static void closeAll(final Tensor a, final Tensor[] some, final Tensor b, final Tensor c)
    {
        if (some != null)
        {
            for (final Tensor t : some)
            {
                if (t != null)
                {
                    t.close();
                }
            }
        }
        for (final Tensor t : new Tensor[]{ a, b, c })
        {
            if (t != null)
            {
                t.close();
            }
        }
    }
}
