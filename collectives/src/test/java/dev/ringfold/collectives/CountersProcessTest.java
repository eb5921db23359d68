package dev.ringfold.collectives;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The runtime's traffic counters against known traffic across real processes, on both transports, and off: messages,
 * and the node-shared collectives' bytes moved through shared memory without messages.
 */
class CountersProcessTest
{
    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"2,shm", "4,shm", "3,tcp"})
    @Timeout(300)
    void countKnownTraffic(final int np, final String dev) throws Exception
    {
        final String text = Mpjrun.run(np, dev, List.of("RINGFOLD_COUNTERS=1"), 240, CountersRanks.class).assertSucceeded();
        // over TCP the ranks are not one node to the collectives: no node-shared path, nothing of it to count
        final String shared = dev.equals("shm") ? "ok counters shared rank" : "no node-shared counters: not one node";
        for (final String check : List.of("ok counters p2p rank", "ok counters allreduce rank", shared,
            "ok counters wait rank"))
        {
            assertEquals(np, Mpjrun.count(text, check), check + "\n" + text);
        }
    }

    @Test
    @Timeout(300)
    void countNothingWhenOff() throws Exception
    {
        final String text = Mpjrun.run(2, "shm", List.of(), 240, CountersRanks.class, "off").assertSucceeded();
        assertEquals(2, Mpjrun.count(text, "ok counters shared rank"), text);
        assertEquals(2, Mpjrun.count(text, "ok counters wait rank"), text);
    }
}
