package dev.ringfold.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * Ranks on the hosts of a machines file, filling each host's slots before the next host's (mpirun's default
 * "by slot" mapping, so neighbouring ranks share a node and talk over shared memory). More ranks than slots is an
 * error, not oversubscription. The ranks meet at the launcher's rendezvous, which then listens on every interface
 * (it is guarded by the job secret) and is dialled at {@code launchHost}, unless every host is this one.
 */
final class HostfilePlacement implements Placement
{
    private final List<Hostfile.Host> hosts;
    private final String launchHost;

    /**
     * @param launchHost the name or address under which the ranks' hosts reach the launcher's host.
     */
    HostfilePlacement(final List<Hostfile.Host> hosts, final String launchHost)
    {
        this.hosts = hosts;
        this.launchHost = launchHost;
    }

    static int totalSlots(final List<Hostfile.Host> hosts)
    {
        int total = 0;
        for (final Hostfile.Host host : hosts)
        {
            total += host.slots();
        }
        return total;
    }

    @Override
    public List<RankSlot> place(final int size)
    {
        if (size > totalSlots(hosts))
        {
            throw new IllegalArgumentException(size + " ranks, but the machines file has " + totalSlots(hosts) +
                " slots");
        }
        final List<RankSlot> slots = new ArrayList<>(size);
        int rank = 0;
        for (final Hostfile.Host host : hosts)
        {
            for (int local = 0; local < host.slots() && rank < size; local++)
            {
                slots.add(new RankSlot(rank++, host.name(), local));
            }
        }
        return slots;
    }

    @Override
    public java.util.Map<String, Integer> capacity()
    {
        final java.util.Map<String, Integer> slots = new java.util.LinkedHashMap<>();
        for (final Hostfile.Host host : hosts)
        {
            slots.merge(host.name(), host.slots(), Integer::sum);
        }
        return slots;
    }

    private boolean allLocal()
    {
        for (final Hostfile.Host host : hosts)
        {
            if (!SshRankLauncher.isLocal(host.name()))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public String rendezvousBindHost()
    {
        return allLocal() ? LocalPlacement.LOOPBACK : "0.0.0.0";
    }

    @Override
    public String rendezvousHost()
    {
        return allLocal() ? LocalPlacement.LOOPBACK : launchHost;
    }
}
