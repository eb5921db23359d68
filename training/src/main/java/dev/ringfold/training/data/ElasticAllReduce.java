package dev.ringfold.training.data;

import dev.ringfold.collectives.Collectives;
import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.CommunicatorRevokedException;
import dev.ringfold.mpi.PeerFailedException;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import dev.ringfold.tensors.Tensor;
import dev.ringfold.tensors.Tensors;
import org.agrona.UnsafeApi;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * All-reduce data parallelism that survives the death of replicas ({@link DataParallelOptions#elastic}): a
 * {@link BucketedAllReduce} over a communicator of its own, rebuilt over the survivors when a replica dies.
 *
 * <p>A death surfaces in a call of this object as a {@link PeerFailedException} (this rank talked to the dead one)
 * or a {@link CommunicatorRevokedException} (another survivor noticed first). The survivors then, each in that
 * call: revoke the communicator (so that a survivor waiting on a live peer that waits on the dead one wakes up
 * too), shrink it to the survivors, agree on how many steps they have applied (an all-reduce of the maximum and
 * the minimum over the shrunk communicator), rebuild the buckets over it, and throw {@link WidthChangedException}:
 * the caller redoes the interrupted step at the new width. If another replica dies during all this, they revoke
 * and shrink again. Below {@link DataParallelOptions#elasticMin()} replicas the call fails with
 * {@link IllegalStateException} instead.
 *
 * <p>Why the interrupted step left no trace: the update follows the all-reduce, so a rank whose all-reduce failed
 * applied nothing (nor, without {@link DataParallelOptions#updateInBuckets}, copied anything back into the
 * gradients: that happens in {@code step()} as buckets complete, and the gradients are rewritten by the redone
 * step's backward anyway), and the buckets of the failed attempt are released (the new ones start from zero). A step's all-reduce can however
 * complete on some survivors and fail on others (the dead rank's last chunks reached some ranks and not all): then
 * the survivors differ by one step. Those behind copy the parameters and the {@link ReplicaState} from the
 * lowest-ranked survivor that is ahead, through scratch tensors committed only once the whole copy arrived, so
 * that no step a survivor applied is lost and no survivor keeps half a copy if the copy itself is interrupted.
 *
 * <p>With no failure it does what {@link BucketedAllReduce} does at the same width, bit for bit: the elastic part
 * costs nothing until a call fails.
 */
public final class ElasticAllReduce extends AbstractDataParallel
{
    private final BufferAllocator allocator;
    private final List<Tensor> parameters;
    private final List<Tensor> gradients;
    private final DataParallelOptions options;
    private final ReplicaState state;
    private final int min;
    private final Communicator world;
    private Communicator comm;
    /** A replacement until its first catch-up: it holds no state of the run (its parameters are its own start). */
    private boolean blank;
    private BucketedAllReduce buckets;
    private long steps;
    /** A replacement's join, wall-clock ms: taken in (the group told), state copied, buckets built; else empty. */
    private long[] joinMarks = new long[0];

    ElasticAllReduce(final Communicator world, final BufferAllocator allocator, final List<Tensor> parameters,
        final List<Tensor> gradients, final DataParallelOptions options)
    {
        super("rank " + world.rank() + " of " + world.name() + ": elastic data-parallel");
        this.min = options.elasticMin();
        final int max = options.elasticMax();
        if (world.size() < min || world.size() > max)
        {
            throw new IllegalArgumentException(where + ": " + world.size() + " replicas, outside elastic(" + min +
                ", " + max + "); start between " + min + " and " + max);
        }
        if (options.update() != null && options.replicaState() == null)
        {
            throw new IllegalArgumentException(where + ": an elastic run with an update needs replicaState(...): " +
                "the optimizer state a survivor that is a step behind copies from one ahead");
        }
        this.allocator = allocator;
        this.parameters = List.copyOf(parameters);
        this.gradients = List.copyOf(gradients);
        this.options = options;
        this.state = options.replicaState();
        this.world = world;
        if (world.incarnation() > 0)
        {
            blank = true; // a replacement: no collective before the survivors take it in (join)
            return;
        }
        this.comm = world.dup();
        try
        {
            this.buckets = new BucketedAllReduce(comm, allocator, parameters, gradients, options, false);
        }
        catch (final RuntimeException ex)
        {
            comm.close();
            throw ex;
        }
    }

    /**
     * A replacement of a dead replica (its process started by mpjrun --elastic --max-replacements): waits until the
     * survivors take it in at their next step boundary ({@link Communicator#joinGrow}; a survivor that learns of it
     * revokes, and they all grow), receives the parameters, the {@link ReplicaState} and the step count from the
     * lowest-ranked survivor, rebuilds the buckets with the others, and returns {@link #completedSteps()}: the next
     * global step, from which the sampler's position follows. Call it after the update's state exists (the
     * optimizer made); a replacement that called {@link Communicator#askToJoin} on its WORLD earlier (before
     * reading its data and building its model, so that the survivors reach their step boundary and agree
     * meanwhile) is not asked again. On a replica of the first start it only returns {@link #completedSteps()}.
     */
    public long join()
    {
        super.checkOpen();
        if (!blank || buckets != null)
        {
            return steps;
        }
        comm = world.joinGrow();
        final long[] marks = {System.currentTimeMillis(), 0, 0};
        try
        {
            catchUp(comm);
            marks[1] = System.currentTimeMillis();
            buckets = new BucketedAllReduce(comm, allocator, parameters, gradients, options, true);
            marks[2] = System.currentTimeMillis();
        }
        catch (final PeerFailedException | CommunicatorRevokedException ex)
        {
            final RuntimeException outcome = recover(ex); // a death while joining: as on the survivors
            if (!(outcome instanceof WidthChangedException))
            {
                throw outcome;
            }
        }
        joinMarks = marks;
        return steps;
    }

    /**
     * A replacement's {@link #join}, in wall-clock ms: when the survivors' group arrived, when the state was
     * copied, when the buckets were built (0 for a phase a death during the join cut short); empty on the others.
     */
    public long[] joinMarks()
    {
        return joinMarks.clone();
    }

    /** Steps applied by every replica so far (counted from {@link #startAt}). */
    public long completedSteps()
    {
        return steps;
    }

    /** A run resumed from a checkpoint: its first step has index {@code steps}. Same value on every rank. */
    public void startAt(final long steps)
    {
        if (steps < 0)
        {
            throw new IllegalArgumentException(where + ": startAt(" + steps + "): steps must be >= 0");
        }
        this.steps = steps;
    }

    /**
     * Where the averages are after {@link #step()} with {@link DataParallelOptions#updateInBuckets}: views of the
     * current buckets ({@link BucketedAllReduce#averagedGradients()}). After a width change they are other tensors
     * (the buckets are remade over the survivors), and {@code step()} hands the update the new list: an
     * {@link OptimizerUpdate} reads from it from then on.
     */
    public List<Tensor> averagedGradients()
    {
        checkOpen();
        return buckets.averagedGradients();
    }

    /** The world ranks of the replicas now, in replica order (a replacement not yet taken in: none). */
    public int[] members()
    {
        if (comm == null)
        {
            return new int[0];
        }
        final int[] members = new int[comm.size()];
        for (int i = 0; i < members.length; i++)
        {
            members[i] = comm.worldRank(i);
        }
        return members;
    }

    @Override
    public int workers()
    {
        return comm.size();
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
        try
        {
            buckets.gradientReady(index);
        }
        catch (final PeerFailedException | CommunicatorRevokedException ex)
        {
            throw recover(ex);
        }
    }

    @Override
    public void allGradientsReady()
    {
        checkOpen();
        try
        {
            buckets.allGradientsReady();
        }
        catch (final PeerFailedException | CommunicatorRevokedException ex)
        {
            throw recover(ex);
        }
    }

    @Override
    public void step()
    {
        checkOpen();
        try
        {
            buckets.step();
        }
        catch (final PeerFailedException | CommunicatorRevokedException ex)
        {
            throw recover(ex);
        }
        steps++;
        if (comm.growPending())
        {
            // a replacement asked to join: at this step boundary, and every replica at the same one (the others'
            // next step fails on the revocation; none of them can have completed it without this rank)
            comm.revoke();
            throw recover(null);
        }
    }

    @Override
    public NoSync noSync()
    {
        checkOpen();
        return buckets.noSync();
    }

    @Override
    public void progress()
    {
        checkOpen();
        try
        {
            buckets.progress();
        }
        catch (final PeerFailedException | CommunicatorRevokedException ex)
        {
            throw recover(ex);
        }
    }

    @Override
    public boolean serve()
    {
        checkOpen();
        return false;
    }

    @Override
    public BucketTrace trace()
    {
        return buckets == null ? null : buckets.trace();
    }

    /**
     * Revokes, shrinks, agrees and rebuilds until it holds a communicator of survivors that all completed the
     * agreement and the rebuild; returns the exception to throw.
     */
    private RuntimeException recover(final RuntimeException cause)
    {
        final long started = System.nanoTime();
        final int[] before = members();
        comm.revoke();
        if (buckets != null)
        {
            releaseBuckets(cause);
        }
        RuntimeException last = cause;
        int rounds = 0;
        while (true)
        {
            rounds++;
            final Communicator survivors = comm.grow(); // shrink, with the replacements waiting to join
            comm.close();
            comm = survivors;
            if (survivors.size() < min)
            {
                return new IllegalStateException(where + ": " + survivors.size() + " replica" +
                    (survivors.size() == 1 ? "" : "s") + " left of " + before.length + " (world ranks " +
                    difference(before, members()) + " failed), below the elastic minimum " + min + "; stopping at step " + steps,
                    last);
            }
            try
            {
                catchUp(survivors);
                buckets = new BucketedAllReduce(survivors, allocator, parameters, gradients, options, true);
                final String lost = difference(before, members());
                final String joined = difference(members(), before);
                final String change = lost.isEmpty() && joined.isEmpty() ? "no change: a replacement's request had " +
                    "not reached every replica yet" : "";
                return new WidthChangedException(where + ": width " + before.length + " -> " + survivors.size() +
                    " (" + change + (lost.isEmpty() ? "" : "world rank" + (lost.contains(",") ? "s " : " ") + lost +
                    " failed" + (cause == null ? "" : ": " + cause.getMessage())) +
                    (lost.isEmpty() || joined.isEmpty() ? "" : "; ") + (joined.isEmpty() ? "" : "world rank" +
                    (joined.contains(",") ? "s " : " ") + joined + " joined") + "); agreed on step " + steps + " in " +
                    (System.nanoTime() - started) / 1_000_000 + " ms" + (rounds > 1 ? " (" + rounds + " rounds)" : "") +
                    "; this rank is replica " + survivors.rank(), before.length, survivors.size(), steps, cause);
            }
            catch (final PeerFailedException | CommunicatorRevokedException ex)
            {
                survivors.revoke(); // another death while agreeing: the others are woken and shrink again too
                last = ex;
            }
        }
    }

    /** The world ranks of {@code before} that are not in {@code now}, comma-separated. */
    private static String difference(final int[] before, final int[] now)
    {
        final StringBuilder lost = new StringBuilder();
        for (final int rank : before)
        {
            boolean member = false;
            for (final int r : now)
            {
                member |= r == rank;
            }
            if (!member)
            {
                lost.append(lost.isEmpty() ? "" : ", ").append(rank);
            }
        }
        return lost.toString();
    }

    /**
     * Survivors that differ by one applied step (the step's all-reduce completed on some) and replacements (which
     * hold nothing of the run yet): the ones behind take the parameters and the replica state of the lowest-ranked
     * member ahead. One all-reduce tells every member every other's step count; the copy is one broadcast of all
     * the tensors packed end to end (not one per tensor: each collective is a round of waits, and a replacement's
     * are its JVM's first), received into scratch memory and committed only once all of it arrived.
     */
    private void catchUp(final Communicator survivors)
    {
        final Collectives collectives = Collectives.of(survivors);
        final long[] applied = new long[survivors.size()];
        Arrays.fill(applied, Long.MIN_VALUE);
        applied[survivors.rank()] = blank ? Long.MIN_VALUE : steps; // a replacement counts in neither bound
        collectives.allReduce(applied, 0, applied.length, ReduceOp.MAX);
        long ahead = Long.MIN_VALUE;
        long behind = Long.MAX_VALUE;
        int root = -1;
        boolean replacements = false;
        for (int i = 0; i < applied.length; i++)
        {
            if (applied[i] == Long.MIN_VALUE)
            {
                replacements = true;
                continue;
            }
            if (applied[i] > ahead)
            {
                ahead = applied[i];
                root = i; // the lowest-ranked of those ahead
            }
            behind = Math.min(behind, applied[i]);
        }
        if (root < 0)
        {
            throw new IllegalStateException(where + ": only replacements are left; no replica holding the run's " +
                "state survived to copy it from");
        }
        if (ahead == behind && !replacements)
        {
            return;
        }
        if (ahead - behind > 1)
        {
            throw new IllegalStateException(where + ": survivors at steps " + behind + " to " + ahead + "; a step " +
                "completes on every replica before the next starts, so they can differ by one at most");
        }
        final List<Tensor> all = new ArrayList<>(parameters);
        if (state != null)
        {
            all.addAll(state.tensors());
        }
        long bytes = 0;
        for (final Tensor t : all)
        {
            bytes += t.byteSize();
        }
        final boolean holds = survivors.rank() == root;
        try (Tensor packed = Tensors.zeros(allocator, DType.U8, bytes))
        {
            if (holds)
            {
                copy(all, packed.address(), true);
            }
            collectives.broadcast(packed, root);
            if (holds || applied[survivors.rank()] == ahead)
            {
                return; // it holds the same bytes already
            }
            copy(all, packed.address(), false);
        }
        steps = ahead;
        blank = false;
        if (state != null)
        {
            state.stepsApplied(ahead);
        }
    }

    /** Packs the tensors end to end at {@code address} ({@code pack}), or unpacks them from there. */
    private static void copy(final List<Tensor> tensors, final long address, final boolean pack)
    {
        long at = address;
        for (final Tensor t : tensors)
        {
            UnsafeApi.copyMemory(pack ? t.address() : at, pack ? at : t.address(), t.byteSize());
            at += t.byteSize();
        }
    }

    /** Releases the failed attempt's buckets; their requests failed with the communicator, nothing writes there. */
    private void releaseBuckets(final RuntimeException cause)
    {
        final BucketedAllReduce failed = buckets;
        buckets = null;
        try
        {
            failed.close();
        }
        catch (final RuntimeException ex)
        {
            if (cause == null)
            {
                throw ex;
            }
            if (ex != cause)
            {
                cause.addSuppressed(ex);
            }
        }
    }

    @Override
    void release()
    {
        try
        {
            if (buckets != null)
            {
                buckets.close();
            }
        }
        finally
        {
            if (comm != null)
            {
                comm.close();
            }
        }
    }

    /** Open, and with buckets to train on: taken in (a replacement) and not below the elastic minimum. */
    @Override
    void checkOpen()
    {
        super.checkOpen();
        if (buckets == null && blank)
        {
            throw new IllegalStateException(where + ": a replacement not yet taken in: call join() first");
        }
        if (buckets == null)
        {
            throw new IllegalStateException(where + ": below the elastic minimum after a failure; nothing to train on");
        }
    }
}
