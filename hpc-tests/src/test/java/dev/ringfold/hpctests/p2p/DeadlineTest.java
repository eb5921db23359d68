package dev.ringfold.hpctests.p2p;

import dev.ringfold.hpctests.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A blocking call past its deadline fails with what it waited for, and leaves the communicator usable. */
class DeadlineTest
{
    @ParameterizedTest(name = "dev={0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(120)
    void timedOutReceiveIsWithdrawn(final String dev) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(2, dev, List.of("RINGFOLD_TIMEOUT_MS=1000", "RINGFOLD_STALL_MS=400"), 60,
            DeadlineRanks.class);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(1, r.count("deadline: rank 0: timed out after 1000 ms waiting on receive of up to 8 bytes from " +
            "world rank 1 (tag 5) on WORLD"), r::toString);
        assertEquals(1, r.stderr().lines().filter(l -> l.contains("ringfold: stall: rank 0 has waited") &&
            l.contains("receive of up to 8 bytes from world rank 1 (tag 5)")).count(), r::toString);
        assertEquals(2, r.count("ok deadline rank"), r::toString);
    }
}
