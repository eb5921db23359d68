package dev.ringfold.collectives;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 21 for collectives: a collective past its deadline, or cancelled, withdraws its transfers before it returns;
 * the caller frees its buffers at once and the communicator's collectives go on ({@link WithdrawalRanks}).
 */
class WithdrawalProcessTest
{
    @ParameterizedTest(name = "dev={0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(180)
    void abandonedCollectiveLeavesNoBufferReferenced(final String dev) throws Exception
    {
        final String text = Mpjrun.run(2, dev, List.of("RINGFOLD_CMA=0"), 120, WithdrawalRanks.class).assertSucceeded();
        assertEquals(1, Mpjrun.count(text, "withdrawal: deadline rank 1 deadline"), text);
        assertEquals(1, Mpjrun.count(text, "withdrawal: cancel rank 1 cancelled, then cancellation"), text);
        // rank 0's part fails too: its peer withdrew a matched transfer, or its own deadline passed
        assertEquals(2, text.lines().filter(l -> l.contains("withdrawal: ") && l.contains(" rank 0 ") &&
            (l.endsWith("withdrawn-by-peer") || l.endsWith("deadline"))).count(), text);
        assertEquals(2, Mpjrun.count(text, "ok withdrawal rank"), text);
    }
}
