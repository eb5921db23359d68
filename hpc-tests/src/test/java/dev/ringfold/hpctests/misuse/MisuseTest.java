package dev.ringfold.hpctests.misuse;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The misuse table of docs/reliability.md: every case raises what the table says, and the job goes on. */
class MisuseTest
{
    @ParameterizedTest(name = "dev={0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(120)
    void everyMisuseIsRefusedAndTheJobGoesOn(final String dev) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(2, dev, List.of("RINGFOLD_CHECK_COLLECTIVES=1"), 90, MisuseRanks.class);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(2, r.count("ok misuse rank"), r::toString);
        assertTrue(r.count("misuse ") >= 2 * 30, r::toString);
    }
}
