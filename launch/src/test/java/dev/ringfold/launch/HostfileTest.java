package dev.ringfold.launch;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

final class HostfileTest
{
    @Test
    void readsTheThreeFormsWithCommentsAndMergesRepeatedHosts() throws Exception
    {
        final List<Hostfile.Host> hosts = Hostfile.parse("""
            # the cluster
            node1 slots=4
            node2:2      # two cores
              node3.example.org

            node1 slots=2
            10.0.0.7:3
            [fe80::1]
            """, "hosts");
        assertEquals(List.of(new Hostfile.Host("node1", 6), new Hostfile.Host("node2", 2),
            new Hostfile.Host("node3.example.org", 1), new Hostfile.Host("10.0.0.7", 3),
            new Hostfile.Host("[fe80::1]", 1)), hosts);
    }

    @Test
    void badLinesAreErrorsNamingTheLine()
    {
        assertError("hosts line 2: 'slots:4' is not slots=N", "a\nb slots:4\n");
        assertError("hosts line 1: 'a slots=2 extra' is not 'host', 'host slots=N' or 'host:N'", "a slots=2 extra");
        assertError("hosts line 1: 'a:2 slots=3' is not 'host', 'host slots=N' or 'host:N'", "a:2 slots=3");
        assertError("hosts line 1: slots 0 is not in 1..65536", "a slots=0");
        assertError("hosts line 3: slots 99999999999 is not in 1..65536", "a\n\nb:99999999999");
        assertError("hosts line 1: 'a;rm' is not a host name", "a;rm");
        assertError("hosts line 1: '-oProxyCommand=x' is not a host name", "-oProxyCommand=x");
        assertError("hosts names no hosts", "# nothing\n\n");
        // a slot count alone: once read as a host named "slots"
        assertError("hosts line 2: 'slots:4' gives slots but no host; write 'host slots=N' or 'host:N'", "a\nslots:4\n");
        assertError("hosts line 1: 'slots=4' gives slots but no host; write 'host slots=N' or 'host:N'", "slots=4");
    }

    @Test
    void placementFillsEachHostsSlotsInFileOrder()
    {
        final List<Hostfile.Host> hosts = List.of(new Hostfile.Host("a", 2), new Hostfile.Host("b", 1),
            new Hostfile.Host("c", 3));
        final HostfilePlacement placement = new HostfilePlacement(hosts, "launcher.example.org");
        assertEquals(List.of(new RankSlot(0, "a", 0), new RankSlot(1, "a", 1), new RankSlot(2, "b", 0),
            new RankSlot(3, "c", 0), new RankSlot(4, "c", 1)), placement.place(5));
        assertEquals("0.0.0.0", placement.rendezvousBindHost());
        assertEquals("launcher.example.org", placement.rendezvousHost());
        final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> placement.place(7));
        assertEquals("7 ranks, but the machines file has 6 slots", tooMany.getMessage());
    }

    @Test
    void onlyLocalHostsMeetOnLoopback()
    {
        final HostfilePlacement placement = new HostfilePlacement(
            List.of(new Hostfile.Host("localhost", 2), new Hostfile.Host("127.0.0.1", 1)), "launcher.example.org");
        assertEquals(LocalPlacement.LOOPBACK, placement.rendezvousBindHost());
        assertEquals(LocalPlacement.LOOPBACK, placement.rendezvousHost());
    }

    private static void assertError(final String message, final String text)
    {
        assertEquals(message, assertThrows(UsageException.class, () -> Hostfile.parse(text, "hosts")).getMessage());
    }
}
