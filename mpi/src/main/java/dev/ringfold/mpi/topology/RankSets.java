package dev.ringfold.mpi.topology;

import dev.ringfold.mpi.Communicator;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Process groups as ordered sets of world ranks ({@code members[i]} is the world rank of group rank {@code i}):
 * MPI's local group operations. Callers check group ranks and range triplets before asking.
 */
public final class RankSets
{
    private RankSets()
    {
    }

    /** The group rank of {@code worldRank} in {@code members}, or {@link Communicator#UNDEFINED}. */
    public static int rankOf(final int[] members, final int worldRank)
    {
        for (int i = 0; i < members.length; i++)
        {
            if (members[i] == worldRank)
            {
                return i;
            }
        }
        return Communicator.UNDEFINED;
    }

    /**
     * The ranks in {@code to} of the processes that hold {@code ranks} in {@code from} ({@link Communicator#UNDEFINED}
     * for a process {@code to} lacks); {@code procNull} stays as it is.
     */
    public static int[] translate(final int[] from, final int[] ranks, final int[] to, final int procNull)
    {
        final int[] out = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++)
        {
            out[i] = ranks[i] == procNull ? procNull : rankOf(to, from[ranks[i]]);
        }
        return out;
    }

    /** Whether the two hold the same processes, in any order (MPI's SIMILAR, or IDENT when the order is the same). */
    public static boolean sameMembers(final int[] a, final int[] b)
    {
        final int[] sortedA = a.clone();
        final int[] sortedB = b.clone();
        Arrays.sort(sortedA);
        Arrays.sort(sortedB);
        return Arrays.equals(sortedA, sortedB);
    }

    /** The members of {@code a}, then those of {@code b} not in {@code a}. */
    public static int[] union(final int[] a, final int[] b)
    {
        final Set<Integer> members = new LinkedHashSet<>();
        for (final int w : a)
        {
            members.add(w);
        }
        for (final int w : b)
        {
            members.add(w);
        }
        return members.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The members of {@code a} that are also in {@code b}, in {@code a}'s order. */
    public static int[] intersection(final int[] a, final int[] b)
    {
        return Arrays.stream(a).filter(w -> rankOf(b, w) != Communicator.UNDEFINED).toArray();
    }

    /** The members of {@code a} that are not in {@code b}, in {@code a}'s order. */
    public static int[] difference(final int[] a, final int[] b)
    {
        return Arrays.stream(a).filter(w -> rankOf(b, w) == Communicator.UNDEFINED).toArray();
    }

    /** The members at group ranks {@code ranks}, in that order. */
    public static int[] include(final int[] members, final int[] ranks)
    {
        final int[] out = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++)
        {
            out[i] = members[ranks[i]];
        }
        return out;
    }

    /** The members not at group ranks {@code ranks}, in the group's order. */
    public static int[] exclude(final int[] members, final int[] ranks)
    {
        final boolean[] out = new boolean[members.length];
        for (final int r : ranks)
        {
            out[r] = true;
        }
        int kept = 0;
        final int[] keep = new int[members.length];
        for (int i = 0; i < members.length; i++)
        {
            if (!out[i])
            {
                keep[kept++] = members[i];
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /** The group ranks that (first, last, stride) triplets name, in order; each triplet's stride is not 0. */
    public static int[] expand(final int[][] ranges)
    {
        final var ranks = java.util.stream.IntStream.builder();
        for (final int[] t : ranges)
        {
            for (int r = t[0]; t[2] > 0 ? r <= t[1] : r >= t[1]; r += t[2])
            {
                ranks.add(r);
            }
        }
        return ranks.build().toArray();
    }
}
