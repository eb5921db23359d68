package dev.ringfold.hpctests.p2p;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Sending and receiving off-heap buffers and arrays allocates nothing per message, on both transports. */
class ZeroAllocationTest
{
    @ParameterizedTest(name = "dev={0}")
    @ValueSource(strings = {"shm", "tcp"})
    @Timeout(330)
    void steadyStateAllocatesNothingPerMessage(final String dev) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(2, dev, List.of(), 300, ZeroAllocationRanks.class);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(10, r.count("allocated "), r::toString);
        System.out.println(r.stdout());
    }
}
