package mpi;

/** A Cartesian topology as MPI_Cart_get gives it: dimensions, periodicity, this rank's coordinates. */
public final class CartParms
{
    private final int[] dims;
    private final boolean[] periods;
    private final int[] coords;

    CartParms(final int[] dims, final boolean[] periods, final int[] coords)
    {
        this.dims = dims;
        this.periods = periods;
        this.coords = coords;
    }

    public int getDimCount()
    {
        return dims.length;
    }

    public int getDim(final int i)
    {
        return dims[i];
    }

    public boolean getPeriod(final int i)
    {
        return periods[i];
    }

    public int getCoord(final int i)
    {
        return coords[i];
    }
}
