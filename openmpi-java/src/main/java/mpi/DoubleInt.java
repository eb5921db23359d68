package mpi;

/** The value-index pair of MPI's {@code MAXLOC}/{@code MINLOC} for {@code double} values, laid out as C does. */
public final class DoubleInt extends Struct
{
    private final int value;
    private final int index;

    DoubleInt()
    {
        value = addDouble();
        setOffset(8);
        index = addInt();
        setOffset(16);
    }

    @Override
    protected Data newData()
    {
        return new Data();
    }

    /** One pair in a buffer. */
    public final class Data extends Struct.Data
    {
        public Data()
        {
        }

        public double getValue()
        {
            return getDouble(value);
        }

        public int getIndex()
        {
            return getInt(index);
        }

        public void putValue(final double v)
        {
            putDouble(value, v);
        }

        public void putIndex(final int i)
        {
            putInt(index, i);
        }
    }
}
