package dev.ringfold.collectives;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every collective against a scalar reference on real ranks, np = 1 … 8 (powers of two or not), both of Ringfold's
 * transports, and np = 2 and 4 on the native device (ours over Open MPI's point-to-point).
 */
class CollectivesProcessTest
{
    private static final String[] SECTIONS = {"ok allreduce rank", "ok deterministic rank", "ok bcast-reduce WORLD rank",
        "ok gathers rank", "ok scans rank", "ok allreduce-split rank", "ok concurrent rank", "ok errors rank"};

    @ParameterizedTest(name = "np={0} dev={1}")
    @CsvSource({"1,shm", "2,shm", "3,shm", "4,shm", "5,shm", "8,shm", "3,tcp", "4,tcp", "2,native", "4,native"})
    @Timeout(400)
    void everyCollectiveMatchesTheReference(final int np, final String dev) throws Exception
    {
        final String text = Job.run(np, dev, 360, CollectivesRanks.class);
        for (final String section : SECTIONS)
        {
            assertEquals(np, Job.count(text, section), section + "\n" + text);
        }
    }
}
