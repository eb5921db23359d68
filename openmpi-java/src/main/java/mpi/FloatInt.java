package mpi;

/** The value-index pair of MPI's {@code MAXLOC}/{@code MINLOC} for {@code float} values, laid out as C does. */
public final class FloatInt extends Struct
{
    private final int value;
    private final int index;

    FloatInt()
    {
        value = addFloat();
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

        public float getValue()
        {
            return getFloat(value);
        }

        public int getIndex()
        {
            return getInt(index);
        }

        public void putValue(final float v)
        {
            putFloat(value, v);
        }

        public void putIndex(final int i)
        {
            putInt(index, i);
        }
    }
}
