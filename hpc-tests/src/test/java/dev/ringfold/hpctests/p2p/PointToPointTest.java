package dev.ringfold.hpctests.p2p;

import dev.ringfold.testsupport.Mpjrun;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The point-to-point suite across real processes, np = 1, 2, 3, 4 and 8 (oversubscribed) on Ringfold's own
 * transports, np = 2 and 4 on the native device (Open MPI underneath, started by mpirun).
 */
class PointToPointTest
{
    private static final String[] SCENARIOS = {"pingpong", "sizes", "allpairs", "fanin", "ordering", "types", "probe",
        "requests", "contexts", "errors", "synchronous", "closed"};

    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"1,shm", "2,shm", "3,shm", "4,shm", "8,shm", "1,tcp", "2,tcp", "3,tcp", "4,tcp", "8,tcp", "2,native", "4,native"})
    @Timeout(300)
    void suitePassesOnEveryRank(final int np, final String dev) throws Exception
    {
        // 100k ordered messages where the machine has a core per rank; fewer when 8 ranks share 2 cores
        final String messages = "messages=" + (np <= 4 ? 100_000 : 20_000);
        assertSuitePasses(np, Mpjrun.run(np, dev, List.of(), 240, PointToPointRanks.class, messages));
    }

    /**
     * Large messages between off-heap buffers either stream through the rings or are pulled with cross-memory
     * attach; the default picks by the node (streaming where each rank has a core), so both are forced here.
     */
    @ParameterizedTest(name = "np={0} RINGFOLD_CMA={1}")
    @CsvSource({"2,0", "3,0", "2,1"})
    @Timeout(300)
    void suitePassesStreamedAndPulled(final int np, final int crossMemory) throws Exception
    {
        assertSuitePasses(np, Mpjrun.run(np, "shm", List.of("RINGFOLD_CMA=" + crossMemory), 240,
            PointToPointRanks.class, "messages=20000"));
    }

    /**
     * Sender and receiver copying large messages together, forced on where it is off by default: more ranks than
     * cores, so helpers get descheduled holding chunks, and from 64 KiB so that most messages are split.
     */
    @ParameterizedTest(name = "np={0}")
    @CsvSource({"2", "4"})
    @Timeout(300)
    void suitePassesWithCooperativeCopyEverywhere(final int np) throws Exception
    {
        assertSuitePasses(np, Mpjrun.run(np, "shm", List.of("RINGFOLD_CMA=1", "RINGFOLD_CMA_SPLIT_MIN=65536"), 240,
            PointToPointRanks.class, "messages=20000"));
    }

    private static void assertSuitePasses(final int np, final Mpjrun.Result r)
    {
        assertEquals(0, r.exitCode(), r::toString);
        for (final String s : SCENARIOS)
        {
            assertEquals(np, r.count("ok " + s + " rank"), () -> "every rank passes " + s + "\n" + r);
        }
    }
}
