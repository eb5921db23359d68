package dev.ringfold.launch;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Where a replacement goes when the one before it never joined on its dead rank's host (Job#roomElsewhere): the
 * host with the most room left, other than that one; the same slot where none has room or the placement names no
 * other host (a local job). The capacities are those Slurm's and the machines file's placements report.
 */
class ReplacementPlacementTest
{
    private static List<RankCommand> placed(final String... hosts)
    {
        final List<RankCommand> commands = new ArrayList<>();
        final Map<String, Integer> local = new LinkedHashMap<>();
        for (int rank = 0; rank < hosts.length; rank++)
        {
            final int localRank = local.merge(hosts[rank], 1, Integer::sum) - 1;
            commands.add(new RankCommand(new RankSlot(rank, hosts[rank], localRank), Map.of(), List.of(), null));
        }
        return commands;
    }

    @Test
    void theHostWithTheMostRoomOtherThanTheDeadRanks()
    {
        final List<RankCommand> current = placed("n1", "n1", "n2", "n2");
        final Map<String, Integer> capacity = new LinkedHashMap<>(Map.of("n1", 2));
        capacity.put("n2", 3);
        capacity.put("n3", 2);
        // n2 has one place left, n3 two: n3, as its first rank
        assertEquals(new RankSlot(1, "n3", 0), Job.roomElsewhere(current.get(1).slot(), capacity, current));
        // the dead rank's own place on its host does not count as used
        assertEquals(new RankSlot(2, "n3", 0), Job.roomElsewhere(current.get(2).slot(), capacity, current));
    }

    @Test
    void aTieGoesToTheFirstHostOfThePlacement()
    {
        final List<RankCommand> current = placed("a", "b");
        final Map<String, Integer> capacity = new LinkedHashMap<>();
        capacity.put("a", 2);
        capacity.put("b", 2);
        capacity.put("c", 1);
        assertEquals(new RankSlot(1, "a", 1), Job.roomElsewhere(current.get(1).slot(), capacity, current));
    }

    @Test
    void theSameSlotWhereNoOtherHostHasRoom()
    {
        final List<RankCommand> current = placed("n1", "n2", "n3");
        final RankSlot dead = current.get(1).slot();
        assertSame(dead, Job.roomElsewhere(dead, Map.of("n1", 1, "n2", 1, "n3", 1), current));
        assertSame(dead, Job.roomElsewhere(dead, Map.of(), current), "a local job: nowhere else");
    }

    @Test
    void theAllocationsAndTheMachinesFilesCapacities()
    {
        final SlurmAllocation allocation = new SlurmAllocation("7", List.of("n1", "n2", "n3"), List.of(2, 2, 1), "n1");
        assertEquals(List.of("n1", "n2", "n3"), List.copyOf(new SlurmPlacement(allocation).capacity().keySet()));
        assertEquals(Map.of("n1", 2, "n2", 2, "n3", 1), new SlurmPlacement(allocation).capacity());
        final HostfilePlacement hostfile = new HostfilePlacement(List.of(new Hostfile.Host("h2", 2),
            new Hostfile.Host("localhost", 1), new Hostfile.Host("h2", 1)), "h1");
        assertEquals(Map.of("h2", 3, "localhost", 1), hostfile.capacity());
        assertEquals(Map.of(), new LocalPlacement().capacity());
    }
}
