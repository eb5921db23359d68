package dev.ringfold.mpi.topology;

/**
 * A Cartesian grid of processes: ranks in row-major order of their coordinates (the last dimension varies
 * fastest), each dimension periodic or not. Callers check ranks, directions and array lengths before asking.
 */
public final class CartesianGrid
{
    /** What {@link #neighbour} answers past the edge of a non-periodic dimension. */
    public static final int NONE = -1;

    private final int[] dims;
    private final boolean[] periods;

    /** The grid of these extents; the arrays are the grid's from now on. */
    public CartesianGrid(final int[] dims, final boolean[] periods)
    {
        this.dims = dims;
        this.periods = periods;
    }

    /** The number of dimensions. */
    public int dimensions()
    {
        return dims.length;
    }

    /** The extent of dimension {@code d}. */
    public int extent(final int d)
    {
        return dims[d];
    }

    /** A copy of the extents. */
    public int[] dims()
    {
        return dims.clone();
    }

    /** A copy of the periodicity flags. */
    public boolean[] periods()
    {
        return periods.clone();
    }

    /**
     * The first dimension whose coordinate lies outside the grid and does not wrap (the dimension is not periodic),
     * or -1 when {@link #rank} accepts {@code coords}.
     */
    public int outsideDimension(final int[] coords)
    {
        for (int d = 0; d < dims.length; d++)
        {
            if (!periods[d] && (coords[d] < 0 || coords[d] >= dims[d]))
            {
                return d;
            }
        }
        return -1;
    }

    /** The rank at {@code coords}, periodic coordinates wrapped; see {@link #outsideDimension}. */
    public int rank(final int[] coords)
    {
        int rank = 0;
        for (int d = 0; d < dims.length; d++)
        {
            rank = rank * dims[d] + Math.floorMod(coords[d], dims[d]);
        }
        return rank;
    }

    /** The coordinates of {@code rank}, a rank of the grid. */
    public int[] coords(final int rank)
    {
        final int[] coords = new int[dims.length];
        int r = rank;
        for (int d = dims.length - 1; d >= 0; d--)
        {
            coords[d] = r % dims[d];
            r /= dims[d];
        }
        return coords;
    }

    /** The rank {@code disp} steps from {@code rank} along {@code direction}, or {@link #NONE} past an open edge. */
    public int neighbour(final int rank, final int direction, final int disp)
    {
        final int[] coords = coords(rank);
        final int moved = coords[direction] + disp;
        if (!periods[direction] && (moved < 0 || moved >= dims[direction]))
        {
            return NONE;
        }
        coords[direction] = moved;
        return rank(coords);
    }

    /**
     * The sub-grid that keeps the dimensions marked in {@code remain} and holds {@code rank}: the colour and key to
     * split the grid's communicator by (ranks that differ only in the kept dimensions share a colour, ordered as in
     * the sub-grid), and the sub-grid itself.
     */
    public Sub sub(final int rank, final boolean[] remain)
    {
        final int[] coords = coords(rank);
        int colour = 0;
        int key = 0;
        int kept = 0;
        for (int d = 0; d < dims.length; d++)
        {
            if (remain[d])
            {
                key = key * dims[d] + coords[d];
                kept++;
            }
            else
            {
                colour = colour * dims[d] + coords[d];
            }
        }
        final int[] subDims = new int[kept];
        final boolean[] subPeriods = new boolean[kept];
        for (int d = 0, k = 0; d < dims.length; d++)
        {
            if (remain[d])
            {
                subDims[k] = dims[d];
                subPeriods[k++] = periods[d];
            }
        }
        return new Sub(colour, key, new CartesianGrid(subDims, subPeriods));
    }

    /** How many processes a grid of these extents holds. */
    public static long cells(final int[] dims)
    {
        long n = 1;
        for (final int d : dims)
        {
            n *= d;
        }
        return n;
    }

    /** A sub-grid and how to split the grid's communicator into it. */
    public record Sub(int colour, int key, CartesianGrid grid)
    {
    }
}
