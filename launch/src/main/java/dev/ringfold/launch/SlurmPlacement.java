package dev.ringfold.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * Ranks on the nodes of the Slurm allocation mpjrun runs in, filling each node's tasks in node order (Slurm's own
 * block distribution), so that rank 0 is on the node of the batch script. More ranks than the allocation has
 * tasks go round again: the allocation decides, and oversubscribing it is the user's call, as with
 * {@code srun --overcommit}. The rendezvous listens on every interface of this node and is dialled at its node
 * name, which Slurm's nodes resolve.
 */
final class SlurmPlacement implements Placement
{
    private final SlurmAllocation allocation;

    SlurmPlacement(final SlurmAllocation allocation)
    {
        this.allocation = allocation;
    }

    @Override
    public List<RankSlot> place(final int size)
    {
        final List<RankSlot> slots = new ArrayList<>(size);
        final int[] used = new int[allocation.nodes().size()];
        int rank = 0;
        while (rank < size) // a second pass only when oversubscribing
        {
            for (int node = 0; node < used.length; node++)
            {
                for (int k = 0; k < allocation.tasksPerNode().get(node) && rank < size; k++)
                {
                    slots.add(new RankSlot(rank++, allocation.nodes().get(node), used[node]++));
                }
            }
        }
        return slots;
    }

    @Override
    public java.util.Map<String, Integer> capacity()
    {
        final java.util.Map<String, Integer> tasks = new java.util.LinkedHashMap<>();
        for (int node = 0; node < allocation.nodes().size(); node++)
        {
            tasks.merge(allocation.nodes().get(node), allocation.tasksPerNode().get(node), Integer::sum);
        }
        return tasks;
    }

    @Override
    public String rendezvousBindHost()
    {
        return "0.0.0.0";
    }

    @Override
    public String rendezvousHost()
    {
        return allocation.thisNode();
    }
}
