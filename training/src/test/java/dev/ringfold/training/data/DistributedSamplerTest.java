package dev.ringfold.training.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler's promises: disjoint equal shards covering the data, per-epoch shuffles, padding and dropping. */
class DistributedSamplerTest
{
    private static int[][] shards(final int n, final int replicas, final long epoch, final boolean dropLast)
    {
        final int[][] s = new int[replicas][];
        for (int r = 0; r < replicas; r++)
        {
            final DistributedSampler sampler = new DistributedSampler(n, replicas, r, 42, true, dropLast);
            sampler.setEpoch(epoch);
            s[r] = sampler.indices(new int[sampler.size()]);
        }
        return s;
    }

    @Test
    void divisibleDataSetsSplitIntoDisjointEqualShardsCoveringEverything()
    {
        for (final int replicas : new int[] {1, 2, 3, 4, 8})
        {
            final int[][] s = shards(480, replicas, 3, false);
            final Set<Integer> union = new HashSet<>();
            for (final int[] shard : s)
            {
                assertEquals(480 / replicas, shard.length);
                for (final int i : shard)
                {
                    assertTrue(union.add(i), "index " + i + " in two shards at " + replicas + " replicas");
                }
            }
            assertEquals(480, union.size());
        }
    }

    @Test
    void aGlobalBatchIsTheSameSetOfSamplesForAnyNumberOfReplicas()
    {
        final int globalBatch = 16;
        final List<Set<Integer>> reference = new ArrayList<>();
        for (final int replicas : new int[] {1, 2, 4, 8})
        {
            final int[][] s = shards(480, replicas, 2, false);
            final int local = globalBatch / replicas;
            for (int b = 0; b < 480 / globalBatch; b++)
            {
                final Set<Integer> batch = new TreeSet<>();
                for (final int[] shard : s)
                {
                    for (int k = 0; k < local; k++)
                    {
                        batch.add(shard[b * local + k]);
                    }
                }
                assertEquals(globalBatch, batch.size());
                if (replicas == 1)
                {
                    reference.add(batch);
                }
                else
                {
                    assertEquals(reference.get(b), batch, "global batch " + b + " at " + replicas + " replicas");
                }
            }
        }
    }

    @Test
    void everyEpochShufflesTheSameWayOnEveryRankAndDifferentlyFromTheLast()
    {
        final int[][] e0 = shards(100, 2, 0, false);
        final int[][] e0again = shards(100, 2, 0, false);
        final int[][] e1 = shards(100, 2, 1, false);
        assertTrue(Arrays.deepEquals(e0, e0again), "same seed and epoch: same shards");
        assertFalse(Arrays.deepEquals(e0, e1), "next epoch: reshuffled");
        final int[] sorted = e0[0].clone();
        Arrays.sort(sorted);
        assertNotEquals(Arrays.toString(sorted), Arrays.toString(e0[0]), "shuffled, not in order");
        final DistributedSampler plain = new DistributedSampler(10, 2, 1, 42, false, false);
        assertEquals("[1, 3, 5, 7, 9]", Arrays.toString(plain.indices(new int[5])), "no shuffle: round-robin");
    }

    @Test
    void unevenDataSetsArePaddedFromTheStartOrDropped()
    {
        // 10 samples over 4 replicas: padded to 12 (2 repeated), or cut to 8
        final int[][] padded = shards(10, 4, 0, false);
        final DistributedSampler permutation = new DistributedSampler(10, 1, 0, 42, true, false);
        final int[] order = permutation.indices(new int[10]);
        final List<Integer> all = new ArrayList<>();
        for (final int[] shard : padded)
        {
            assertEquals(3, shard.length);
            Arrays.stream(shard).forEach(all::add);
        }
        assertEquals(12, all.size());
        assertEquals(10, new HashSet<>(all).size(), "every sample, two of them twice");
        assertEquals(order[0], padded[2][2], "position 10 repeats position 0");
        assertEquals(order[1], padded[3][2], "position 11 repeats position 1");

        final int[][] dropped = shards(10, 4, 0, true);
        final Set<Integer> kept = new HashSet<>();
        for (final int[] shard : dropped)
        {
            assertEquals(2, shard.length);
            Arrays.stream(shard).forEach(kept::add);
        }
        assertEquals(8, kept.size(), "8 distinct samples, the permutation's last 2 dropped");
        assertFalse(kept.contains(order[8]) || kept.contains(order[9]));

        // fewer samples than replicas: padding wraps as often as needed
        final int[][] tiny = shards(3, 8, 0, false);
        for (final int[] shard : tiny)
        {
            assertEquals(1, shard.length);
        }
    }

