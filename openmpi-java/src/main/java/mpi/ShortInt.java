package mpi;

/** The value-index pair of MPI's {@code MAXLOC}/{@code MINLOC} for {@code short} values, laid out as C does. */
public final class ShortInt extends Struct
{
    private final int value;
    private final int index;

    ShortInt()
    {
        value = addShort();
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

        public short getValue()
        {
            return getShort(value);
        }

        public int getIndex()
        {
            return getInt(index);
        }

        public void putValue(final short v)
        {
            putShort(value, v);
        }

        public void putIndex(final int i)
        {
            putInt(index, i);
        }
    }
}
