package mpi;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.topology.CartesianDims;
import dev.ringfold.mpi.topology.CartesianGrid;

import java.util.Arrays;

/** A communicator with a Cartesian grid: ranks in row-major order of their coordinates. */
public final class CartComm extends Intracomm
{
    private final CartesianGrid grid;

    CartComm(final Communicator p2p, final int[] dims, final boolean[] periods)
    {
        this(p2p, new CartesianGrid(dims, periods));
    }

    private CartComm(final Communicator p2p, final CartesianGrid grid)
    {
        super(p2p, "");
        this.grid = grid;
    }

    @Override
    CartComm make(final Communicator communicator)
    {
        return new CartComm(communicator, grid);
    }

    @Override
    public CartComm clone()
    {
        return (CartComm)super.clone();
    }

    @Override
    public CartComm dup() throws MPIException
    {
        return (CartComm)super.dup();
    }

    @Override
    public CartComm iDup() throws MPIException
    {
        return (CartComm)super.iDup();
    }

    @Override
    public CartComm dupWithInfo(final Info info) throws MPIException
    {
        return (CartComm)super.dupWithInfo(info);
    }

    public CartParms getTopo() throws MPIException
    {
        open("MPI_Cart_get");
        return new CartParms(grid.dims(), grid.periods(), grid.coords(p2p.rank()));
    }

    public int getRank(final int[] coords) throws MPIException
    {
        open("MPI_Cart_rank");
        if (coords.length != grid.dimensions())
        {
            throw Errors.raise(this, MPI.ERR_ARG, "MPI_Cart_rank", coords.length + " coordinates for " +
                grid.dimensions() + " dimensions");
        }
        final int d = grid.outsideDimension(coords);
        if (d >= 0)
        {
            throw Errors.raise(this, MPI.ERR_ARG, "MPI_Cart_rank", "coordinate " + coords[d] + " of dimension " + d +
                " is outside [0, " + grid.extent(d) + ") and the dimension is not periodic");
        }
        return grid.rank(coords);
    }

    public int[] getCoords(final int rank) throws MPIException
    {
        open("MPI_Cart_coords");
        rank("MPI_Cart_coords", rank, "rank", false);
        return grid.coords(rank);
    }

    /** The ranks {@code disp} steps down and up dimension {@code direction}; MPI.PROC_NULL past an open edge. */
    public ShiftParms shift(final int direction, final int disp) throws MPIException
    {
        open("MPI_Cart_shift");
        if (direction < 0 || direction >= grid.dimensions())
        {
            throw Errors.raise(this, MPI.ERR_ARG, "MPI_Cart_shift", "direction " + direction + " is not in [0, " +
                grid.dimensions() + ")");
        }
        return new ShiftParms(neighbour(direction, -disp), neighbour(direction, disp));
    }

    private int neighbour(final int direction, final int disp)
    {
        final int n = grid.neighbour(p2p.rank(), direction, disp);
        return n == CartesianGrid.NONE ? MPI.PROC_NULL : n;
    }

    /** MPI's neighbour order of a Cartesian topology: per dimension, the one below, then the one above. */
    int[][] neighbours()
    {
        final int[] nb = new int[2 * grid.dimensions()];
        for (int d = 0; d < grid.dimensions(); d++)
        {
            nb[2 * d] = neighbour(d, -1);
            nb[2 * d + 1] = neighbour(d, 1);
        }
        return new int[][]{nb, nb};
    }

    /** The sub-grids that keep the dimensions marked true: ranks that differ only there. */
    public CartComm sub(final boolean[] remainDims) throws MPIException
    {
        open("MPI_Cart_sub");
        final CartesianGrid.Sub sub = grid.sub(p2p.rank(), remainDims);
        final Communicator s;
        try
        {
            s = p2p.split(sub.colour(), sub.key());
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, "MPI_Cart_sub", ex);
        }
        return derived(new CartComm(s, sub.grid()));
    }

    /** The rank this process would have in such a grid (its own, or MPI.UNDEFINED outside it). */
    public int map(final int[] dims, final boolean[] periods) throws MPIException
    {
        open("MPI_Cart_map");
        return p2p.rank() < CartesianGrid.cells(dims) ? p2p.rank() : MPI.UNDEFINED;
    }

    /**
     * MPI_Dims_create: fills the zero entries of {@code dims} so that the product is {@code nnodes}, as balanced as
     * can be, in non-increasing order (the non-zero entries are kept).
     */
    public static void createDims(final int nnodes, final int[] dims) throws MPIException
    {
        MPI.check();
        int rest = nnodes;
        int free = 0;
        for (final int d : dims)
        {
            if (d < 0)
            {
                throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_DIMS, "MPI_Dims_create", "dimensions must be >= 0, got " +
                    Arrays.toString(dims));
            }
            if (d > 0)
            {
                if (rest % d != 0)
                {
                    throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_DIMS, "MPI_Dims_create", nnodes + " nodes cannot " +
                        "be divided by the fixed dimensions " + Arrays.toString(dims));
                }
                rest /= d;
            }
            else
            {
                free++;
            }
        }
        if (free == 0)
        {
            if (rest != 1)
            {
                throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_DIMS, "MPI_Dims_create", "the dimensions " +
                    Arrays.toString(dims) + " do not multiply to " + nnodes);
            }
            return;
        }
        CartesianDims.fillFree(rest, dims);
    }
}