    @Test
    void globalBatchesAtTheSameWidthDealAsTheShardsDo()
    {
        final int batch = 32;
        for (final int width : new int[] {1, 2, 4, 8})
        {
            final int[][] s = shards(1000, width, 5, true);
            final int local = batch / width;
            final int[] share = new int[local];
            for (int r = 0; r < width; r++)
            {
                final DistributedSampler sampler = new DistributedSampler(1000, width, r, 42, true, true);
                sampler.setEpoch(5);
                for (int step = 0; step < sampler.globalBatches(batch); step++)
                {
                    assertEquals(local, sampler.globalBatch(step, batch, width, r, share));
                    assertEquals(Arrays.toString(Arrays.copyOfRange(s[r], step * local, (step + 1) * local)),
                        Arrays.toString(share), "width " + width + ", replica " + r + ", step " + step);
                }
            }
        }
    }

    @Test
    void aChangeOfWidthMidEpochTrainsOnEverySampleOnce()
    {
        final int n = 1000;
        final int batch = 24;
        final DistributedSampler sampler = new DistributedSampler(n, 4, 0, 7, true, true);
        sampler.setEpoch(1);
        final int steps = sampler.globalBatches(batch);
        assertEquals(41, steps);
        final int[] seen = new int[n];
        final int[] share = new int[batch];
        // width 4, then 3 (one lost: 24 divides), then 5 (does not: shares of 5 and 4), then 2
        final int[] widthAt = new int[steps];
        for (int step = 0; step < steps; step++)
        {
            widthAt[step] = step < 10 ? 4 : step < 20 ? 3 : step < 30 ? 5 : 2;
        }
        for (int step = 0; step < steps; step++)
        {
            int total = 0;
            for (int r = 0; r < widthAt[step]; r++)
            {
                final int count = sampler.globalBatch(step, batch, widthAt[step], r, share);
                assertEquals(DistributedSampler.share(batch, widthAt[step], r), count);
                total += count;
                for (int i = 0; i < count; i++)
                {
                    seen[share[i]]++;
                }
            }
            assertEquals(batch, total, "step " + step + " at width " + widthAt[step]);
        }
        int once = 0;
        for (final int times : seen)
        {
            assertTrue(times <= 1, "a sample seen " + times + " times");
            once += times;
        }
        assertEquals(steps * batch, once, "every sample of the epoch's whole batches once");
    }

    @Test
    void badArgumentsSayWhatWasExpected()
    {
        final DistributedSampler batches = new DistributedSampler(100, 2, 0, 1, true, true);
        assertTrue(assertThrows(IndexOutOfBoundsException.class, () -> batches.globalBatch(10, 10, 2, 0, new int[5]))
            .getMessage().contains("global batch 10 of an epoch that has 10 of 10 samples"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> batches.globalBatch(0, 10, 3, 3, new int[5]))
            .getMessage().contains("over 3 replicas, replica 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> batches.globalBatch(0, 10, 3, 0, new int[3]))
            .getMessage().contains("replica 0 of 3 takes 4 samples"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(0, 2, 0, 1, true, false))
            .getMessage().contains("datasetSize=0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, 2, 1, true, false))
            .getMessage().contains("replica 2 of 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(3, 4, 0, 1, true, true))
            .getMessage().contains("dropLast leaves nothing"));
        final DistributedSampler s = new DistributedSampler(10, 2, 0, 1, true, false);
        assertTrue(assertThrows(IndexOutOfBoundsException.class, () -> s.index(5)).getMessage().contains("5 per epoch"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.setEpoch(-1)).getMessage().contains("epoch=-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.indices(new int[4])).getMessage()
            .contains("at least 5"));
    }
}
