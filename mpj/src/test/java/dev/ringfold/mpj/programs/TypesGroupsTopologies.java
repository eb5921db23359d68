package dev.ringfold.mpj.programs;

import mpi.CartParms;
import mpi.Cartcomm;
import mpi.Comm;
import mpi.Datatype;
import mpi.Graphcomm;
import mpi.Group;
import mpi.Intracomm;
import mpi.MPI;
import mpi.ShiftParms;
import mpi.Status;

import java.util.Arrays;

import static dev.ringfold.mpj.programs.Print.out;

/** Derived datatypes, groups, communicator management and topologies (np = 4). */
public class TypesGroupsTopologies
{
    static int rank;


    static String describe(final Datatype t)
    {
        return "extent " + t.Extent() + " size " + t.Size() + " lb " + t.Lb() + " ub " + t.Ub();
    }

    static String rank(final int r)
    {
        return r == MPI.PROC_NULL ? "PROC_NULL" : r == MPI.UNDEFINED ? "UNDEFINED" : String.valueOf(r);
    }

    public static void main(final String[] args) throws Exception
    {
        MPI.Init(args);
        rank = MPI.COMM_WORLD.Rank();
        final int size = MPI.COMM_WORLD.Size();
        final int right = (rank + 1) % size;
        final int left = (rank + size - 1) % size;

        // derived datatypes: a column of a 4x4 matrix, blocks, indexed, struct, contiguous
        final Datatype contiguous = Datatype.Contiguous(3, MPI.INT);
        final Datatype column = Datatype.Vector(4, 1, 4, MPI.DOUBLE);
        final Datatype hvector = Datatype.Hvector(2, 2, 5, MPI.INT);
        final Datatype indexed = Datatype.Indexed(new int[] {2, 1, 3}, new int[] {0, 4, 7}, MPI.INT);
        final Datatype struct = Datatype.Struct(new int[] {1, 2}, new int[] {1, 5}, new Datatype[] {MPI.INT, MPI.INT});
        final Datatype nested = Datatype.Vector(2, 1, 2, contiguous);
        for (final Datatype t : new Datatype[] {contiguous, column, hvector, indexed, struct, nested})
        {
            t.Commit();
        }
        out("contiguous " + describe(contiguous));
        out("column " + describe(column));
        out("hvector " + describe(hvector));
        out("indexed " + describe(indexed));
        out("struct " + describe(struct));
        out("nested " + describe(nested));

        final double[] matrix = new double[16];
        for (int i = 0; i < 16; i++)
        {
            matrix[i] = rank * 100 + i;
        }
        final double[] col = new double[4];
        MPI.COMM_WORLD.Sendrecv(matrix, 1, 1, column, right, 1, col, 0, 4, MPI.DOUBLE, left, 1);
        out("column received " + Arrays.toString(col));
        final double[] into = new double[16];
        final Status cs = MPI.COMM_WORLD.Sendrecv(col, 0, 4, MPI.DOUBLE, right, 2, into, 2, 1, column, left, 2);
        out("into column " + Arrays.toString(into) + " count " + cs.Get_count(column) + " elements " +
            cs.Get_elements(MPI.DOUBLE));
        final int[] ints = new int[24];
        for (int i = 0; i < ints.length; i++)
        {
            ints[i] = rank * 1000 + i;
        }
        for (final Datatype t : new Datatype[] {contiguous, hvector, indexed, struct, nested})
        {
            final int[] got = new int[24];
            Arrays.fill(got, -1);
            MPI.COMM_WORLD.Sendrecv(ints, 1, 2, t, right, 3, got, 0, 2, t, left, 3);
            out("type " + Arrays.toString(got));
        }
        final int[] bcast = new int[24];
        if (rank == 1)
        {
            System.arraycopy(ints, 0, bcast, 0, 24);
        }
        MPI.COMM_WORLD.Bcast(bcast, 0, 2, indexed, 1);
        out("bcast indexed " + Arrays.toString(bcast));
        // Gather and Allreduce with derived types: see StandardAnswers (MPJ Express 0.44 gets them wrong)

        // groups
        final Group world = MPI.COMM_WORLD.Group();
        final Group evens = world.Incl(new int[] {0, 2});
        final Group odds = world.Excl(new int[] {0, 2});
        final Group reversed = world.Incl(new int[] {3, 2, 1, 0});
        final Group ranged = world.Range_incl(new int[][] {{0, 3, 2}, {1, 1, 1}});
        final Group rangedOut = world.Range_excl(new int[][] {{1, 3, 2}});
        out("group sizes " + world.Size() + " " + evens.Size() + " " + odds.Size() + " ranks " + rank(evens.Rank()) +
            " " + rank(odds.Rank()) + " " + rank(reversed.Rank()) + " " + rank(ranged.Rank()) + " " + rank(rangedOut.Rank()));
        out("union " + Group.Union(odds, evens).Size() + " rank " + rank(Group.Union(odds, evens).Rank()) +
            " intersection " + Group.Intersection(world, evens).Size() + " difference " +
            Group.Difference(world, evens).Size() + " rank " + rank(Group.Difference(world, evens).Rank()));
        out("translate " + Arrays.toString(Group.Translate_ranks(reversed, new int[] {0, 1, 2, 3}, world)) +
            " compare " + Group.Compare(world, reversed) + " " + Group.Compare(world, world) + " " +
            Group.Compare(world, Group.Union(odds, evens)));

        // communicators: Split, Create, clone, Compare, Free
        final Intracomm split = MPI.COMM_WORLD.Split(rank % 2, -rank);
        final int[] sum = new int[1];
        split.Allreduce(new int[] {rank}, 0, sum, 0, 1, MPI.INT, MPI.SUM);
        out("split rank " + split.Rank() + " of " + split.Size() + " sum " + sum[0]);
        // every rank a member: for non-members see StandardAnswers (MPJ Express 0.44 gives them a communicator)
        final Intracomm created = MPI.COMM_WORLD.Create(reversed);
        if (created != null)
        {
            final int[] b = {created.Rank() == 0 ? 77 : 0};
            created.Bcast(b, 0, 1, MPI.INT, 0);
            out("create rank " + created.Rank() + " of " + created.Size() + " bcast " + b[0]);
            created.Free();
        }
        else
        {
            out("create null");
        }
        final Intracomm dup = (Intracomm)MPI.COMM_WORLD.clone();
        out("compare dup " + Comm.Compare(MPI.COMM_WORLD, dup) + " self " + Comm.Compare(MPI.COMM_WORLD, MPI.COMM_WORLD) +
            " split " + Comm.Compare(MPI.COMM_WORLD, split));
        final int[] tok = new int[1];
        if (rank == 0)
        {
            // non-blocking: a standard send may wait for its receive, which comes in the other order
            mpi.Request.Waitall(new mpi.Request[] {dup.Isend(new int[] {5}, 0, 1, MPI.INT, 1, 9),
                MPI.COMM_WORLD.Isend(new int[] {6}, 0, 1, MPI.INT, 1, 9)});
        }
        if (rank == 1)
        {
            MPI.COMM_WORLD.Recv(tok, 0, 1, MPI.INT, 0, 9);
            final int first = tok[0];
            dup.Recv(tok, 0, 1, MPI.INT, 0, 9);
            out("contexts apart " + first + " " + tok[0]);
        }
        dup.Free();
        split.Free();

        // Cartesian topology
        final int[] dims = new int[2];
        Cartcomm.Dims_create(size, dims);
        out("dims " + Arrays.toString(dims));
        final Cartcomm cart = MPI.COMM_WORLD.Create_cart(dims, new boolean[] {true, true}, false);
        final CartParms parms = cart.Get();
        final ShiftParms s0 = cart.Shift(0, 1);
        final ShiftParms s1 = cart.Shift(1, 1);
        out("cart coords " + Arrays.toString(cart.Coords(cart.Rank())) + " rank " + cart.Rank(parms.coords) +
            " topo " + (cart.Topo_test() == MPI.CART) + " shift0 " + rank(s0.rank_source) + " " + rank(s0.rank_dest) +
            " shift1 " + rank(s1.rank_source) + " " + rank(s1.rank_dest));
        final Cartcomm row = cart.Sub(new boolean[] {false, true});
        final int[] rowSum = new int[1];
        row.Allreduce(new int[] {rank}, 0, rowSum, 0, 1, MPI.INT, MPI.SUM);
        out("cart sub size " + row.Size() + " rank " + row.Rank() + " sum " + rowSum[0]);
        final int[] big = new int[3];
        Cartcomm.Dims_create(12, big);
        out("dims 12 " + Arrays.toString(big));

        // graph topology: a ring with one chord
        final int[] index = {2, 4, 7, 9};
        final int[] edges = {1, 3, 0, 2, 1, 3, 0, 2, 0};
        final Graphcomm graph = MPI.COMM_WORLD.Create_graph(index, edges, false);
        out("graph neighbours " + Arrays.toString(graph.Neighbours(graph.Rank())) + " topo " +
            (graph.Topo_test() == MPI.GRAPH) + " edges " + graph.Get().edges.length);

        MPI.COMM_WORLD.Barrier();
        out("DONE");
        MPI.Finalize();
    }
}
