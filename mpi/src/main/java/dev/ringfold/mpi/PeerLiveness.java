package dev.ringfold.mpi;

import org.agrona.collections.IntArrayQueue;

/**
 * One rank's book of who is gone: which world ranks have failed and why, which of them died (rather than closed in
 * good order), which incarnation holds each world slot, and the deaths other ranks told of that wait to be settled.
 * It decides nothing about requests or frames: {@link Engine} asks it, fails what waits on a lost peer and sends
 * the FAILED frames (the gossip) itself.
 */
final class PeerLiveness
{
    private final int worldRank;
    private final String[] failed;
    private final boolean[] died;    // failed without closing: whatever it still owed a collective never comes
    /** Which process holds each world slot: 0 for the job's first ones, n for the n-th replacement (mpjrun --elastic). */
    private final int[] incarnations;
    private final IntArrayQueue heardDead = new IntArrayQueue(-1);
    private final int[] heardFrom;

    PeerLiveness(final int worldRank, final int worldSize)
    {
        this.worldRank = worldRank;
        this.failed = new String[worldSize];
        this.died = new boolean[worldSize];
        this.incarnations = new int[worldSize];
        this.heardFrom = new int[worldSize];
    }

    boolean isFailed(final int peer)
    {
        return failed[peer] != null;
    }

    /** Why {@code peer} is gone, or null while it is not. */
    String failure(final int peer)
    {
        return failed[peer];
    }

    boolean died(final int peer)
    {
        return died[peer];
    }

    /**
     * Records a peer lost, once.
     *
     * @return true the first time; false if it was already gone (the first reason stands).
     */
    boolean lose(final int peer, final String reason, final boolean died)
    {
        if (failed[peer] != null)
        {
            return false;
        }
        failed[peer] = reason;
        this.died[peer] = died;
        return true;
    }

    /** A peer dead before this rank joined (a replacement joining late): gone from the start, told to no one. */
    void markGone(final int peer, final String reason)
    {
        failed[peer] = reason;
        died[peer] = true;
    }

    /** A replacement, the {@code incarnation}-th, holds the slot of {@code peer}, whose death must have been seen. */
    void revive(final int peer, final int incarnation)
    {
        if (failed[peer] == null)
        {
            throw new IllegalStateException("rank " + worldRank + ": world rank " + peer + " has a replacement, but " +
                "its death was never seen here");
        }
        failed[peer] = null;
        died[peer] = false;
        incarnations[peer] = incarnation;
    }

    /** This rank is the {@code incarnation}-th replacement of its world slot (set once, as it joins). */
    void joinedAs(final int incarnation)
    {
        incarnations[worldRank] = incarnation;
    }

    /** Which process holds world slot {@code peer} as far as this rank knows: 0 for the first, n for the n-th replacement. */
    int incarnation(final int peer)
    {
        return incarnations[peer];
    }

    /**
     * Rank {@code from} says {@code rank} died: queued to settle later, unless it names this rank, a rank out of
     * range, one already gone, or an older incarnation than the one this rank took into the slot since (told late).
     */
    void heardOfDeath(final int from, final int rank, final int incarnation)
    {
        if (rank != worldRank && rank >= 0 && rank < failed.length && failed[rank] == null &&
            incarnation >= incarnations[rank])
        {
            heardFrom[rank] = from;
            heardDead.addInt(rank);
        }
    }

    boolean anyHeard()
    {
        return !heardDead.isEmpty();
    }

    /**
     * The next death told of that is not settled yet, or -1 when none is left; read {@link #heardReason(int)} for it.
     * One told of twice, or lost another way meanwhile, is skipped.
     */
    int nextHeard()
    {
        while (!heardDead.isEmpty())
        {
            final int rank = heardDead.pollInt();
            if (failed[rank] == null)
            {
                return rank;
            }
        }
        return -1;
    }

    String heardReason(final int rank)
    {
        return "world rank " + heardFrom[rank] + " reports that it failed";
    }
}
