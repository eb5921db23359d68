package mpi;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.topology.CartesianDims;
import dev.ringfold.mpi.topology.CartesianGrid;

import java.util.Arrays;

/** A communicator with a Cartesian grid, ranks in row-major order (the last dimension varies fastest). */
public class Cartcomm extends Intracomm
{
    private final CartesianGrid grid;

    Cartcomm(final Communicator communicator, final int[] dims, final boolean[] periods)
    {
        this(communicator, new CartesianGrid(dims, periods));
    }

    private Cartcomm(final Communicator communicator, final CartesianGrid grid)
    {
        super(communicator);
        this.grid = grid;
    }

    @Override
    public Object clone() throws MPIException
    {
        checkOpen("clone");
        return new Cartcomm(p2p().dup(), grid.dims(), grid.periods());
    }

    public CartParms Get() throws MPIException
    {
        final CartParms p = new CartParms();
        p.dims = grid.dims();
        p.periods = grid.periods();
        p.coords = Coords(Rank());
        return p;
    }

    public int Rank(final int[] coords) throws MPIException
    {
        if (coords.length != grid.dimensions())
        {
            throw new MPIException("Cartcomm.Rank: " + coords.length + " coordinates for " + grid.dimensions() +
                " dimensions");
        }
        final int d = grid.outsideDimension(coords);
        if (d >= 0)
        {
            throw new MPIException("Cartcomm.Rank: coordinate " + coords[d] + " of non-periodic dimension " + d +
                " is outside [0, " + grid.extent(d) + ")");
        }
        return grid.rank(coords);
    }

    public int[] Coords(final int rank) throws MPIException
    {
        if (rank < 0 || rank >= Size())
        {
            throw new MPIException("Cartcomm.Coords: rank " + rank + " is outside [0, " + Size() + ")");
        }
        return grid.coords(rank);
    }

    public ShiftParms Shift(final int direction, final int disp) throws MPIException
    {
        if (direction < 0 || direction >= grid.dimensions())
        {
            throw new MPIException("Cartcomm.Shift: direction " + direction + " is outside [0, " +
                grid.dimensions() + ")");
        }
        final ShiftParms p = new ShiftParms();
        p.rank_dest = neighbour(direction, disp);
        p.rank_source = neighbour(direction, -disp);
        return p;
    }

    private int neighbour(final int direction, final int disp)
    {
        final int n = grid.neighbour(Rank(), direction, disp);
        return n == CartesianGrid.NONE ? MPI.PROC_NULL : n;
    }

    /** The sub-grid of the kept dimensions that holds this process. */
    public Cartcomm Sub(final boolean[] remainDims) throws MPIException
    {
        if (remainDims.length != grid.dimensions())
        {
            throw new MPIException("Cartcomm.Sub: " + remainDims.length + " flags for " + grid.dimensions() +
                " dimensions");
        }
        final CartesianGrid.Sub sub = grid.sub(Rank(), remainDims);
        return new Cartcomm(p2p().split(sub.colour(), sub.key()), sub.grid());
    }

    public int Map(final int[] dims, final boolean[] periods) throws MPIException
    {
        return Rank() < CartesianGrid.cells(dims) ? Rank() : MPI.UNDEFINED;
    }

    @Override
    public int Topo_test() throws MPIException
    {
        return MPI.CART;
    }

    /**
     * Fills the zero entries of dims with a balanced factorisation of nnodes, largest first; preset non-zero
     * entries are kept (MPJ Express 0.44 overwrites them).
     */
    public static void Dims_create(final int nnodes, final int[] dims) throws MPIException
    {
        int fixed = 1;
        int free = 0;
        for (final int d : dims)
        {
            if (d < 0)
            {
                throw new MPIException("Dims_create: dims " + Arrays.toString(dims) + " has a negative entry");
            }
            if (d > 0)
            {
                fixed *= d;
            }
            else
            {
                free++;
            }
        }
        if (nnodes % fixed != 0)
        {
            throw new MPIException("Dims_create: " + nnodes + " nodes cannot fill the preset dims " + Arrays.toString(dims));
        }
        if (free == 0)
        {
            if (fixed != nnodes)
            {
                throw new MPIException("Dims_create: dims " + Arrays.toString(dims) + " hold " + fixed + " nodes, not " + nnodes);
            }
            return;
        }
        CartesianDims.fillFree(nnodes / fixed, dims);
    }
}
