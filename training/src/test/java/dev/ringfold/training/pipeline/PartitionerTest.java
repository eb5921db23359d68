package dev.ringfold.training.pipeline;

import dev.ringfold.tensors.nn.Sequential;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Partitions and schedules, without ranks: balance, imbalance, errors, the order of operations and live counts. */
class PartitionerTest
{
    private static final Sequential.Builder DEEP = Sequential.builder(784)
        .linear(1024).relu().linear(1024).relu().linear(1024).relu().linear(10);

    @Test
    void byParametersMinimisesTheLargestStage()
    {
        final Partition two = Partitioner.byParameters(DEEP, 2);
        // 784·1024+1024 = 803,840; 1024·1024+1024 = 1,049,600 (twice); 1024·10+10 = 10,250
        assertEquals(0, two.from(0));
        assertEquals(3, two.to(0)); // [linear0, relu, linear1] vs [relu, linear2, relu, linear3]
        assertEquals(803_840 + 1_049_600, two.cost(0), 0);
        assertEquals(1_049_600 + 10_250, two.cost(1), 0);
        assertEquals(1_853_440 / ((1_853_440 + 1_059_850) / 2.0), two.imbalance(), 1e-12);
        final Partition four = Partitioner.byParameters(DEEP, 4);
        assertEquals(4, four.stages());
        for (int s = 0; s < 4; s++)
        {
            assertTrue(four.to(s) > four.from(s));
        }
        assertTrue(four.toString().contains("imbalance"), four.toString());
    }

    @Test
    void bruteForceAgreesWithTheDynamicProgramme()
    {
        final double[] costs = {5, 1, 9, 2, 2, 7, 3, 8, 1};
        for (int stages = 1; stages <= costs.length; stages++)
        {
            final Partition best = Partitioner.byCost(costs, stages);
            assertEquals(bruteForce(costs, stages, 0, 0), maxCost(best), 0, "stages " + stages);
        }
    }

    @Test
    void uniformSpreadsTheRemainderOverTheFirstStages()
    {
        final Partition p = Partitioner.uniform(7, 3);
        assertArrayEquals(new int[] {0, 3, 5}, new int[] {p.from(0), p.from(1), p.from(2)});
        assertEquals(7, p.to(2));
    }

    @Test
    void measuredTimeGivesEveryStageALayer()
    {
        try (BufferAllocator allocator = new RootAllocator())
        {
            final double[] seconds = Partitioner.measure(DEEP, allocator, 16, 3);
            assertEquals(DEEP.size(), seconds.length);
            for (final double s : seconds)
            {
                assertTrue(s > 0);
            }
            final Partition p = Partitioner.byMeasuredTime(DEEP, allocator, 16, 3, 3);
            assertEquals(3, p.stages());
            assertTrue(p.toString().contains("measured time"), p.toString());
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void badPartitionsAreRefusedByName()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Partition.of(4, 0, 2, 2, 4)).getMessage()
            .contains("stage 1 is empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Partition.of(4, 0, 2, 3)).getMessage()
            .contains("must start at 0 and end at the layer count 4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Partitioner.uniform(3, 4)).getMessage()
            .contains("cannot split 3 layers into 4 stages"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Partitioner.byCost(new double[] {1, -1}, 1))
            .getMessage().contains("layer cost 1 is -1.0"));
    }

    @Test
    void schedulesRunEveryMicroBatchOnceInOrderWithinTheirSlots()
    {
        for (final Schedule schedule : Schedule.values())
        {
            for (int p = 1; p <= 4; p++)
            {
                for (int m = 1; m <= 9; m++)
                {
                    for (int s = 0; s < p; s++)
                    {
                        final int[] ops = schedule.operations(s, p, m);
                        int forwards = 0;
                        int backwards = 0;
                        int live = 0;
                        int peak = 0;
                        for (final int op : ops)
                        {
                            if (op > 0)
                            {
                                assertEquals(++forwards, op);
                                peak = Math.max(peak, ++live);
                            }
                            else
                            {
                                assertEquals(++backwards, -op);
                                assertTrue(backwards <= forwards);
                                live--;
                            }
                        }
                        assertEquals(m, forwards);
                        assertEquals(m, backwards);
                        assertEquals(schedule.slots(s, p, m), peak, schedule + " p=" + p + " m=" + m + " s=" + s);
                        if (schedule == Schedule.ONE_F_ONE_B)
                        {
                            assertTrue(peak <= p - s);
                        }
                    }
                }
            }
        }
    }

    private static double maxCost(final Partition p)
    {
        double max = 0;
        for (int s = 0; s < p.stages(); s++)
        {
            max = Math.max(max, p.cost(s));
        }
        return max;
    }

    private static double bruteForce(final double[] costs, final int stages, final int from, final double sofar)
    {
        if (stages == 1)
        {
            double rest = 0;
            for (int i = from; i < costs.length; i++)
            {
                rest += costs[i];
            }
            return Math.max(sofar, rest);
        }
        double best = Double.POSITIVE_INFINITY;
        double stage = 0;
        for (int end = from + 1; end <= costs.length - (stages - 1); end++)
        {
            stage += costs[end - 1];
            best = Math.min(best, bruteForce(costs, stages - 1, end, Math.max(sofar, stage)));
        }
        return best;
    }
}
