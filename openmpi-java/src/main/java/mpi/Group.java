package mpi;

import dev.ringfold.mpi.Communicator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
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
        for (int r = 0; r < world.length; r++)
        {
            if (world[r] == worldRank)
            {
                return r;
            }
        }
        return MPI.UNDEFINED;
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
        final int[] out = new int[ranks1.length];
        for (int i = 0; i < ranks1.length; i++)
        {
            final int r = ranks1[i];
            if (r == MPI.PROC_NULL)
            {
                out[i] = MPI.PROC_NULL;
                continue;
            }
            group1.check("MPI_Group_translate_ranks", r);
            out[i] = group2.rankOfWorld(group1.world[r]);
        }
        return out;
    }

    /** IDENT: same members in the same order; SIMILAR: same members; else UNEQUAL. */
    public static int compare(final Group group1, final Group group2) throws MPIException
    {
        MPI.check();
        if (Arrays.equals(group1.world, group2.world))
        {
            return MPI.IDENT;
        }
        final int[] a = group1.world.clone();
        final int[] b = group2.world.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        return Arrays.equals(a, b) ? MPI.SIMILAR : MPI.UNEQUAL;
    }

    /** The members of the first, then those of the second not in the first. */
    public static Group union(final Group group1, final Group group2) throws MPIException
    {
        MPI.check();
        final Set<Integer> members = new LinkedHashSet<>();
        for (final int w : group1.world)
        {
            members.add(w);
        }
        for (final int w : group2.world)
        {
            members.add(w);
        }
        return new Group(members.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The members of the first that are also in the second, in the first's order. */
    public static Group intersection(final Group group1, final Group group2) throws MPIException
    {
        MPI.check();
        return new Group(Arrays.stream(group1.world).filter(w -> group2.rankOfWorld(w) != MPI.UNDEFINED).toArray());
    }

    public static Group difference(final Group group1, final Group group2) throws MPIException
    {
        MPI.check();
        return new Group(Arrays.stream(group1.world).filter(w -> group2.rankOfWorld(w) == MPI.UNDEFINED).toArray());
    }

    public Group incl(final int[] ranks) throws MPIException
    {
        MPI.check();
        final int[] out = new int[ranks.length];
        final Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < ranks.length; i++)
        {
            check("MPI_Group_incl", ranks[i]);
            if (!seen.add(ranks[i]))
            {
                throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_RANK, "MPI_Group_incl", "rank " + ranks[i] +
                    " is named twice");
            }
            out[i] = world[ranks[i]];
        }
        return new Group(out);
    }

    public Group excl(final int[] ranks) throws MPIException
    {
        MPI.check();
        final boolean[] out = new boolean[world.length];
        for (final int r : ranks)
        {
            check("MPI_Group_excl", r);
            out[r] = true;
        }
        final List<Integer> keep = new ArrayList<>();
        for (int r = 0; r < world.length; r++)
        {
            if (!out[r])
            {
                keep.add(world[r]);
            }
        }
        return new Group(keep.stream().mapToInt(Integer::intValue).toArray());
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
    private int[] expand(final int[][] ranges, final String call) throws MPIException
    {
        final List<Integer> ranks = new ArrayList<>();
        for (final int[] t : ranges)
        {
            if (t.length < 3 || t[2] == 0)
            {
                throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_ARG, call, "a range needs (first, last, stride) with " +
                    "stride != 0, got " + Arrays.toString(t));
            }
            for (int r = t[0]; t[2] > 0 ? r <= t[1] : r >= t[1]; r += t[2])
            {
                ranks.add(r);
            }
        }
        return ranks.stream().mapToInt(Integer::intValue).toArray();
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
