package dev.ringfold.collectives;

/**
 * One shared-memory collective's place in the queue of those using a {@link NodeScratch} region, and the chunk
 * numbers it gets when its turn comes.
 */
final class RegionTurn
{
    private final NodeScratch scratch;
    private long turn;
    private long chunks;
    private long firstChunk;
    private boolean held;

    RegionTurn(final NodeScratch scratch)
    {
        this.scratch = scratch;
    }

    /** Queues for {@code chunks} chunks of the region (when the collective starts: call order). */
    void take(final long chunks)
    {
        this.chunks = chunks;
        this.held = false;
        this.turn = scratch.takeTurn();
    }

    /** Whether it is this collective's turn; the first time it is, claims the chunk numbers. */
    boolean acquire()
    {
        if (held)
        {
            return true;
        }
        if (!scratch.isTurn(turn))
        {
            return false;
        }
        held = true;
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
            return; // a communicator of one rank has no region
        }
        if (error != null)
        {
            scratch.failed(error);
        }
        if (held)
        {
            held = false;
            scratch.endTurn();
        }
    }
}
