package mpi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
        return indexOf(MPI.COMM_WORLD.Rank());
    }

    private int indexOf(final int worldRank)
    {
        for (int i = 0; i < world.length; i++)
        {
            if (world[i] == worldRank)
            {
                return i;
            }
        }
        return MPI.UNDEFINED;
    }

    public static int[] Translate_ranks(final Group group1, final int[] ranks1, final Group group2)
        throws MPIException
    {
        final int[] out = new int[ranks1.length];
        for (int i = 0; i < ranks1.length; i++)
        {
            out[i] = ranks1[i] == MPI.PROC_NULL ? MPI.PROC_NULL : group2.indexOf(group1.world[group1.check(ranks1[i])]);
        }
        return out;
    }

    public static int Compare(final Group group1, final Group group2) throws MPIException
    {
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

    public static Group Union(final Group group1, final Group group2) throws MPIException
    {
        final Set<Integer> s = new LinkedHashSet<>();
        for (final int r : group1.world)
        {
            s.add(r);
        }
        for (final int r : group2.world)
        {
            s.add(r);
        }
        return of(new ArrayList<>(s));
    }

    public static Group Intersection(final Group group1, final Group group2) throws MPIException
    {
        final List<Integer> l = new ArrayList<>();
        for (final int r : group1.world)
        {
            if (group2.indexOf(r) != MPI.UNDEFINED)
            {
                l.add(r);
            }
        }
        return of(l);
    }

    public static Group Difference(final Group group1, final Group group2) throws MPIException
    {
        final List<Integer> l = new ArrayList<>();
        for (final int r : group1.world)
        {
            if (group2.indexOf(r) == MPI.UNDEFINED)
            {
                l.add(r);
            }
        }
        return of(l);
    }

    public Group Incl(final int[] ranks) throws MPIException
    {
        final int[] w = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++)
        {
            w[i] = world[check(ranks[i])];
        }
        return new Group(w);
    }

    public Group Excl(final int[] ranks) throws MPIException
    {
        final boolean[] out = new boolean[world.length];
        for (final int r : ranks)
        {
            out[check(r)] = true;
        }
        final List<Integer> l = new ArrayList<>();
        for (int i = 0; i < world.length; i++)
        {
            if (!out[i])
            {
                l.add(world[i]);
            }
        }
        return of(l);
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

    private int[] expand(final int[][] ranges)
    {
        final List<Integer> l = new ArrayList<>();
        for (final int[] t : ranges)
        {
            if (t.length != 3 || t[2] == 0)
            {
                throw new MPIException("Range_incl/Range_excl: " + Arrays.toString(t) +
                    " is not a (first, last, stride) triplet with a non-zero stride");
            }
            for (int r = t[0]; t[2] > 0 ? r <= t[1] : r >= t[1]; r += t[2])
            {
                l.add(check(r));
            }
        }
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    private int check(final int rank)
    {
        if (rank < 0 || rank >= world.length)
        {
            throw new MPIException("group rank " + rank + " is outside [0, " + world.length + ")");
        }
        return rank;
    }

    private static Group of(final List<Integer> l)
    {
        return new Group(l.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Rank in this group of a world rank, or MPI.UNDEFINED. */
    int rankOfWorld(final int worldRank)
    {
        return indexOf(worldRank);
    }
}
