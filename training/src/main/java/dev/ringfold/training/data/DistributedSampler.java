package dev.ringfold.training.data;

/**
 * Which samples each worker trains on in an epoch, PyTorch's {@code DistributedSampler}: a permutation of the data
 * set's indices, the same on every rank (drawn from the shared seed and the epoch, so {@link #setEpoch} reshuffles),
 * dealt out round-robin: replica r gets positions r, r + R, r + 2R, ... Shards are disjoint and equally sized.
 *
 * <p>When the data set does not divide by the replicas: by default the permutation is padded by repeating it from
 * its start up to the next multiple of R (a few samples are seen twice per epoch); with {@code dropLast} its tail is
 * cut to the previous multiple (a few samples are not seen in that epoch; a different few each epoch when shuffling).
 *
 * <p>Because of the round-robin deal, the j-th local batch of b samples on every replica together are positions
 * [j·b·R, (j+1)·b·R) of the permutation: a global batch of B = b·R is the same set of samples whatever R is, which
 * is what makes runs on different numbers of ranks with the same global batch compute the same thing.
 *
 * <p>The shuffle is Fisher-Yates driven by SplitMix64 seeded from (seed, epoch): specified here, not by a JDK class,
 * so it is the same on every JVM.
 */
public final class DistributedSampler
{
    private final int datasetSize;
    private final int replicas;
    private final int replica;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int perReplica;
    private final int[] permutation;
    private long epoch;

    public DistributedSampler(final int datasetSize, final int replicas, final int replica, final long seed,
        final boolean shuffle, final boolean dropLast)
    {
        if (datasetSize < 1)
        {
            throw new IllegalArgumentException("DistributedSampler: datasetSize=" + datasetSize + " must be >= 1");
        }
        if (replicas < 1 || replica < 0 || replica >= replicas)
        {
            throw new IllegalArgumentException("DistributedSampler: replica " + replica + " of " + replicas +
                " replicas; expected replicas >= 1 and 0 <= replica < replicas");
        }
        if (dropLast && datasetSize < replicas)
        {
            throw new IllegalArgumentException("DistributedSampler: dropLast leaves nothing of " + datasetSize +
                " samples over " + replicas + " replicas");
        }
        this.datasetSize = datasetSize;
        this.replicas = replicas;
        this.replica = replica;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.perReplica = dropLast ? datasetSize / replicas : (datasetSize + replicas - 1) / replicas;
        this.permutation = new int[datasetSize];
        setEpoch(0);
    }

    /** Shuffles for {@code epoch} (a no-op without shuffling). Call it with the same epoch on every rank. */
    public void setEpoch(final long epoch)
    {
        if (epoch < 0)
        {
            throw new IllegalArgumentException("DistributedSampler: epoch=" + epoch + " must be >= 0");
        }
        this.epoch = epoch;
        for (int i = 0; i < datasetSize; i++)
        {
            permutation[i] = i;
        }
        if (!shuffle)
        {
            return;
        }
        long state = seed ^ (epoch + 1) * 0x9E3779B97F4A7C15L;
        for (int i = datasetSize - 1; i > 0; i--)
        {
            state += 0x9E3779B97F4A7C15L;
            final int j = (int)Long.remainderUnsigned(mix(state), i + 1);
            final int t = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = t;
        }
    }

    private static long mix(final long z0)
    {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long epoch()
    {
        return epoch;
    }

    /** Samples per replica per epoch (the same on every replica). */
    public int size()
    {
        return perReplica;
    }

    /** Samples per epoch over all replicas, padding included. */
    public int totalSize()
    {
        return perReplica * replicas;
    }

    public int datasetSize()
    {
        return datasetSize;
    }

    /** The data-set index of this replica's {@code i}-th sample of the epoch. */
    public int index(final int i)
    {
        if (i < 0 || i >= perReplica)
        {
            throw new IndexOutOfBoundsException("DistributedSampler: sample " + i + " of replica " + replica +
                ", which has " + perReplica + " per epoch");
        }
        final long position = (long)i * replicas + replica;
        return permutation[(int)(position % datasetSize)]; // past the end: padding, from the start again
    }

    /** This replica's indices for the epoch into {@code into} (at least {@link #size()} long); returns it. */
    public int[] indices(final int[] into)
    {
        if (into == null || into.length < perReplica)
        {
            throw new IllegalArgumentException("DistributedSampler: indices need an array of at least " + perReplica +
                ", given " + (into == null ? "null" : String.valueOf(into.length)));
        }
        for (int i = 0; i < perReplica; i++)
        {
            into[i] = index(i);
        }
        return into;
    }

    /**
     * Global batches that outlive a change of width (elastic training): the data-set indices of this replica's share
     * of global batch {@code step} of the epoch, when {@code width} replicas share it and this one is
     * {@code replica}; returns how many were written into {@code into}. Global batch {@code step} is always
     * positions [step·B, (step+1)·B) of the epoch's permutation, whatever the width: replica r takes positions
     * step·B + r, step·B + r + width, ... So a run that changes width mid-epoch still trains on every position
     * before (epoch steps)·B once (the consumed ones, step·B, before the change; the rest after it), and when width
     * divides B this is exactly {@link #index}'s deal at that width: an elastic run that keeps its width sees the
     * same samples, in the same order, as a plain one. When width does not divide B the shares differ by one (the
     * first B mod width replicas take one more). Only the permutation is used: the sampler's own replica count
     * does not matter, and there is no padding (the epoch has floor(dataset / B) global batches,
     * {@link #globalBatches}).
     */
    public int globalBatch(final int step, final int batch, final int width, final int replica, final int[] into)
    {
        if (batch < 1 || width < 1 || replica < 0 || replica >= width || batch < width)
        {
            throw new IllegalArgumentException("DistributedSampler: global batch " + batch + " over " + width +
                " replicas, replica " + replica + "; expected 1 <= width <= batch and 0 <= replica < width");
        }
        final int steps = globalBatches(batch);
        if (step < 0 || step >= steps)
        {
            throw new IndexOutOfBoundsException("DistributedSampler: global batch " + step + " of an epoch that has " +
                steps + " of " + batch + " samples (" + datasetSize + " in the data set)");
        }
        final int count = share(batch, width, replica);
        if (into == null || into.length < count)
        {
            throw new IllegalArgumentException("DistributedSampler: replica " + replica + " of " + width + " takes " +
                count + " samples of each global batch of " + batch + ", given an array of " +
                (into == null ? "null" : String.valueOf(into.length)));
        }
        final int first = step * batch + replica;
        for (int i = 0; i < count; i++)
        {
            into[i] = permutation[first + i * width];
        }
        return count;
    }

    /** How many samples of a global batch of {@code batch} replica {@code replica} of {@code width} takes. */
    public static int share(final int batch, final int width, final int replica)
    {
        return batch / width + (replica < batch % width ? 1 : 0);
    }

    /** Whole global batches of {@code batch} samples in an epoch (the tail that does not fill one is not used). */
    public int globalBatches(final int batch)
    {
        if (batch < 1)
        {
            throw new IllegalArgumentException("DistributedSampler: global batch " + batch + " must be >= 1");
        }
        return datasetSize / batch;
    }

    @Override
    public String toString()
    {
        return "DistributedSampler{dataset=" + datasetSize + ", replica " + replica + " of " + replicas + ", " +
            perReplica + " each, seed=" + seed + ", epoch=" + epoch + (shuffle ? ", shuffled" : "") +
            (dropLast ? ", drop last" : ", padded") + "}";
    }
}
