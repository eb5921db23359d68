package dev.ringfold.launch;

/**
 * Where one rank runs.
 *
 * @param rank      the rank in the world.
 * @param host      the host it runs on, as the placement names it.
 * @param localRank its index among the ranks of that host (RINGFOLD_LOCAL_RANK).
 */
record RankSlot(int rank, String host, int localRank)
{
}
