package dev.ringfold.launch;

import java.util.List;

/**
 * Decides where the ranks of a job run and where they meet. This node only for now; a hostfile or a Slurm
 * allocation are other placements, each paired with a {@link RankLauncher} that can reach its hosts.
 */
interface Placement
{
    /** One slot per rank, in rank order. */
    List<RankSlot> place(int size);

    /** The address the launcher's rendezvous listens on. */
    String rendezvousBindHost();

    /** The address the ranks dial to reach that rendezvous. */
    String rendezvousHost();

    /**
     * How many ranks each host may run (the allocation's tasks, the machines file's slots), in the placement's
     * order: where a replacement may go instead of a dead rank's host (see Job#replace). Empty: nowhere else.
     */
    default java.util.Map<String, Integer> capacity()
    {
        return java.util.Map.of();
    }
}
