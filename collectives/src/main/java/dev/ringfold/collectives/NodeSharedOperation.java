package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.tensors.SharedLocations;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The frame of a collective that reads its peers' sources in place when every rank's source is node-shared, and
 * otherwise runs the message-passing algorithm it was given ({@link #fallback}). On the node region, in call order
 * like the other shared-memory collectives, with one chunk number: each rank writes where its source lives into its
 * buffer and publishes its intent ({@link NodeScratch#publishIntent}); a rank with a private source goes straight to
 * the fallback (the others will too); when every source is node-shared, each rank maps the peers' files (once),
 * does its part ({@link #work}) reading them, publishes REDUCED, and returns when every rank has (no peer reads its
 * source any more). The fallback runs while the call keeps its turn on the region.
 */
abstract class NodeSharedOperation extends Operation
{
    private static final int OFFERING = 0;
    private static final int DECIDING = 1;
    private static final int WAITING = 2;
    private static final int FALLING_BACK = 3;

    private final NodeScratch scratch;
    private final RegionTurn turn;
    private final UnsafeBuffer location = new UnsafeBuffer(0, 0);
    /** Every rank's source, at its address in this process, once every rank's is node-shared. */
    protected final long[] sourceOf;
    /** This rank's source, as it addresses it. */
    protected long src;
    private Operation fallback;
    private int state;

    NodeSharedOperation(final Communicator comm, final NodeScratch scratch)
    {
        super(comm);
        this.scratch = scratch;
        this.turn = new RegionTurn(scratch);
        this.sourceOf = new long[size];
    }

    /**
     * This call's source, and the message-passing algorithm, prepared for the call, that runs unless every rank's
     * source is node-shared.
     */
    final void prepare(final long src, final Operation fallback)
    {
        this.src = src;
        this.fallback = fallback;
    }

    /**
     * Writes where this rank's source lives at 0 of {@code location} and returns whether it is node-shared (and
     * free of overlaps with what this rank writes while peers read it).
     */
    abstract boolean offer(UnsafeBuffer location);

    /** Every rank's source is reachable at {@link #sourceOf}: this rank's part of the collective. */
    abstract void work();

    /** What the collective is, for stall reports. */
    abstract String what();

    @Override
    public final String describe()
    {
        return what() + " on " + comm.name() + switch (state)
        {
            case OFFERING -> ", waiting for the region";
            case DECIDING -> ", waiting for every rank to say where its source lives";
            case WAITING -> ", in place over node-shared sources, waiting for the other ranks' parts";
            default -> ", sources not all node-shared: " + fallback.describe();
        };
    }

    @Override
    final void begin()
    {
        state = OFFERING;
        turn.take(1);
    }

    @Override
    final int advance()
    {
        if (state == FALLING_BACK)
        {
            if (!fallback.isComplete())
            {
                return 0;
            }
            final RuntimeException error = fallback.error();
            if (error != null)
            {
                throw error;
            }
            done();
            return 1;
        }
        if (!turn.acquire())
        {
            return 0;
        }
        final long g = turn.firstChunk();
        int work = 0;
        if (state == OFFERING)
        {
            if (!scratch.free(g))
            {
                return 0;
            }
            location.wrap(scratch.buffer(rank, g), SharedLocations.MAX_DESCRIPTOR_BYTES);
            final boolean shared = offer(location);
            scratch.publishIntent(g, shared, stamp);
            state = DECIDING;
            work++;
            if (!shared)
            {
                return work + fallBack(g); // a private source: the fallback whatever the others say
            }
        }
        if (state == DECIDING)
        {
            final int everyRank = scratch.allIntents(g);
            if (everyRank < 0)
            {
                return work;
            }
            checkCalls(scratch, g);
            if (everyRank == 0)
            {
                return work + fallBack(g);
            }
            for (int r = 0; r < size; r++)
            {
                if (r == rank)
                {
                    sourceOf[r] = src;
                }
                else
                {
                    location.wrap(scratch.buffer(r, g), SharedLocations.MAX_DESCRIPTOR_BYTES);
                    sourceOf[r] = scratch.peerFiles().address(location, 0);
                }
            }
            work();
            scratch.publish(NodeScratch.REDUCED, g);
            state = WAITING;
            work++;
        }
        if (!scratch.allReached(NodeScratch.REDUCED, g))
        {
            return work; // peers may still read this rank's source
        }
        scratch.publishAll(g);
        done();
        return work + 1;
    }

    /** Hands the call to the fallback (nobody reads the locations), keeping the turn on the region until it ends. */
    private int fallBack(final long g)
    {
        scratch.publishAll(g);
        state = FALLING_BACK;
        fallback.start(tag, stamp);
        return advance();
    }

    @Override
    void withdraw()
    {
        if (state == FALLING_BACK)
        {
            fallback.abandon(error());
        }
    }

    @Override
    void ended()
    {
        java.util.Arrays.fill(sourceOf, 0);
        turn.release(error());
    }
}
