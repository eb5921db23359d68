package mpjbuf;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * MPJ Express's explicit-packing buffer: a sequence of typed sections, each a header (type, element count) and
 * its elements, over a {@link RawBuffer}; the first {@link #offset()} bytes are left free, as MPJ Express leaves
 * them for its device. A program writes ({@link #putSectionHeader}, {@code write}), {@link #commit}s, and the
 * reader takes the sections back in order ({@link #getSectionHeader}, {@code read}); {@code Comm.Pack} and
 * {@code Comm.Unpack} write and read one section each, and a Buffer travels as an {@code MPI.PACKED} message
 * (the bytes its sections take). OBJECT sections hold each write's objects serialized, read back write by write.
 * MPJ Express's gather/scatter forms (its derived datatypes' internals) are not here.
 */
public class Buffer
{
    /** A section's header: its type code and its element count, two ints. */
    public static final int SECTION_OVERHEAD = 8;
    /** Sections start at multiples of this many bytes. */
    public static final int ALIGNMENT_UNIT = 8;

    private RawBuffer raw;
    private final int offset;
    private final int capacity;
    private ByteOrder encoding = ByteOrder.nativeOrder();
    private boolean writable = true;
    /** Bytes of sections, from offset. */
    private int size;
    /** The next byte to write or read, from offset. */
    private int position;
    private Type section;
    private int sectionStart = -1;
    private int sectionElements;
    private int elementsLeft;

    public Buffer(final int capacity)
    {
        this(BufferFactory.create(capacity), 0, capacity);
    }

    /** Sections from offset up to capacity (both counted from the raw buffer's start). */
    public Buffer(final RawBuffer raw, final int offset, final int capacity)
    {
        if (offset < 0 || capacity < offset || capacity > raw.getCapacity())
        {
            throw new IllegalArgumentException("Buffer: offset=" + offset + " and capacity=" + capacity +
                " must satisfy 0 <= offset <= capacity <= " + raw.getCapacity() + " (the raw buffer's capacity)");
        }
        this.raw = raw;
        this.offset = offset;
        this.capacity = capacity;
    }

    public int offset()
    {
        return offset;
    }

    public void free()
    {
        raw.free();
    }

    /** Ends writing: the sections can now be read from the first (or sent). */
    public void commit() throws BufferException
    {
        writable = false;
        position = 0;
        section = null;
        elementsLeft = 0;
    }

    /** Empties the buffer for writing again. */
    public void clear() throws BufferException
    {
        writable = true;
        size = 0;
        position = 0;
        section = null;
        sectionStart = -1;
        sectionElements = 0;
        elementsLeft = 0;
    }

    public void putSectionHeader(final Type type) throws BufferException
    {
        checkWritable("putSectionHeader");
        final int start = aligned(position);
        if ((long)offset + start + SECTION_OVERHEAD > capacity)
        {
            throw new BufferOverflowException("putSectionHeader: no room for a section at " + start + " of " +
                (capacity - offset) + " bytes");
        }
        section = type.base();
        sectionStart = start;
        sectionElements = 0;
        view(start, SECTION_OVERHEAD).putInt(type.getCode()).putInt(0);
        position = start + SECTION_OVERHEAD;
        size = position;
    }

    public Type getSectionHeader() throws BufferException
    {
        checkReadable("getSectionHeader");
        final int start = aligned(position);
        if (start + SECTION_OVERHEAD > size)
        {
            throw new BufferUnderflowException("getSectionHeader: no section at " + start + " of the " + size +
                " bytes written");
        }
        final ByteBuffer header = view(start, SECTION_OVERHEAD);
        final Type type = Type.getType(header.getInt());
        section = type.base();
        sectionElements = header.getInt();
        elementsLeft = sectionElements;
        position = start + SECTION_OVERHEAD;
        return type;
    }

    /** Elements in the current section. */
    public int getSectionSize() throws BufferException
    {
        if (section == null)
        {
            throw new WrongStateException("getSectionSize: no current section");
        }
        return sectionElements;
    }

    /** Bytes not read yet (reading), or room left (writing). */
    public int getRemaining() throws BufferException
    {
        return writable ? capacity - offset - position : size - position;
    }

    public RawBuffer getStaticBuffer()
    {
        return raw;
    }

    public void setStaticBuffer(final RawBuffer raw)
    {
        this.raw = raw;
    }

    public ByteOrder getEncoding()
    {
        return encoding;
    }

    public void setEncoding(final ByteOrder encoding)
    {
        this.encoding = encoding;
    }

    /** Bytes of sections (what an MPI.PACKED send of this buffer carries). */
    public int getSize()
    {
        return size;
    }

    /** Sets the bytes of sections, for a buffer filled from outside (a receive). */
    public void setSize(final int size)
    {
        if (size < 0 || (long)offset + size > capacity)
        {
            throw new IllegalArgumentException("setSize: " + size + " bytes do not fit in " + (capacity - offset));
        }
        this.size = size;
    }

    public int getCapacity()
    {
        return capacity;
    }

    public boolean isWritable()
    {
        return writable;
    }

    /**
     * Ringfold's: the array under this buffer, whose bytes from {@link #offset()} an MPI.PACKED message is sent
     * from or received into (MPJ Express's device reaches them its own way).
     */
    public byte[] array()
    {
        return ((HeapRawBuffer)raw).bytes();
    }

    public void write(final byte[] source, final int srcOff, final int numEls) throws BufferException
    {
        room(Type.BYTE, numEls).put(source, srcOff, numEls);
    }

    public void read(final byte[] dest, final int dstOff, final int numEls) throws BufferException
    {
        taken(Type.BYTE, numEls).get(dest, dstOff, numEls);
    }

    public void write(final char[] source, final int srcOff, final int numEls) throws BufferException
    {
        room(Type.CHAR, numEls).asCharBuffer().put(source, srcOff, numEls);
    }

    public void read(final char[] dest, final int dstOff, final int numEls) throws BufferException
    {
        taken(Type.CHAR, numEls).asCharBuffer().get(dest, dstOff, numEls);
    }

    public void write(final short[] source, final int srcOff, final int numEls) throws BufferException
    {
        room(Type.SHORT, numEls).asShortBuffer().put(source, srcOff, numEls);
    }

    public void read(final short[] dest, final int dstOff, final int numEls) throws BufferException
    {
        taken(Type.SHORT, numEls).asShortBuffer().get(dest, dstOff, numEls);
    }

    public void write(final int[] source, final int srcOff, final int numEls) throws BufferException
    {
        room(Type.INT, numEls).asIntBuffer().put(source, srcOff, numEls);
    }

    public void read(final int[] dest, final int dstOff, final int numEls) throws BufferException
    {
        taken(Type.INT, numEls).asIntBuffer().get(dest, dstOff, numEls);
    }

    public void write(final long[] source, final int srcOff, final int numEls) throws BufferException
    {
        room(Type.LONG, numEls).asLongBuffer().put(source, srcOff, numEls);
    }

    public void read(final long[] dest, final int dstOff, final int numEls) throws BufferException
    {
        taken(Type.LONG, numEls).asLongBuffer().get(dest, dstOff, numEls);
    }

    public void write(final float[] source, final int srcOff, final int numEls) throws BufferException
    {
        room(Type.FLOAT, numEls).asFloatBuffer().put(source, srcOff, numEls);
    }

    public void read(final float[] dest, final int dstOff, final int numEls) throws BufferException
    {
        taken(Type.FLOAT, numEls).asFloatBuffer().get(dest, dstOff, numEls);
    }

    public void write(final double[] source, final int srcOff, final int numEls) throws BufferException
    {
        room(Type.DOUBLE, numEls).asDoubleBuffer().put(source, srcOff, numEls);
    }

    public void read(final double[] dest, final int dstOff, final int numEls) throws BufferException
    {
        taken(Type.DOUBLE, numEls).asDoubleBuffer().get(dest, dstOff, numEls);
    }

    public void write(final boolean[] source, final int srcOff, final int numEls) throws BufferException
    {
        final ByteBuffer to = room(Type.BOOLEAN, numEls);
        for (int i = 0; i < numEls; i++)
        {
            to.put(source[srcOff + i] ? (byte)1 : (byte)0);
        }
    }

    public void read(final boolean[] dest, final int dstOff, final int numEls) throws BufferException
    {
        final ByteBuffer from = taken(Type.BOOLEAN, numEls);
        for (int i = 0; i < numEls; i++)
        {
            dest[dstOff + i] = from.get() != 0;
        }
    }

    /** Serializes the objects as one chunk of the OBJECT section (a read takes back one chunk). */
    public void write(final Object[] source, final int srcOff, final int numEls) throws BufferException
    {
        final byte[] bytes;
        try (ByteArrayOutputStream out = new ByteArrayOutputStream();
            ObjectOutputStream objects = new ObjectOutputStream(out))
        {
            objects.writeObject(Arrays.copyOfRange(source, srcOff, srcOff + numEls));
            objects.flush();
            bytes = out.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new BufferException("write: objects that cannot be serialized: " + ex.getMessage(), ex);
        }
        checkSection("write", Type.OBJECT);
        view(reserve(Integer.BYTES + bytes.length), Integer.BYTES + bytes.length).putInt(bytes.length).put(bytes);
        addElements(numEls);
    }

    public void read(final Object[] dest, final int dstOff, final int numEls) throws BufferException
    {
        checkReadable("read");
        checkSection("read", Type.OBJECT);
        if (position + Integer.BYTES > size)
        {
            throw new BufferUnderflowException("read: no objects left in the section");
        }
        final int length = view(position, Integer.BYTES).getInt();
        if (position + Integer.BYTES + length > size)
        {
            throw new BufferUnderflowException("read: a chunk of " + length + " bytes passes the end");
        }
        final Object[] chunk;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(array(),
            offset + position + Integer.BYTES, length)))
        {
            chunk = (Object[])in.readObject();
        }
        catch (final IOException | ClassNotFoundException ex)
        {
            throw new BufferException("read: objects that cannot be deserialized: " + ex.getMessage(), ex);
        }
        if (chunk.length != numEls)
        {
            throw new SectionSizeMismatchException("read: " + numEls + " objects asked for, the chunk written holds " +
                chunk.length);
        }
        System.arraycopy(chunk, 0, dest, dstOff, numEls);
        position += Integer.BYTES + length;
        elementsLeft -= numEls;
    }

    // ----------------------------------------------------------------------------------------------- internals

    /** Where numEls elements of type go in the current section, which grows by them. */
    private ByteBuffer room(final Type type, final int numEls) throws BufferException
    {
        checkSection("write", type);
        final int bytes = numEls * type.bytes;
        final ByteBuffer to = view(reserve(bytes), bytes);
        addElements(numEls);
        return to;
    }

    /** Where the next numEls elements of type are read from. */
    private ByteBuffer taken(final Type type, final int numEls) throws BufferException
    {
        checkReadable("read");
        checkSection("read", type);
        if (numEls > elementsLeft)
        {
            throw new BufferUnderflowException("read: " + numEls + " elements asked for, " + elementsLeft +
                " left in the " + section + " section");
        }
        final int bytes = numEls * type.bytes;
        final ByteBuffer from = view(position, bytes);
        position += bytes;
        elementsLeft -= numEls;
        return from;
    }

    private int reserve(final int bytes) throws BufferException
    {
        checkWritable("write");
        if ((long)offset + position + bytes > capacity)
        {
            throw new BufferOverflowException("write: " + bytes + " bytes do not fit, " +
                (capacity - offset - position) + " are left");
        }
        final int at = position;
        position += bytes;
        size = position;
        return at;
    }

    private void addElements(final int numEls)
    {
        sectionElements += numEls;
        view(sectionStart + Integer.BYTES, Integer.BYTES).putInt(sectionElements);
    }

    private void checkSection(final String what, final Type type) throws BufferException
    {
        if (section == null)
        {
            throw new WrongStateException(what + ": no section (putSectionHeader or getSectionHeader first)");
        }
        if (section != type)
        {
            throw new TypeMismatchException(what + ": " + type + " elements in a " + section + " section");
        }
    }

    private void checkWritable(final String what) throws BufferException
    {
        if (!writable)
        {
            throw new WrongStateException(what + ": the buffer is committed (clear it to write again)");
        }
    }

    private void checkReadable(final String what) throws BufferException
    {
        if (writable)
        {
            throw new WrongStateException(what + ": the buffer is still being written (commit it first)");
        }
    }

    private ByteBuffer view(final int at, final int length)
    {
        return ByteBuffer.wrap(array(), offset + at, length).slice().order(encoding);
    }

    private static int aligned(final int at)
    {
        return (at + ALIGNMENT_UNIT - 1) / ALIGNMENT_UNIT * ALIGNMENT_UNIT;
    }
}
