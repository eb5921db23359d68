package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What one process can check: the chunking arithmetic, argument errors, and the np = 1 world (a no-op). */
@Timeout(60)
class RingAllReduceSingletonTest
{
    private static Ringfold ringfold;
    private static Communicator world;

    @BeforeAll
    static void start()
    {
        for (final String var : new String[] {"RINGFOLD_RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "MASTER_ADDR"})
        {
            assumeTrue(System.getenv(var) == null, var + " is set: this test needs a singleton world of one rank");
        }
        ringfold = Ringfold.init();
        world = ringfold.world();
    }

    @AfterAll
    static void stop()
    {
        if (ringfold != null)
        {
            ringfold.close();
        }
    }

    @Test
    void singletonWorldHasOneRank()
    {
        assertEquals("singleton", ringfold.launcher());
        assertEquals(1, world.size());
        assertEquals(0, world.rank());
    }

    @Test
    void chunksCoverTheRangeInOrderWithSizesDifferingByAtMostOne()
    {
        for (final int parts : new int[] {1, 2, 3, 4, 7, 8})
        {
            for (final int count : new int[] {0, 1, 2, 3, 5, 7, 8, 1000, 100_003})
            {
                assertEquals(0, RingAllReduce.chunkStart(count, parts, 0));
                assertEquals(count, RingAllReduce.chunkStart(count, parts, parts));
                for (int c = 0; c < parts; c++)
                {
                    final int length = RingAllReduce.chunkStart(count, parts, c + 1) - RingAllReduce.chunkStart(count, parts, c);
                    assertEquals(count / parts + (c < count % parts ? 1 : 0), length, "count " + count + " parts " + parts + " chunk " + c);
                }
            }
        }
    }

    @Test
    void oneRankLeavesTheDataAsItIs()
    {
        final RingAllReduce allReduce = new RingAllReduce(world);
        assertSame(world, allReduce.communicator());
        for (final int count : new int[] {0, 1, 7, 1000, 100_003})
        {
            final float[] f = new float[count];
            final double[] d = new double[count];
            for (int i = 0; i < count; i++)
            {
                f[i] = i * 0.1f;
                d[i] = i * 0.1;
            }
            final float[] fExpected = f.clone();
            final double[] dExpected = d.clone();
            allReduce.sum(f);
            allReduce.sum(d);
            assertArrayEquals(fExpected, f);
            assertArrayEquals(dExpected, d);
        }
        final double[] part = {1, 2, 3, 4, 5};
        allReduce.sum(part, 1, 3);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, part);
    }

    @Test
    void badArgumentsNameTheProblem()
    {
        final RingAllReduce allReduce = new RingAllReduce(world);
        final NullPointerException nullArray = assertThrows(NullPointerException.class, () -> allReduce.sum((float[])null));
        assertTrue(nullArray.getMessage().contains("rank 0 of WORLD: RingAllReduce.sum: the array is null"), nullArray.getMessage());
        final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> allReduce.sum(new double[4], 0, -1));
        assertTrue(negative.getMessage().contains("count=-1 must be >= 0"), negative.getMessage());
        final IndexOutOfBoundsException outside = assertThrows(IndexOutOfBoundsException.class,
            () -> allReduce.sum(new float[4], 2, 3));
        assertTrue(outside.getMessage().contains("offset=2 count=3 does not fit an array of length 4"), outside.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> allReduce.sum(new double[4], -1, 1));
        assertThrows(NullPointerException.class, () -> new RingAllReduce(null));
        // the communicator is still usable afterwards
        final float[] ok = {1, 2};
        allReduce.sum(ok);
        assertArrayEquals(new float[] {1, 2}, ok);
    }
}
