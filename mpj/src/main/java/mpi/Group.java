package mpi;

import dev.ringfold.mpi.topology.RankSets;

import java.util.Arrays;

/** An ordered set of processes, held as their world ranks; every operation is local. */
public class Group implements Freeable
{
    public static final int EMPTY = 0;
    final int[] world;

    Group(final int[] world)
    {
        this.world = world;
    }

    public void free()
    {
        // plain Java data
    }

    public void finalize() throws MPIException
    {
        // kept for the mpiJava signature
    }

    public int Size() throws MPIException
    {
        return world.length;
    }

    /** This process's rank in the group, or MPI.UNDEFINED. */
    public int Rank() throws MPIException
    {
        return rankOfWorld(MPI.COMM_WORLD.Rank());
    }

    public static int[] Translate_ranks(final Group group1, final int[] ranks1, final Group group2)
        throws MPIException
    {
        for (final int r : ranks1)
        {
            if (r != MPI.PROC_NULL)
            {
                group1.check(r);
            }
        }
        return RankSets.translate(group1.world, ranks1, group2.world, MPI.PROC_NULL);
    }

    public static int Compare(final Group group1, final Group group2) throws MPIException
    {
        return Arrays.equals(group1.world, group2.world) ? MPI.IDENT :
            RankSets.sameMembers(group1.world, group2.world) ? MPI.SIMILAR : MPI.UNEQUAL;
    }

    public static Group Union(final Group group1, final Group group2) throws MPIException
    {
        return new Group(RankSets.union(group1.world, group2.world));
    }

    public static Group Intersection(final Group group1, final Group group2) throws MPIException
    {
        return new Group(RankSets.intersection(group1.world, group2.world));
    }

    public static Group Difference(final Group group1, final Group group2) throws MPIException
    {
        return new Group(RankSets.difference(group1.world, group2.world));
    }

    public Group Incl(final int[] ranks) throws MPIException
    {
        checkAll(ranks);
        return new Group(RankSets.include(world, ranks));
    }

    public Group Excl(final int[] ranks) throws MPIException
    {
        checkAll(ranks);
        return new Group(RankSets.exclude(world, ranks));
    }

    /** Triplets (first, last, stride). */
    public Group Range_incl(final int[][] ranges) throws MPIException
    {
        return Incl(expand(ranges));
    }

    public Group Range_excl(final int[][] ranges) throws MPIException
    {
        return Excl(expand(ranges));
    }

    private static int[] expand(final int[][] ranges)
    {
        for (final int[] t : ranges)
        {
            if (t.length != 3 || t[2] == 0)
            {
                throw new MPIException("Range_incl/Range_excl: " + Arrays.toString(t) +
                    " is not a (first, last, stride) triplet with a non-zero stride");
            }
        }
        return RankSets.expand(ranges);
    }

    private void checkAll(final int[] ranks)
    {
        for (final int r : ranks)
        {
            check(r);
        }
    }

    private void check(final int rank)
    {
        if (rank < 0 || rank >= world.length)
        {
            throw new MPIException("group rank " + rank + " is outside [0, " + world.length + ")");
        }
    }

    /** Rank in this group of a world rank, or MPI.UNDEFINED. */
    int rankOfWorld(final int worldRank)
    {
        return RankSets.rankOf(world, worldRank);
    }
}
