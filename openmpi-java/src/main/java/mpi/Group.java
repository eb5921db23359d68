package mpi;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.topology.RankSets;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** An ordered set of processes, kept as their ranks in MPI.COMM_WORLD. */
public final class Group implements Freeable
{
    final int[] world;
    private boolean freed;

    Group(final int[] world)
    {
        this.world = world;
    }

    static Group of(final Communicator comm)
    {
        final int[] world = new int[comm.size()];
        for (int r = 0; r < world.length; r++)
        {
            world[r] = comm.worldRank(r);
        }
        return new Group(world);
    }

    private static int myWorldRank()
    {
        return MPI.COMM_WORLD.p2p.rank();
    }

    /** This group's rank of a world rank, or MPI.UNDEFINED. */
    int rankOfWorld(final int worldRank)
    {
        return RankSets.rankOf(world, worldRank);
    }

    public int getSize() throws MPIException
    {
        MPI.check();
        return world.length;
    }

    public int getRank() throws MPIException
    {
        MPI.check();
        return rankOfWorld(myWorldRank());
    }

    public void free() throws MPIException
    {
        MPI.check();
        freed = true;
    }

    public boolean isNull()
    {
        return freed;
    }

    public static int[] translateRanks(final Group group1, final int[] ranks1, final Group group2)
        throws MPIException
    {
        MPI.check();
        for (final int r : ranks1)
        {
            if (r != MPI.PROC_NULL)
            {
                group1.check("MPI_Group_translate_ranks", r);
            }
        }
        return RankSets.translate(group1.world, ranks1, group2.world, MPI.PROC_NULL);
    }

    /** IDENT: same members in the same order; SIMILAR: same members; else UNEQUAL. */
    public static int compare(final Group group1, final Group group2) throws MPIException
    {
        MPI.check();
        return Arrays.equals(group1.world, group2.world) ? MPI.IDENT :
            RankSets.sameMembers(group1.world, group2.world) ? MPI.SIMILAR : MPI.UNEQUAL;
    }

    /** The members of the first, then those of the second not in the first. */
    public static Group union(final Group group1, final Group group2) throws MPIException
    {
        MPI.check();
        return new Group(RankSets.union(group1.world, group2.world));
    }

    /** The members of the first that are also in the second, in the first's order. */
    public static Group intersection(final Group group1, final Group group2) throws MPIException
    {
        MPI.check();
        return new Group(RankSets.intersection(group1.world, group2.world));
    }

    public static Group difference(final Group group1, final Group group2) throws MPIException
    {
        MPI.check();
        return new Group(RankSets.difference(group1.world, group2.world));
    }

    public Group incl(final int[] ranks) throws MPIException
    {
        MPI.check();
        final Set<Integer> seen = new HashSet<>();
        for (final int r : ranks)
        {
            check("MPI_Group_incl", r);
            if (!seen.add(r))
            {
                throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_RANK, "MPI_Group_incl", "rank " + r + " is named twice");
            }
        }
        return new Group(RankSets.include(world, ranks));
    }

    public Group excl(final int[] ranks) throws MPIException
    {
        MPI.check();
        for (final int r : ranks)
        {
            check("MPI_Group_excl", r);
        }
        return new Group(RankSets.exclude(world, ranks));
    }

    public Group rangeIncl(final int[][] ranges) throws MPIException
    {
        MPI.check();
        return incl(expand(ranges, "MPI_Group_range_incl"));
    }

    public Group rangeExcl(final int[][] ranges) throws MPIException
    {
        MPI.check();
        return excl(expand(ranges, "MPI_Group_range_excl"));
    }

    /** Triplets (first, last, stride) as the ranks they name. */
    private static int[] expand(final int[][] ranges, final String call) throws MPIException
    {
        for (final int[] t : ranges)
        {
            if (t.length < 3 || t[2] == 0)
            {
                throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_ARG, call, "a range needs (first, last, stride) with " +
                    "stride != 0, got " + Arrays.toString(t));
            }
        }
        return RankSets.expand(ranges);
    }

    private void check(final String call, final int rank) throws MPIException
    {
        if (rank < 0 || rank >= world.length)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_RANK, call, "rank " + rank + " is not in [0, " +
                world.length + ")");
        }
    }
}
