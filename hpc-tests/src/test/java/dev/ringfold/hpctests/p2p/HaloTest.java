package dev.ringfold.hpctests.p2p;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** sendRecv in every array type and PROC_NULL at the edges (HaloRanks), across real processes. */
class HaloTest
{
    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"1,shm", "2,shm", "3,shm", "3,tcp"})
    @Timeout(180)
    void haloExchangeWithProcNullAtTheEdges(final int np, final String dev) throws Exception
    {
        final Mpjrun.Result r = Mpjrun.run(np, dev, List.of(), 150, HaloRanks.class);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(np, r.count("ok halo rank"), r::toString);
    }
}
