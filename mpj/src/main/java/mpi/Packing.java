package mpi;

import org.agrona.UnsafeApi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves the base elements a datatype selects between a Java array and packed bytes (native byte order, the
 * layout Ringfold's own array sends use), in runs of consecutive elements. OBJECT elements are serialized.
 * Every index is checked before memory is touched.
 */
final class Packing
{
    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private Packing()
    {
    }

    /**
     * The bytes of count items as one slice of the user's array, where they already lie back to back in the packed
     * layout (a dense datatype over any primitive array but boolean[], which no memory segment views): Ringfold
     * then sends from and receives into the array itself, with no packing copy. Null where they must be packed.
     */
    static MemorySegment contiguous(final Object buf, final int offset, final int count, final Datatype type)
    {
        if (count == 0 || type.elements() == 0 || type.isObject() || !type.isDense())
        {
            return null;
        }
        final MemorySegment whole = arraySegment(buf);
        if (whole == null)
        {
            return null;
        }
        final long es = type.baseBytes();
        return whole.asSlice(((long)offset + type.runStart[0]) * es, packedBytes(count, type));
    }

    /**
     * A segment over the whole primitive array, null for boolean[] and anything else. Tests of the array's class, not
     * a pattern switch: the first pattern switch a JVM runs has a class spun for it (SwitchBootstraps, with the
     * ClassFile API), 12–20 ms that a job's first message would pay (BENCHMARKS.md, "The stencil's steady state").
     */
    static MemorySegment arraySegment(final Object buf)
    {
        if (buf instanceof double[] a)
        {
            return MemorySegment.ofArray(a);
        }
        if (buf instanceof float[] a)
        {
            return MemorySegment.ofArray(a);
        }
        if (buf instanceof int[] a)
        {
            return MemorySegment.ofArray(a);
        }
        if (buf instanceof long[] a)
        {
            return MemorySegment.ofArray(a);
        }
        if (buf instanceof byte[] a)
        {
            return MemorySegment.ofArray(a);
        }
        if (buf instanceof short[] a)
        {
            return MemorySegment.ofArray(a);
        }
        return buf instanceof char[] a ? MemorySegment.ofArray(a) : null;
    }

    /** Bytes that count items of the type occupy packed (not for OBJECT). */
    static int packedBytes(final int count, final Datatype type)
    {
        if (type.elements() == 0 && !type.isObject())
        {
            // a type of size zero selects no bytes: its message carries the item count alone, so that the receiver's
            // Status.Get_count says how many came (what MPJ Express's message header tells its receivers)
            return count == 0 ? 0 : Integer.BYTES;
        }
        final long bytes = (long)count * type.elements() * type.baseBytes();
        if (bytes > Integer.MAX_VALUE - 64)
        {
            throw new MPIException(count + " items of " + type + " are " + bytes + " bytes, more than one message holds");
        }
        return (int)bytes;
    }

    /** Checks that buf is the right kind of array and holds every element count items at offset select. */
    static void check(final String what, final Object buf, final int offset, final int count, final Datatype type)
    {
        if (type == null)
        {
            throw new MPIException(what + ": the datatype is null");
        }
        if (count < 0)
        {
            throw new MPIException(what + ": count=" + count + " must be >= 0");
        }
        if (count == 0 || type.elements() == 0)
        {
            return;
        }
        final Class<?> expected = Datatype.arrayClass(type.baseType);
        if (buf == null || expected == null ||
            !(expected == Object[].class ? buf instanceof Object[] : expected.isInstance(buf)))
        {
            throw new MPIException(what + ": datatype " + type + " needs a " +
                (expected == null ? "different datatype" : expected.getSimpleName()) + " buffer, not " +
                (buf == null ? "null" : buf.getClass().getSimpleName()));
        }
        final long first = (long)offset + type.minDisplacement;
        final long last = (long)offset + (long)(count - 1) * type.extent() + type.maxDisplacement;
        final int length = java.lang.reflect.Array.getLength(buf);
        if (first < 0 || last >= length || offset < 0)
        {
            throw new MPIException(what + ": " + count + " items of " + type + " at offset " + offset +
                " reach elements [" + first + ", " + last + "] of a buffer of " + length);
        }
    }

    /** Packs into dst from dstPosition; returns the bytes written. */
    static int pack(final Object buf, final int offset, final int count, final Datatype type, final byte[] dst,
        final int dstPosition)
    {
        return pack(buf, offset, count, type, dst, BYTE_BASE + dstPosition);
    }

    /** Packs to an address: in dstBase (a byte[]), or off-heap when dstBase is null. */
    static int pack(final Object buf, final int offset, final int count, final Datatype type, final Object dstBase,
        final long dstAddress)
    {
        if (type.elements() == 0)
        {
            UnsafeApi.putInt(dstBase, dstAddress, count);
            return Integer.BYTES;
        }
        final int es = type.baseBytes();
        final long base = UnsafeApi.arrayBaseOffset(buf.getClass());
        if (type.isDense())
        {
            final long bytes = (long)count * type.elements() * es;
            UnsafeApi.copyMemory(buf, base + ((long)offset + type.runStart[0]) * es, dstBase, dstAddress, bytes);
            return (int)bytes;
        }
        long to = dstAddress;
        for (int i = 0; i < count; i++)
        {
            final long item = offset + (long)i * type.extent();
            for (int r = 0; r < type.runStart.length; r++)
            {
                final long bytes = (long)type.runLength[r] * es;
                UnsafeApi.copyMemory(buf, base + (item + type.runStart[r]) * es, dstBase, to, bytes);
                to += bytes;
            }
        }
        return (int)(to - dstAddress);
    }

    /**
     * Unpacks at most count items (fewer, and a partial last one, if fewer bytes came) from an address in srcBase
     * (a byte[]) or off-heap (srcBase null); returns elements, or for a type of size zero the items sent.
     */
    static int unpack(final Object srcBase, final long srcAddress, final int bytes, final Object buf,
        final int offset, final int count, final Datatype type)
    {
        if (type.elements() == 0)
        {
            return bytes < Integer.BYTES ? 0 : UnsafeApi.getInt(srcBase, srcAddress);
        }
        final int es = type.baseBytes();
        final long base = UnsafeApi.arrayBaseOffset(buf.getClass());
        long left = Math.min(bytes, (long)count * type.elements() * es);
        if (type.isDense())
        {
            UnsafeApi.copyMemory(srcBase, srcAddress, buf, base + ((long)offset + type.runStart[0]) * es, left);
            return (int)(left / es);
        }
        long from = srcAddress;
        int elements = 0;
        for (int i = 0; i < count && left > 0; i++)
        {
            final long item = offset + (long)i * type.extent();
            for (int r = 0; r < type.runStart.length && left > 0; r++)
            {
                final long n = Math.min((long)type.runLength[r] * es, left);
                UnsafeApi.copyMemory(srcBase, from, buf, base + (item + type.runStart[r]) * es, n);
                from += n;
                left -= n;
                elements += (int)(n / es);
            }
        }
        return elements;
    }

    /** The selected OBJECT elements, serialized as one Object[]. */
    static byte[] serialize(final Object buf, final int offset, final int count, final Datatype type)
    {
        final Object[] objects = (Object[])buf;
        final List<Object> selected = new ArrayList<>(count * type.elements());
        for (int i = 0; i < count; i++)
        {
            final int item = offset + i * type.extent();
            for (final int d : type.displacements)
            {
                selected.add(objects[item + d]);
            }
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(out))
        {
            oos.writeObject(selected.toArray());
        }
        catch (final IOException ex)
        {
            throw new MPIException("cannot serialize an OBJECT message: " + ex);
        }
        return out.toByteArray();
    }

    /** Places the deserialized objects into count items at offset; returns how many objects came. */
    static int deserialize(final byte[] src, final int position, final int length, final Object buf,
        final int offset, final int count, final Datatype type)
    {
        final Object[] received;
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(src, position, length)))
        {
            received = (Object[])ois.readObject();
        }
        catch (final IOException | ClassNotFoundException ex)
        {
            throw new MPIException("cannot deserialize an OBJECT message: " + ex);
        }
        final int room = count * type.elements();
        if (received.length > room)
        {
            throw new MPIException("message truncated: " + received.length + " objects arrived for room of " + room);
        }
        final Object[] objects = (Object[])buf;
        int k = 0;
        for (int i = 0; i < count && k < received.length; i++)
        {
            final int item = offset + i * type.extent();
            for (int e = 0; e < type.displacements.length && k < received.length; e++)
            {
                objects[item + type.displacements[e]] = received[k++];
            }
        }
        return received.length;
    }

    /** Packs into a fresh array; OBJECT serialized. */
    static byte[] message(final Object buf, final int offset, final int count, final Datatype type)
    {
        if (type.isObject())
        {
            return serialize(buf, offset, count, type);
        }
        final byte[] m = new byte[packedBytes(count, type)];
        if (count > 0)
        {
            pack(buf, offset, count, type, m, 0);
        }
        return m;
    }

    /** Unpacks a payload (OBJECT or not) into the buffer; returns elements (objects) received. */
    static int deliver(final byte[] src, final int position, final int length, final Object buf, final int offset,
        final int count, final Datatype type)
    {
        if (type.isObject())
        {
            return length == 0 ? 0 : deserialize(src, position, length, buf, offset, count, type);
        }
        return deliver(src, BYTE_BASE + position, length, buf, offset, count, type);
    }

    /** As above for a payload at an address in srcBase (a byte[]) or off-heap (srcBase null); not OBJECT. */
    static int deliver(final Object srcBase, final long srcAddress, final int length, final Object buf,
        final int offset, final int count, final Datatype type)
    {
        if (length > packedBytes(count, type))
        {
            throw new MPIException("message truncated: " + length + " bytes arrived for " + count + " items of " +
                type + " (" + packedBytes(count, type) + " bytes)");
        }
        return length == 0 ? 0 : unpack(srcBase, srcAddress, length, buf, offset, count, type);
    }

    /** A local copy, as a send to oneself would make it. */
    static void copy(final Object src, final int srcOffset, final int srcCount, final Datatype srcType,
        final Object dst, final int dstOffset, final int dstCount, final Datatype dstType)
    {
        final byte[] m = message(src, srcOffset, srcCount, srcType);
        deliver(m, 0, m.length, dst, dstOffset, dstCount, dstType);
    }
}
