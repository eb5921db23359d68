package dev.ringfold.examples.fashion;

import dev.ringfold.tensors.kernels.Init;

/**
 * Which training samples this rank sees in an epoch: a permutation shared by all ranks (Fisher-Yates driven by
 * {@link Init#bits} from the seed and the epoch), dealt round-robin, rank r taking positions r, r + R, r + 2R, ...;
 * the tail that does not divide by R is dropped. So the j-th local batch of b samples on all ranks together is
 * positions [j b R, (j + 1) b R): the same global batch whatever R is.
 * <p>
 * INTERIM until the data-parallel library (branch dp) is merged: replace this class by its
 * {@code dev.ringfold.collectives.data.DistributedSampler}, which has these methods and this deal.
 */
final class RankStridedSampler
{
    private final int[] permutation;
    private final int replicas;
    private final int replica;
    private final long seed;

    RankStridedSampler(final int datasetSize, final int replicas, final int replica, final long seed)
    {
        this.permutation = new int[datasetSize];
        this.replicas = replicas;
        this.replica = replica;
        this.seed = seed;
        setEpoch(0);
    }

    void setEpoch(final long epoch)
    {
        final long stream = Init.bits(seed, epoch);
        for (int i = 0; i < permutation.length; i++)
        {
            permutation[i] = i;
        }
        for (int i = permutation.length - 1; i > 0; i--)
        {
            final int j = (int)Long.remainderUnsigned(Init.bits(stream, i), i + 1);
            final int swap = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = swap;
        }
    }

    /** Samples this rank gets per epoch. */
    int size()
    {
        return permutation.length / replicas;
    }

    /** This rank's samples of the epoch, in order, into {@code into} (at least {@link #size()} long). */
    int[] indices(final int[] into)
    {
        for (int i = 0; i < size(); i++)
        {
            into[i] = permutation[replica + i * replicas];
        }
        return into;
    }
}
