package dev.ringfold.collectives;

/**
 * One shared-memory collective's place in the queue of those using a {@link NodeScratch} region, and the chunk
 * numbers it gets when its turn comes.
 */
final class RegionTurn
{
    private final NodeScratch scratch;
    private final CallOrder.Turn turn;
    private long chunks;
    private long firstChunk;

    RegionTurn(final NodeScratch scratch)
    {
        this.scratch = scratch;
        this.turn = scratch == null ? null : new CallOrder.Turn(scratch.order); // one rank: no region
    }

    /** Queues for {@code chunks} chunks of the region (when the collective starts: call order). */
    void take(final long chunks)
    {
        scratch.checkUsable();
        this.chunks = chunks;
        turn.take();
    }

    /** Whether it is this collective's turn; the first time it is, claims the chunk numbers. */
    boolean acquire()
    {
        if (turn.isHeld())
        {
            return true;
        }
        if (!turn.acquire())
        {
            return false;
        }
        scratch.checkUsable();
        firstChunk = scratch.claimChunks(chunks);
        return true;
    }

    /** The number of the collective's first chunk (valid once acquired). */
    long firstChunk()
    {
        return firstChunk;
    }

    /** The collective has ended ({@code error} null when it succeeded): passes the turn on. */
    void release(final RuntimeException error)
    {
        if (scratch == null)
        {
            return;
        }
        if (error != null)
        {
            scratch.failed(error);
        }
        turn.release();
    }
}
