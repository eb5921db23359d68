package mpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A C-like struct laid out field by field (each at the extent so far, or where {@link #setOffset} puts it), whose
 * datatype is made on first use; {@link Data} reads and writes one struct of a buffer. As Open MPI's.
 */
public abstract class Struct
{
    private int extent;
    private final List<Object[]> fields = new ArrayList<>();
    private Datatype datatype;

    public Struct()
    {
    }

    private void commit() throws MPIException
    {
        if (datatype != null)
        {
            return;
        }
        final int n = fields.size();
        final Datatype[] types = new Datatype[n];
        final int[] offsets = new int[n];
        final int[] lengths = new int[n];
        for (int i = 0; i < n; i++)
        {
            final Object[] f = fields.get(i);
            types[i] = f[0] instanceof Struct s ? s.datatype : (Datatype)f[0];
            offsets[i] = (Integer)f[1];
            lengths[i] = (Integer)f[2];
        }
        datatype = Datatype.createStruct(lengths, offsets, types);
        datatype.commit();
        extent = datatype.getExtent();
    }

    public final int getExtent() throws MPIException
    {
        commit();
        return extent;
    }

    public final Datatype getType() throws MPIException
    {
        commit();
        return datatype;
    }

    protected abstract Data newData();

    @SuppressWarnings("unchecked")
    private <T extends Data> T newData(final ByteBuffer buffer, final int offset)
    {
        final Data d = newData();
        d.buffer = buffer;
        d.offset = offset;
        return (T)d;
    }

    public final <T extends Data> T getData(final ByteBuffer buffer) throws MPIException
    {
        commit();
        return newData(buffer, 0);
    }

    public final <T extends Data> T getData(final ByteBuffer buffer, final int index) throws MPIException
    {
        commit();
        return newData(buffer, index * extent);
    }

    public final <T extends Data> T getData(final byte[] array) throws MPIException
    {
        return getData(ByteBuffer.wrap(array).order(ByteOrder.nativeOrder()));
    }

    public final <T extends Data> T getData(final byte[] array, final int index) throws MPIException
    {
        return getData(ByteBuffer.wrap(array).order(ByteOrder.nativeOrder()), index);
    }

    private int addField(final Object type, final int typeExtent, final int length)
    {
        if (datatype != null)
        {
            throw new AssertionError("The struct data type was committed.");
        }
        final int offset = extent;
        extent += typeExtent * length;
        fields.add(new Object[]{type, offset, length});
        return offset;
    }

    public final Struct setOffset(final int offset)
    {
        if (datatype != null)
        {
            throw new AssertionError("The struct data type was committed.");
        }
        if (offset < extent)
        {
            throw new IllegalArgumentException("The offset must be greater or equal to the accumulated extent.");
        }
        extent = offset;
        return this;
    }

    public final int addByte()
    {
        return addByte(1);
    }

    public final int addByte(final int length)
    {
        return addField(MPI.BYTE, 1, length);
    }

    public final int addChar()
    {
        return addChar(1);
    }

    public final int addChar(final int length)
    {
        return addField(MPI.CHAR, 2, length);
    }

    public final int addShort()
    {
        return addShort(1);
    }

    public final int addShort(final int length)
    {
        return addField(MPI.SHORT, 2, length);
    }

    public final int addInt()
    {
        return addInt(1);
    }

    public final int addInt(final int length)
    {
        return addField(MPI.INT, 4, length);
    }

    public final int addLong()
    {
        return addLong(1);
    }

    public final int addLong(final int length)
    {
        return addField(MPI.LONG, 8, length);
    }

    public final int addFloat()
    {
        return addFloat(1);
    }

    public final int addFloat(final int length)
    {
        return addField(MPI.FLOAT, 4, length);
    }

    public final int addDouble()
    {
        return addDouble(1);
    }

    public final int addDouble(final int length)
    {
        return addField(MPI.DOUBLE, 8, length);
    }

    public final int addStruct(final Struct struct) throws MPIException
    {
        return addStruct(struct, 1);
    }

    public final int addStruct(final Struct struct, final int length) throws MPIException
    {
        struct.commit();
        return addField(struct, struct.extent, length);
    }

    public final int addData(final Datatype type) throws MPIException
    {
        return addData(type, 1);
    }

    public final int addData(final Datatype type, final int length) throws MPIException
    {
        return addField(type, type.getExtent() * type.baseSize, length);
    }

    /** One struct in a buffer: the accessors take a field's offset (what the add methods returned). */
    public abstract class Data
    {
        private ByteBuffer buffer;
        private int offset;

        public Data()
        {
        }

        public final ByteBuffer getBuffer()
        {
            return offset == 0 ? buffer : MPI.slice(buffer, offset);
        }

        protected final byte getByte(final int field)
        {
            return buffer.get(offset + field);
        }

        protected final byte getByte(final int field, final int index)
        {
            return buffer.get(offset + field + index * 1);
        }

        protected final void putByte(final int field, final byte v)
        {
            buffer.put(offset + field, v);
        }

        protected final void putByte(final int field, final int index, final byte v)
        {
            buffer.put(offset + field + index * 1, v);
        }

        protected final char getChar(final int field)
        {
            return buffer.getChar(offset + field);
        }

        protected final char getChar(final int field, final int index)
        {
            return buffer.getChar(offset + field + index * 2);
        }

        protected final void putChar(final int field, final char v)
        {
            buffer.putChar(offset + field, v);
        }

        protected final void putChar(final int field, final int index, final char v)
        {
            buffer.putChar(offset + field + index * 2, v);
        }

        protected final short getShort(final int field)
        {
            return buffer.getShort(offset + field);
        }

        protected final short getShort(final int field, final int index)
        {
            return buffer.getShort(offset + field + index * 2);
        }

        protected final void putShort(final int field, final short v)
        {
            buffer.putShort(offset + field, v);
        }

        protected final void putShort(final int field, final int index, final short v)
        {
            buffer.putShort(offset + field + index * 2, v);
        }

        protected final int getInt(final int field)
        {
            return buffer.getInt(offset + field);
        }

        protected final int getInt(final int field, final int index)
        {
            return buffer.getInt(offset + field + index * 4);
        }

        protected final void putInt(final int field, final int v)
        {
            buffer.putInt(offset + field, v);
        }

        protected final void putInt(final int field, final int index, final int v)
        {
            buffer.putInt(offset + field + index * 4, v);
        }

        protected final long getLong(final int field)
        {
            return buffer.getLong(offset + field);
        }

        protected final long getLong(final int field, final int index)
        {
            return buffer.getLong(offset + field + index * 8);
        }

        protected final void putLong(final int field, final long v)
        {
            buffer.putLong(offset + field, v);
        }

        protected final void putLong(final int field, final int index, final long v)
        {
            buffer.putLong(offset + field + index * 8, v);
        }

        protected final float getFloat(final int field)
        {
            return buffer.getFloat(offset + field);
        }

        protected final float getFloat(final int field, final int index)
        {
            return buffer.getFloat(offset + field + index * 4);
        }

        protected final void putFloat(final int field, final float v)
        {
            buffer.putFloat(offset + field, v);
        }

        protected final void putFloat(final int field, final int index, final float v)
        {
            buffer.putFloat(offset + field + index * 4, v);
        }

        protected final double getDouble(final int field)
        {
            return buffer.getDouble(offset + field);
        }

        protected final double getDouble(final int field, final int index)
        {
            return buffer.getDouble(offset + field + index * 8);
        }

        protected final void putDouble(final int field, final double v)
        {
            buffer.putDouble(offset + field, v);
        }

        protected final void putDouble(final int field, final int index, final double v)
        {
            buffer.putDouble(offset + field + index * 8, v);
        }

        protected final <S extends Struct, D extends Data> D getData(final S struct, final int field)
        {
            return ((Struct)struct).newData(buffer, offset + field);
        }

        protected final <S extends Struct, D extends Data> D getData(final S struct, final int field,
            final int index)
        {
            return ((Struct)struct).newData(buffer, offset + field + index * ((Struct)struct).extent);
        }

        protected final ByteBuffer getBuffer(final Datatype type, final int field)
        {
            return MPI.slice(buffer, offset + field);
        }

        protected final ByteBuffer getBuffer(final Datatype type, final int field, final int index)
            throws MPIException
        {
            return MPI.slice(buffer, offset + field + index * type.getExtent() * type.baseSize);
        }
    }
}
