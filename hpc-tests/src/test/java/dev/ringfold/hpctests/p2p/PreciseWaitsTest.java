package dev.ringfold.hpctests.p2p;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rank that waits on shared memory asks for precise timers once its futex is linked, so that the back-off's short
 * parks last about what they ask for, not Linux's default 50 µs slack ({@link PreciseWaitsRanks}).
 */
class PreciseWaitsTest
{
    @Test
    @Timeout(120)
    void aRankThatWaitsOnSharedMemoryGetsPreciseTimers() throws Exception
    {
        final String text = Mpjrun.run(2, "shm", List.of(), 60, PreciseWaitsRanks.class).assertSucceeded();
        assertEquals(2, Mpjrun.count(text, "ok precise waits rank"), text);
    }
}
