package mpi;

/** The value-index pair of MPI's {@code MAXLOC}/{@code MINLOC} for {@code int} values, laid out as C does. */
public final class Int2 extends Struct
{
    private final int value;
    private final int index;

    Int2()
    {
        value = addInt();
        setOffset(4);
        index = addInt();
        setOffset(8);
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

        public int getValue()
        {
            return getInt(value);
        }

        public int getIndex()
        {
            return getInt(index);
        }

        public void putValue(final int v)
        {
            putInt(value, v);
        }

        public void putIndex(final int i)
        {
            putInt(index, i);
        }
    }
}
