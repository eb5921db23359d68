package mpi;

/** The value-index pair of MPI's {@code MAXLOC}/{@code MINLOC} for {@code long} values, laid out as C does. */
public final class LongInt extends Struct
{
    private final int value;
    private final int index;

    LongInt()
    {
        value = addLong();
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

        public long getValue()
        {
            return getLong(value);
        }

        public int getIndex()
        {
            return getInt(index);
        }

        public void putValue(final long v)
        {
            putLong(value, v);
        }

        public void putIndex(final int i)
        {
            putInt(index, i);
        }
    }
}
