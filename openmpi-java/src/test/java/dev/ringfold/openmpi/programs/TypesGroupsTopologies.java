package dev.ringfold.openmpi.programs;

import mpi.CartComm;
import mpi.CartParms;
import mpi.Comm;
import mpi.Datatype;
import mpi.GraphComm;
import mpi.GraphParms;
import mpi.Group;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.ShiftParms;
import mpi.Status;

/** Derived datatypes, groups, communicators, Cartesian and graph topologies, neighbourhood collectives. */
public final class TypesGroupsTopologies
{
    public static void main(final String[] args) throws MPIException
    {
        MPI.Init(args);
        final Intracomm w = MPI.COMM_WORLD;
        final int me = w.getRank();
        final int n = w.getSize();
        final Out out = new Out(me);
        final int right = (me + 1) % n;
        final int left = (me + n - 1) % n;

        // datatypes: sizes, extents, bounds, and messages of each kind
        final Datatype contig = Datatype.createContiguous(3, MPI.INT);
        final Datatype vector = Datatype.createVector(2, 2, 3, MPI.DOUBLE);
        final Datatype hvector = Datatype.createHVector(2, 1, 16, MPI.INT);
        final Datatype indexed = Datatype.createIndexed(new int[]{1, 2}, new int[]{4, 0}, MPI.INT);
        final Datatype hindexed = Datatype.createHIndexed(new int[]{2, 1}, new int[]{0, 12}, MPI.SHORT);
        final Datatype struct = Datatype.createStruct(new int[]{1, 2}, new int[]{0, 8}, new Datatype[]{MPI.INT,
            MPI.INT});
        final Datatype resized = Datatype.createResized(MPI.INT, 0, 12);
        final Datatype[] types = {contig, vector, hvector, indexed, hindexed, struct, resized};
        final String[] names = {"contiguous", "vector", "hvector", "indexed", "hindexed", "struct", "resized"};
        for (int k = 0; k < types.length; k++)
        {
            types[k].commit();
            out.line(names[k] + " size/extent/lb/trueExtent", types[k].getSize() + "/" + types[k].getExtent() + "/" +
                types[k].getLb() + "/" + types[k].getTrueExtent());
        }
        final int[] ci = {me, me + 1, me + 2, 9, 9, 9};
        final int[] cr = new int[6];
        w.sendRecv(ci, 2, MPI.INT, right, 1, cr, 1, contig, left, 1);
        out.line("contiguous recv", cr);
        final double[] vd = {0, 1, 2, 3, 4, 5, 6};
        final double[] vr = new double[7];
        w.sendRecv(vd, 1, vector, right, 2, vr, 1, vector, left, 2);
        out.line("vector recv", vr);
        final int[] hv = {me, 1, 2, 3, me + 4, 5};
        final int[] hvr = new int[2];
        w.sendRecv(hv, 1, hvector, right, 3, hvr, 2, MPI.INT, left, 3);
        out.line("hvector as ints", hvr);
        final int[] ix = {me, 10, 20, 30, 40 + me};
        final int[] ixr = new int[3];
        final Status ixs = w.sendRecv(ix, 1, indexed, right, 4, ixr, 3, MPI.INT, left, 4);
        out.line("indexed as ints", ixr);
        out.line("indexed status elements", ixs.getElements(MPI.INT) + " count " + ixs.getCount(indexed));
        final short[] hs = {(short)me, 1, 2, 3, 4, 5, 6};
        final short[] hsr = new short[3];
        w.sendRecv(hs, 1, hindexed, right, 5, hsr, 3, MPI.SHORT, left, 5);
        out.line("hindexed as shorts", hsr);
        final int[] rs = {me, -1, -1, me + 1, -1, -1};
        final int[] rsr = new int[2];
        w.sendRecv(rs, 2, resized, right, 6, rsr, 2, MPI.INT, left, 6);
        out.line("resized as ints", rsr);
        final Datatype dup = vector.dup();
        out.line("dup size", dup.getSize());
        dup.free();
        out.line("freed isNull", dup.isNull());

        // groups
        final Group world = w.getGroup();
        final Group evens = world.incl(evens(n));
        final Group odds = world.excl(evens(n));
        out.line("group sizes", world.getSize() + " " + evens.getSize() + " " + odds.getSize());
        out.line("rank in evens", evens.getRank());
        out.line("union compare world", Group.compare(Group.union(evens, odds), world));
        out.line("intersection size", Group.intersection(evens, odds).getSize());
        out.line("difference size", Group.difference(world, evens).getSize());
        out.line("translate evens to world", Group.translateRanks(evens, new int[]{0, evens.getSize() - 1}, world));
        out.line("rangeIncl", Group.translateRanks(world.rangeIncl(new int[][]{{n - 1, 0, -2}}),
            new int[]{0}, world));
        out.line("rangeExcl size", world.rangeExcl(new int[][]{{0, n - 1, 2}}).getSize());
        out.line("compare evens world", Group.compare(evens, world));

        // communicators: split, dup, create, compare, names
        final Intracomm half = w.split(me % 2, -me);
        out.line("split rank/size", half.getRank() + "/" + half.getSize());
        final int[] hs2 = {half.getRank()};
        half.allReduce(hs2, 1, MPI.INT, MPI.SUM);
        out.line("split allReduce", hs2[0]);
        final Intracomm dup2 = w.dup();
        out.line("compare dup", Comm.compare(w, dup2) + " self " + Comm.compare(w, w) + " split " +
            Comm.compare(w, half));
        final Intracomm created = w.create(evens);
        out.line("create", created.isNull() ? "null" : created.getRank() + "/" + created.getSize());
        final Intracomm none = w.split(me == 0 ? MPI.UNDEFINED : 1, me);
        out.line("split UNDEFINED", none.isNull() ? "null" : String.valueOf(none.getSize()));
        out.line("world name", w.getName());
        dup2.setName("mine");
        out.line("set name", dup2.getName());
        out.line("topology of world", w.getTopology() == MPI.UNDEFINED);
        out.line("TAG_UB", w.getAttr(MPI.TAG_UB));
        dup2.free();
        out.line("freed comm isNull", dup2.isNull());
        half.free();
        if (!created.isNull())
        {
            created.free();
        }
        if (!none.isNull())
        {
            none.free();
        }

        // Cartesian topology
        final int[] dims = new int[2];
        CartComm.createDims(n, dims);
        out.line("createDims", dims);
        final int[] fixed = {0, 1};
        CartComm.createDims(n, fixed);
        out.line("createDims with a fixed dim", fixed);
        final CartComm cart = w.createCart(dims, new boolean[]{true, false}, false);
        final CartParms cp = cart.getTopo();
        out.line("cart coords", cp.getCoord(0) + "," + cp.getCoord(1) + " dims " + cp.getDimCount());
        final ShiftParms s0 = cart.shift(0, 1);
        final ShiftParms s1 = cart.shift(1, 1);
        out.line("shift dim0", s0.getRankSource() + "->" + s0.getRankDest());
        out.line("shift dim1", s1.getRankSource() + "->" + s1.getRankDest());
        out.line("cart rank of coords", cart.getRank(new int[]{dims[0] - 1, 0}));
        out.line("cart coords of rank", cart.getCoords(n - 1));
        final CartComm rows = cart.sub(new boolean[]{false, true});
        out.line("sub rank/size", rows.getRank() + "/" + rows.getSize());
        out.line("cart topology", cart.getTopology() == MPI.CART);
        // neighbourhood collectives on a torus (Open MPI 4.1.4 writes into the blocks of MPI.PROC_NULL
        // neighbours, which MPI leaves untouched, so the comparison keeps to periodic grids)
        final CartComm torus = w.createCart(dims, new boolean[]{true, true}, false);
        final int[] nbIn = {me};
        final int[] nbOut = new int[4];
        torus.neighborAllGather(nbIn, 1, MPI.INT, nbOut, 1, MPI.INT);
        out.line("cart neighborAllGather", nbOut);
        final int[] a2aIn = {me * 10, me * 10 + 1, me * 10 + 2, me * 10 + 3};
        final int[] a2aOut = new int[4];
        torus.neighborAllToAll(a2aIn, 1, MPI.INT, a2aOut, 1, MPI.INT);
        out.line("cart neighborAllToAll", a2aOut);

        // graph topology: a ring
        final int[] index = new int[n];
        final int[] edges = new int[2 * n];
        for (int r = 0; r < n; r++)
        {
            index[r] = 2 * (r + 1);
            edges[2 * r] = (r + n - 1) % n;
            edges[2 * r + 1] = (r + 1) % n;
        }
        final GraphComm graph = w.createGraph(index, edges, false);
        final GraphParms gp = graph.getDims();
        out.line("graph counts", gp.getIndexCount() + " " + gp.getEdgeCount());
        out.line("graph neighbours", graph.getNeighbors(me));
        out.line("graph topology", graph.getTopology() == MPI.GRAPH);
        final int[] gOut = new int[2];
        graph.neighborAllGather(new int[]{me + 100}, 1, MPI.INT, gOut, 1, MPI.INT);
        out.line("graph neighborAllGather", gOut);
        MPI.Finalize();
    }

    private static int[] evens(final int n)
    {
        final int[] e = new int[(n + 1) / 2];
        for (int i = 0; i < e.length; i++)
        {
            e[i] = 2 * i;
        }
        return e;
    }
}
