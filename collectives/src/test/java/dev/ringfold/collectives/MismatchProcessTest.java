package dev.ringfold.collectives;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Collective calls that do not match, with call checks off: every rank whose part receives raises a
 * {@link CollectiveMismatchException} naming both calls within seconds, and a rank whose part had finished (it only
 * sent) at the end of its next call, on shared memory and TCP, for blocking,
 * non-blocking and persistent calls and for the node-shared all-reduce ({@link MismatchRanks}).
 */
class MismatchProcessTest
{
    @ParameterizedTest(name = "dev={0} last={1}")
    @CsvSource({"shm,counts", "shm,algorithms", "tcp,counts", "tcp,algorithms"})
    @Timeout(200)
    void mismatchedCallsRaiseNamingBothCalls(final String dev, final String last) throws Exception
    {
        final String text = Mpjrun.run(3, dev, List.of(), 120, MismatchRanks.class, last).assertSucceeded();
        assertEquals(3, Mpjrun.count(text, "ok mismatch rank"), text);
        for (final String what : new String[] {"count", "dtype", "skipped", "non-blocking", "persistent", "set-up", "gather",
            "large " + last})
        {
            assertEquals(what.equals("persistent") ? 6 : 3, Mpjrun.count(text, "mismatch " + what + " rank"), what + "\n" + text);
        }
        // every rank raises, the ranks whose part had finished (a root that only sent) at the end of their next call
        assertEquals(3, Mpjrun.count(text, "mismatch operation rank"), text);
        assertEquals(3, Mpjrun.count(text, "mismatch root rank"), text);
        assertEquals(1, Mpjrun.count(text, "mismatch root rank 2"), text);
        // a user-facing sample: what rank 0 was told when rank 1 passed another count
        assertEquals(1, text.lines().filter(l -> l.startsWith("[0] mismatch count rank 0: rank 0 of WORLD: " +
            "collective calls do not match at call #")).count(), text);
    }
}
