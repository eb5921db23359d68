package mpi;

import java.lang.foreign.MemorySegment;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * One buffer argument of a call, as memory: a Java array is a heap segment over the array itself, a direct buffer
 * the native memory it wraps (from its start, ignoring its position, as Open MPI's JNI code reads it), a heap
 * buffer its array from {@code baseSize * arrayOffset()} (Open MPI's offset rule, which is how {@link MPI#slice}
 * offsets arrays). No copy is made, except of a {@code boolean[]} (Java has no segment over one), whose bytes are
 * written back by {@link #writeBack()}.
 */
final class Payload
{
    final Object buffer;
    final MemorySegment memory;
    final long offset;
    final Datatype type;
    private final boolean[] booleans;
    private MemorySegment lastItems;
    private long lastAt;

    private Payload(final Object buffer, final MemorySegment memory, final long offset, final Datatype type,
        final boolean[] booleans)
    {
        this.buffer = buffer;
        this.memory = memory;
        this.offset = offset;
        this.type = type;
        this.booleans = booleans;
    }

    /** Null when {@code buf} is no buffer the API takes. */
    static Payload of(final Object buf, final Datatype type)
    {
        return switch (buf)
        {
            case null -> null;
            case byte[] a -> new Payload(buf, MemorySegment.ofArray(a), 0, type, null);
            case char[] a -> new Payload(buf, MemorySegment.ofArray(a), 0, type, null);
            case short[] a -> new Payload(buf, MemorySegment.ofArray(a), 0, type, null);
            case int[] a -> new Payload(buf, MemorySegment.ofArray(a), 0, type, null);
            case long[] a -> new Payload(buf, MemorySegment.ofArray(a), 0, type, null);
            case float[] a -> new Payload(buf, MemorySegment.ofArray(a), 0, type, null);
            case double[] a -> new Payload(buf, MemorySegment.ofArray(a), 0, type, null);
            case boolean[] a ->
            {
                final byte[] bytes = new byte[a.length];
                for (int i = 0; i < a.length; i++)
                {
                    bytes[i] = (byte)(a[i] ? 1 : 0);
                }
                yield new Payload(buf, MemorySegment.ofArray(bytes), 0, type, a);
            }
            case Buffer b when b.isDirect() -> new Payload(buf, MemorySegment.ofBuffer(whole(b)), 0, type, null);
            case Buffer b -> heap(b, type);
            default -> null;
        };
    }

    private static Payload heap(final Buffer b, final Datatype type)
    {
        final long offset = (long)type.baseSize * b.arrayOffset();
        final MemorySegment memory = switch (b)
        {
            case ByteBuffer x -> MemorySegment.ofArray(x.array());
            case CharBuffer x -> MemorySegment.ofArray(x.array());
            case ShortBuffer x -> MemorySegment.ofArray(x.array());
            case IntBuffer x -> MemorySegment.ofArray(x.array());
            case LongBuffer x -> MemorySegment.ofArray(x.array());
            case FloatBuffer x -> MemorySegment.ofArray(x.array());
            case DoubleBuffer x -> MemorySegment.ofArray(x.array());
            default -> throw new IllegalArgumentException("unknown buffer type " + b.getClass().getName());
        };
        return new Payload(b, memory, offset, type, null);
    }

    /** The buffer from index 0 to its capacity (a slice of Open MPI's counts from its own start). */
    private static Buffer whole(final Buffer b)
    {
        return b.position() == 0 && b.limit() == b.capacity() ? b : b.duplicate().clear();
    }

    /** The same buffer with item 0 {@code bytes} further on. */
    Payload at(final long bytes)
    {
        return new Payload(buffer, memory, offset + bytes, type, booleans);
    }

    boolean isArray()
    {
        return !(buffer instanceof Buffer);
    }

    /** Whether count items can go to the transport straight from (or into) the user's memory. */
    boolean inPlace()
    {
        return type.isContiguous() && booleans == null;
    }

    /** Whether Ringfold's collectives can read and write it by address: native memory of a contiguous type. */
    boolean addressable()
    {
        return memory.isNative() && type.isContiguous();
    }

    long address(final long item)
    {
        return memory.address() + offset + item * type.extent;
    }

    /** The bytes of count items from item {@code first}; the type must be contiguous. */
    MemorySegment items(final long first, final int count)
    {
        final long at = offset + first * type.extent;
        final long bytes = (long)count * type.size;
        final MemorySegment last = lastItems;
        if (last != null && lastAt == at && last.byteSize() == bytes)
        {
            return last;
        }
        final MemorySegment s = memory.asSlice(at, bytes);
        lastItems = s;
        lastAt = at;
        return s;
    }

    /** Whether this view may serve later calls with the same buffer (a boolean[]'s copy may not). */
    boolean reusable()
    {
        return booleans == null;
    }

    /** Null when count items from item {@code first} lie inside the buffer, else what is wrong. */
    String outside(final long first, final int count)
    {
        final long from = offset + first * type.extent + type.firstByte(count);
        final long to = offset + first * type.extent + type.endByte(count);
        if (count == 0 || from >= 0 && to <= memory.byteSize())
        {
            return null;
        }
        return count + " items of " + type.describe() + " from item " + first + " need bytes [" + from + ", " + to +
            ") of a buffer of " + memory.byteSize() + " bytes";
    }

    void pack(final long first, final int count, final MemorySegment to, final long at)
    {
        type.pack(memory, offset + first * type.extent, count, to, at);
    }

    void unpack(final MemorySegment from, final long at, final long first, final int count)
    {
        type.unpack(from, at, memory, offset + first * type.extent, count);
    }

    /** After data arrived: a boolean[]'s bytes back into it. */
    void writeBack()
    {
        if (booleans != null)
        {
            final byte[] bytes = (byte[])memory.heapBase().orElseThrow();
            for (int i = 0; i < booleans.length; i++)
            {
                booleans[i] = bytes[i] != 0;
            }
        }
    }
}
