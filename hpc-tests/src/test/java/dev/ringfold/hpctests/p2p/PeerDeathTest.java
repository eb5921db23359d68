package dev.ringfold.hpctests.p2p;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rank that vanishes becomes an error on the ranks waiting for it, within seconds, on both transports. */
class PeerDeathTest
{
    @ParameterizedTest(name = "dev={0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(120)
    void waitingRanksLearnOfTheDeathQuickly(final String dev) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(3, dev, List.of(), 60, PeerDeathRanks.class);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(2, r.count("detected rank 1 failure"), r::toString);
        final Matcher m = Pattern.compile("after (\\d+) ms").matcher(r.stdout());
        while (m.find())
        {
            // generous: the liveness check runs every 100 ms; a hang would hit the job's 60 s timeout
            assertTrue(Long.parseLong(m.group(1)) < 15_000, r::toString);
        }
    }
}
