package mpi;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Status;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Point-to-point of a communicator in the common case, allocating nothing: count items of a contiguous datatype
 * that lie inside a direct buffer (from its start, as Open MPI reads it) or an array of {@code byte int long float
 * double} go to Ringfold's calls on the memory itself (the direct buffer's address through one reused
 * {@link UnsafeBuffer}, the array through Ringfold's array calls), and non-blocking calls reuse Ringfold's
 * finished requests. Everything else (other buffers, derived types, bad arguments, whose errors {@link Payload}'s
 * path words) is left to {@link Comm}'s general path: {@link #bytes} says which.
 */
final class Contiguous
{
    private final UnsafeBuffer offHeap = new UnsafeBuffer();
    private Request[] idle = new Request[16];
    private int idleCount;

    /**
     * The message's bytes when count items of type go straight from or into buf, else -1: a contiguous type, a
     * direct buffer (writable, to receive) or an array of byte, int, long, float or double holding them all, as a
     * whole number of the array's elements.
     */
    static long bytes(final Object buf, final int count, final Datatype type, final boolean receive)
    {
        if (!type.isContiguous())
        {
            return -1;
        }
        final long bytes = (long)count * type.size;
        final long room;
        final int scale;
        if (buf instanceof Buffer b)
        {
            if (!b.isDirect() || receive && b.isReadOnly())
            {
                return -1;
            }
            room = (long)b.capacity() << shift(b);
            scale = 1;
        }
        else
        {
            scale = elementBytes(buf);
            if (scale == 0)
            {
                return -1;
            }
            room = (long)scale * java.lang.reflect.Array.getLength(buf);
        }
        return bytes <= room && bytes % scale == 0 && bytes <= Integer.MAX_VALUE ? bytes : -1;
    }

    /** The element size of the arrays Ringfold's array calls take (byte, int, long, float, double), else 0. */
    private static int elementBytes(final Object array)
    {
        if (array instanceof byte[])
        {
            return 1;
        }
        if (array instanceof float[] || array instanceof int[])
        {
            return 4;
        }
        return array instanceof double[] || array instanceof long[] ? 8 : 0;
    }

    private static int shift(final Buffer b)
    {
        if (b instanceof ByteBuffer)
        {
            return 0;
        }
        if (b instanceof IntBuffer || b instanceof FloatBuffer)
        {
            return 2;
        }
        if (b instanceof LongBuffer || b instanceof DoubleBuffer)
        {
            return 3;
        }
        if (b instanceof CharBuffer || b instanceof ShortBuffer)
        {
            return 1;
        }
        throw new IllegalArgumentException("unknown buffer type " + b.getClass().getName());
    }

    /** The address of a direct buffer's first byte. */
    static long address(final Buffer b)
    {
        return UnsafeApi.getLong(b, BufferUtil.BYTE_BUFFER_ADDRESS_FIELD_OFFSET);
    }

    /** The direct buffer's first {@code bytes} bytes, through the one reused view (Ringfold keeps no reference). */
    private UnsafeBuffer offHeap(final Buffer b, final int bytes)
    {
        offHeap.wrap(address(b), bytes);
        return offHeap;
    }

    /** {@code bytes} as computed by {@link #bytes}. */
    void send(final Communicator c, final Object buf, final long bytes, final int dest, final int tag)
    {
        final int n = (int)bytes;
        if (buf instanceof Buffer b)
        {
            c.send(offHeap(b, n), 0, n, dest, tag);
        }
        else if (buf instanceof byte[] a)
        {
            c.send(a, 0, n, dest, tag);
        }
        else if (buf instanceof float[] a)
        {
            c.send(a, 0, n >> 2, dest, tag);
        }
        else if (buf instanceof int[] a)
        {
            c.send(a, 0, n >> 2, dest, tag);
        }
        else if (buf instanceof double[] a)
        {
            c.send(a, 0, n >> 3, dest, tag);
        }
        else
        {
            c.send((long[])buf, 0, n >> 3, dest, tag);
        }
    }

    Status recv(final Communicator c, final Object buf, final long bytes, final int source, final int tag)
    {
        final int n = (int)bytes;
        if (buf instanceof Buffer b)
        {
            return c.recv(offHeap(b, n), 0, n, source, tag);
        }
        if (buf instanceof byte[] a)
        {
            return c.recv(a, 0, n, source, tag);
        }
        if (buf instanceof float[] a)
        {
            return c.recv(a, 0, n >> 2, source, tag);
        }
        if (buf instanceof int[] a)
        {
            return c.recv(a, 0, n >> 2, source, tag);
        }
        if (buf instanceof double[] a)
        {
            return c.recv(a, 0, n >> 3, source, tag);
        }
        return c.recv((long[])buf, 0, n >> 3, source, tag);
    }

    /** A non-blocking send from a direct buffer (the only kind Open MPI's non-blocking calls take). */
    Request isend(final Communicator c, final Buffer buf, final long bytes, final int dest, final int tag)
    {
        final int n = (int)bytes;
        return c.isend(offHeap(buf, n), 0, n, dest, tag, take());
    }

    Request irecv(final Communicator c, final Buffer buf, final long bytes, final int source, final int tag)
    {
        final int n = (int)bytes;
        return c.irecv(offHeap(buf, n), 0, n, source, tag, take());
    }

    private Request take()
    {
        return idleCount == 0 ? new Request() : idle[--idleCount];
    }

    /** A Ringfold request that completed and that no {@link mpi.Request} refers to any more, for a later call. */
    void giveBack(final Request r)
    {
        if (!r.isComplete() || r.failure() != null)
        {
            return;
        }
        if (idleCount == idle.length)
        {
            if (idleCount >= 1024)
            {
                return; // a program that once had thousands in flight need not keep them all
            }
            idle = java.util.Arrays.copyOf(idle, idleCount * 2);
        }
        idle[idleCount++] = r;
    }
}
