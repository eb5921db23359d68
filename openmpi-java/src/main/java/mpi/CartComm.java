package mpi;

import dev.ringfold.mpi.CartesianDims;
import dev.ringfold.mpi.Communicator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A communicator with a Cartesian grid: ranks in row-major order of their coordinates. */
public final class CartComm extends Intracomm
{
    private final int[] dims;
    private final boolean[] periods;

    CartComm(final Communicator p2p, final int[] dims, final boolean[] periods)
    {
        super(p2p, "");
        this.dims = dims;
        this.periods = periods;
    }

    @Override
    CartComm make(final Communicator communicator)
    {
        return new CartComm(communicator, dims, periods);
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
        return new CartParms(dims.clone(), periods.clone(), coords(p2p.rank()));
    }

    public int getRank(final int[] coords) throws MPIException
    {
        open("MPI_Cart_rank");
        if (coords.length != dims.length)
        {
            throw Errors.raise(this, MPI.ERR_ARG, "MPI_Cart_rank", coords.length + " coordinates for " +
                dims.length + " dimensions");
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
                throw Errors.raise(this, MPI.ERR_ARG, "MPI_Cart_rank", "coordinate " + c + " of dimension " + d +
                    " is outside [0, " + dims[d] + ") and the dimension is not periodic");
            }
            rank = rank * dims[d] + c;
        }
        return rank;
    }

    public int[] getCoords(final int rank) throws MPIException
    {
        open("MPI_Cart_coords");
        rank("MPI_Cart_coords", rank, "rank", false);
        return coords(rank);
    }

    private int[] coords(final int rank)
    {
        final int[] c = new int[dims.length];
        int r = rank;
        for (int d = dims.length - 1; d >= 0; d--)
        {
            c[d] = r % dims[d];
            r /= dims[d];
        }
        return c;
    }

    /** The ranks {@code disp} steps down and up dimension {@code direction}; MPI.PROC_NULL past an open edge. */
    public ShiftParms shift(final int direction, final int disp) throws MPIException
    {
        open("MPI_Cart_shift");
        if (direction < 0 || direction >= dims.length)
        {
            throw Errors.raise(this, MPI.ERR_ARG, "MPI_Cart_shift", "direction " + direction + " is not in [0, " +
                dims.length + ")");
        }
        return new ShiftParms(neighbour(direction, -disp), neighbour(direction, disp));
    }

    private int neighbour(final int direction, final int disp)
    {
        final int[] c = coords(p2p.rank());
        final int moved = c[direction] + disp;
        if (!periods[direction] && (moved < 0 || moved >= dims[direction]))
        {
            return MPI.PROC_NULL;
        }
        c[direction] = Math.floorMod(moved, dims[direction]);
        int rank = 0;
        for (int d = 0; d < dims.length; d++)
        {
            rank = rank * dims[d] + c[d];
        }
        return rank;
    }

    /** MPI's neighbour order of a Cartesian topology: per dimension, the one below, then the one above. */
    int[][] neighbours()
    {
        final int[] nb = new int[2 * dims.length];
        for (int d = 0; d < dims.length; d++)
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
        final int[] c = coords(p2p.rank());
        int colour = 0;
        int key = 0;
        final List<Integer> keptDims = new ArrayList<>();
        final List<Boolean> keptPeriods = new ArrayList<>();
        for (int d = 0; d < dims.length; d++)
        {
            if (remainDims[d])
            {
                key = key * dims[d] + c[d];
                keptDims.add(dims[d]);
                keptPeriods.add(periods[d]);
            }
            else
            {
                colour = colour * dims[d] + c[d];
            }
        }
        final Communicator s;
        try
        {
            s = p2p.split(colour, key);
        }
        catch (final RuntimeException ex)
        {
            throw Errors.raise(this, "MPI_Cart_sub", ex);
        }
        final boolean[] p = new boolean[keptPeriods.size()];
        for (int i = 0; i < p.length; i++)
        {
            p[i] = keptPeriods.get(i);
        }
        return derived(new CartComm(s, keptDims.stream().mapToInt(Integer::intValue).toArray(), p));
    }

    /** The rank this process would have in such a grid (its own, or MPI.UNDEFINED outside it). */
    public int map(final int[] dims, final boolean[] periods) throws MPIException
    {
        open("MPI_Cart_map");
        long n = 1;
        for (final int d : dims)
        {
            n *= d;
        }
        return p2p.rank() < n ? p2p.rank() : MPI.UNDEFINED;
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
