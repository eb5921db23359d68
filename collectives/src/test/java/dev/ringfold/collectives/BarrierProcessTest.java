package dev.ringfold.collectives;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Barriers across real processes ({@link BarrierRanks}), np 1, 2 and oversubscribed 3 and 5: in every form, on the
 * world and on split halves, with shared-memory collectives between, no rank leaves a round before the last has
 * entered.
 */
class BarrierProcessTest
{
    @ParameterizedTest(name = "np={0}")
    @ValueSource(ints = {1, 2, 3, 5})
    @Timeout(300)
    void noRankLeavesBeforeTheLastHasEntered(final int np) throws Exception
    {
        final String text = Mpjrun.run(np, "shm", List.of(), 240, BarrierRanks.class).assertSucceeded();
        assertEquals(np, Mpjrun.count(text, "ok barrier rank"), text);
        assertEquals(1, Mpjrun.count(text, "runs barrier (dissemination) on WORLD,"), text);
    }
}
