package mpi;

import dev.ringfold.mpi.CartesianDims;
import dev.ringfold.mpi.Communicator;

import java.util.Arrays;

/** A communicator with a Cartesian grid, ranks in row-major order (the last dimension varies fastest). */
public class Cartcomm extends Intracomm
{
    private final int[] dims;
    private final boolean[] periods;

    Cartcomm(final Communicator communicator, final int[] dims, final boolean[] periods)
    {
        super(communicator);
        this.dims = dims;
        this.periods = periods;
    }

    @Override
    public Object clone() throws MPIException
    {
        checkOpen("clone");
        return new Cartcomm(p2p().dup(), dims.clone(), periods.clone());
    }

    public CartParms Get() throws MPIException
    {
        final CartParms p = new CartParms();
        p.dims = dims.clone();
        p.periods = periods.clone();
        p.coords = Coords(Rank());
        return p;
    }

    public int Rank(final int[] coords) throws MPIException
    {
        if (coords.length != dims.length)
        {
            throw new MPIException("Cartcomm.Rank: " + coords.length + " coordinates for " + dims.length + " dimensions");
        }
        int rank = 0;
        for (int d = 0; d < dims.length; d++)
        {
            int c = coords[d];
            if (periods[d])
            {
                c = Math.floorMod(c, dims[d]);
            }
            else if (c < 0 || c >= dims[d])
            {
                throw new MPIException("Cartcomm.Rank: coordinate " + c + " of non-periodic dimension " + d +
                    " is outside [0, " + dims[d] + ")");
            }
            rank = rank * dims[d] + c;
        }
        return rank;
    }

    public int[] Coords(final int rank) throws MPIException
    {
        if (rank < 0 || rank >= Size())
        {
            throw new MPIException("Cartcomm.Coords: rank " + rank + " is outside [0, " + Size() + ")");
        }
        final int[] coords = new int[dims.length];
        int r = rank;
        for (int d = dims.length - 1; d >= 0; d--)
        {
            coords[d] = r % dims[d];
            r /= dims[d];
        }
        return coords;
    }

    public ShiftParms Shift(final int direction, final int disp) throws MPIException
    {
        if (direction < 0 || direction >= dims.length)
        {
            throw new MPIException("Cartcomm.Shift: direction " + direction + " is outside [0, " + dims.length + ")");
        }
        final int[] coords = Coords(Rank());
        final ShiftParms p = new ShiftParms();
        p.rank_dest = neighbour(coords, direction, disp);
        p.rank_source = neighbour(coords, direction, -disp);
        return p;
    }

    private int neighbour(final int[] coords, final int direction, final int disp)
    {
        final int[] c = coords.clone();
        c[direction] += disp;
        if (!periods[direction] && (c[direction] < 0 || c[direction] >= dims[direction]))
        {
            return MPI.PROC_NULL;
        }
        return Rank(c);
    }

    /** The sub-grid of the kept dimensions that holds this process. */
    public Cartcomm Sub(final boolean[] remainDims) throws MPIException
    {
        if (remainDims.length != dims.length)
        {
            throw new MPIException("Cartcomm.Sub: " + remainDims.length + " flags for " + dims.length + " dimensions");
        }
        final int[] coords = Coords(Rank());
        int color = 0;
        int key = 0;
        int kept = 0;
        for (int d = 0; d < dims.length; d++)
        {
            if (remainDims[d])
            {
                key = key * dims[d] + coords[d];
                kept++;
            }
            else
            {
                color = color * dims[d] + coords[d];
            }
        }
        final int[] subDims = new int[kept];
        final boolean[] subPeriods = new boolean[kept];
        for (int d = 0, k = 0; d < dims.length; d++)
        {
            if (remainDims[d])
            {
                subDims[k] = dims[d];
                subPeriods[k++] = periods[d];
            }
        }
        return new Cartcomm(p2p().split(color, key), subDims, subPeriods);
    }

    public int Map(final int[] dims, final boolean[] periods) throws MPIException
    {
        int n = 1;
        for (final int d : dims)
        {
            n *= d;
        }
        return Rank() < n ? Rank() : MPI.UNDEFINED;
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
