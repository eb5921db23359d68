package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;

/**
 * The Java-array forms of the collectives. The shared-memory all-reduce and broadcast copy the caller's memory in
 * and out of the node region and nothing else, so they take the arrays as they are ({@code Unsafe} copies address
 * an array by object and offset, so the collector may move it meanwhile). Every other algorithm sends from and
 * reduces in its buffers, so there the arrays go through this communicator's off-heap staging area: the source
 * copied in, the address form of the call run, the destination copied back out. Staging is kept and grown, never
 * shrunk, so a warm call allocates nothing; it goes with the communicator's state.
 *
 * <p>Arguments that only the root reads ({@code dst} of gather and reduce, {@code src} of scatter) are ignored, and
 * may be null, on the other ranks.
 */
final class ArrayStaging
{
    private final CommunicatorState state;
    private final Collectives collectives;
    private final Arguments args;
    private final int size;
    private ByteBuffer staging;
    private long address;

    ArrayStaging(final CommunicatorState state, final Collectives collectives, final Arguments args)
    {
        this.state = state;
        this.collectives = collectives;
        this.args = args;
        this.size = state.comm.size();
    }

    void allReduce(final Object src, final int srcOffset, final Object dst, final int dstOffset, final int count,
        final DType dtype, final ReduceOp op)
    {
        args.array("allReduce", "src", src, srcOffset, count);
        args.array("allReduce", "dst", dst, dstOffset, count);
        args.reduce("allReduce", count, dtype, op);
        // a source and destination in one array at overlapping, different offsets: the whole source is read first
        final boolean shifted = src == dst && srcOffset != dstOffset && Math.abs(srcOffset - dstOffset) < count;
        final AllReducer direct = shifted ? null : collectives.allReducer(count, dtype, op, true);
        if (direct instanceof SharedMemoryAllReduce shared)
        {
            collectives.next().set(Call.Kind.ALL_REDUCE, count, dtype, Call.NONE, op);
            collectives.run(shared.prepare(src, element(src, srcOffset, dtype), dst, element(dst, dstOffset, dtype),
                count, dtype, op));
            return;
        }
        final long bytes = (long)count * dtype.bytes();
        final long at = stage(src, srcOffset, bytes, dtype, 0);
        collectives.allReduce(at, at, count, dtype, op);
        unstage(dst, dstOffset, bytes, dtype, at);
    }

    void broadcast(final Object data, final int offset, final int count, final DType dtype, final int root)
    {
        args.array("broadcast", "data", data, offset, count);
        args.count("broadcast", count, dtype);
        args.root("broadcast", root);
        final long bytes = (long)count * dtype.bytes();
        if (collectives.broadcaster(count, dtype, root, true) instanceof SharedMemoryBroadcast shared)
        {
            collectives.next().set(Call.Kind.BROADCAST, count, dtype, root, null);
            collectives.run(shared.prepare(data, element(data, offset, dtype), bytes, root));
            return;
        }
        final long at = stage(data, offset, bytes, dtype, 0);
        collectives.broadcast(at, count, dtype, root);
        unstage(data, offset, bytes, dtype, at);
    }

    void reduce(final Object src, final int srcOffset, final Object dst, final int dstOffset, final int count,
        final DType dtype, final ReduceOp op, final int root)
    {
        args.root("reduce", root);
        final boolean isRoot = state.comm.rank() == root;
        args.array("reduce", "src", src, srcOffset, count);
        if (isRoot)
        {
            args.array("reduce", "dst", dst, dstOffset, count);
        }
        final long bytes = bytes("reduce", count, 1, dtype);
        final long in = stage(src, srcOffset, bytes, dtype, bytes);
        final long out = in + aligned(bytes);
        collectives.reduce(in, out, count, dtype, op, root);
        if (isRoot)
        {
            unstage(dst, dstOffset, bytes, dtype, out);
        }
    }

    void allGather(final Object src, final int srcOffset, final Object dst, final int dstOffset, final int count,
        final DType dtype)
    {
        args.array("allGather", "src", src, srcOffset, count);
        args.array("allGather", "dst", dst, dstOffset, (long)count * size);
        final long bytes = bytes("allGather", count, 1, dtype);
        final long in = stage(src, srcOffset, bytes, dtype, bytes * size);
        final long out = in + aligned(bytes);
        collectives.allGather(in, out, count, dtype);
        unstage(dst, dstOffset, bytes * size, dtype, out);
    }

    void gather(final Object src, final int srcOffset, final Object dst, final int dstOffset, final int count,
        final DType dtype, final int root)
    {
        args.root("gather", root);
        final boolean isRoot = state.comm.rank() == root;
        args.array("gather", "src", src, srcOffset, count);
        if (isRoot)
        {
            args.array("gather", "dst", dst, dstOffset, (long)count * size);
        }
        final long bytes = bytes("gather", count, 1, dtype);
        final long in = stage(src, srcOffset, bytes, dtype, isRoot ? bytes * size : 0);
        final long out = in + aligned(bytes);
        collectives.gather(in, out, count, dtype, root);
        if (isRoot)
        {
            unstage(dst, dstOffset, bytes * size, dtype, out);
        }
    }

    void scatter(final Object src, final int srcOffset, final Object dst, final int dstOffset, final int count,
        final DType dtype, final int root)
    {
        args.root("scatter", root);
        final boolean isRoot = state.comm.rank() == root;
        if (isRoot)
        {
            args.array("scatter", "src", src, srcOffset, (long)count * size);
        }
        args.array("scatter", "dst", dst, dstOffset, count);
        final long bytes = bytes("scatter", count, 1, dtype);
        final long in = isRoot ? stage(src, srcOffset, bytes * size, dtype, bytes) : reserve(0, bytes);
        final long out = in + aligned(isRoot ? bytes * size : 0);
        collectives.scatter(in, out, count, dtype, root);
        unstage(dst, dstOffset, bytes, dtype, out);
    }

    void reduceScatter(final Object src, final int srcOffset, final Object dst, final int dstOffset,
        final int blockCount, final DType dtype, final ReduceOp op)
    {
        args.array("reduceScatter", "src", src, srcOffset, (long)blockCount * size);
        args.array("reduceScatter", "dst", dst, dstOffset, blockCount);
        final long bytes = bytes("reduceScatter", blockCount, size, dtype);
        final long in = stage(src, srcOffset, bytes, dtype, bytes / size);
        final long out = in + aligned(bytes);
        collectives.reduceScatter(in, out, blockCount, dtype, op);
        unstage(dst, dstOffset, bytes / size, dtype, out);
    }

    void allToAll(final Object src, final int srcOffset, final Object dst, final int dstOffset, final int count,
        final DType dtype)
    {
        args.array("allToAll", "src", src, srcOffset, (long)count * size);
        args.array("allToAll", "dst", dst, dstOffset, (long)count * size);
        final long bytes = bytes("allToAll", count, size, dtype);
        final long in = stage(src, srcOffset, bytes, dtype, bytes);
        final long out = in + aligned(bytes);
        collectives.allToAll(in, out, count, dtype);
        unstage(dst, dstOffset, bytes, dtype, out);
    }

    /** Inclusive or exclusive prefix; an exclusive one leaves rank 0's {@code dst} as it was. */
    void scan(final boolean exclusive, final Object src, final int srcOffset, final Object dst, final int dstOffset,
        final int count, final DType dtype, final ReduceOp op)
    {
        final String call = exclusive ? "exscan" : "scan";
        args.array(call, "src", src, srcOffset, count);
        args.array(call, "dst", dst, dstOffset, count);
        final long bytes = bytes(call, count, 1, dtype);
        final long in = stage(src, srcOffset, bytes, dtype, bytes);
        final long out = in + aligned(bytes);
        if (exclusive)
        {
            collectives.exscan(in, out, count, dtype, op);
        }
        else
        {
            collectives.scan(in, out, count, dtype, op);
        }
        if (!exclusive || state.comm.rank() != 0)
        {
            unstage(dst, dstOffset, bytes, dtype, out);
        }
    }

    /** {@code count * blocks} elements in bytes. */
    private long bytes(final String call, final int count, final int blocks, final DType dtype)
    {
        args.count(call, count, dtype);
        return (long)count * blocks * dtype.bytes();
    }

    /** Java has no half-float type: {@code short[]} holds BF16 or F16 bits, and reductions need to know which. */
    DType half(final String call, final DType dtype)
    {
        if (dtype != DType.BF16 && dtype != DType.F16)
        {
            throw new IllegalArgumentException(args.where(call) + ": a short[] holds BF16 or F16 values, not " + dtype);
        }
        return dtype;
    }

    private static long aligned(final long bytes)
    {
        return (bytes + 63) & ~63L;
    }

    /**
     * Copies {@code bytes} of {@code array} from element {@code offset} to the start of the staging area, which is
     * made big enough for {@code extra} bytes more after them; returns the area's address.
     */
    private long stage(final Object array, final int offset, final long bytes, final DType dtype, final long extra)
    {
        final long at = reserve(bytes, extra);
        UnsafeApi.copyMemory(array, element(array, offset, dtype), null, at, bytes);
        return at;
    }

    /** A staging area of {@code first} bytes, then (64-byte aligned) {@code second} more. */
    private long reserve(final long first, final long second)
    {
        final long needed = aligned(first) + second;
        if (needed > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(args.where("collective") + ": " + needed +
                " bytes of Java arrays are more than one staging area holds (" + Integer.MAX_VALUE + ")");
        }
        if (staging == null || staging.capacity() < needed)
        {
            staging = BufferUtil.allocateDirectAligned((int)Math.max(64, needed), 64);
            address = BufferUtil.address(staging);
        }
        return address;
    }

    private static void unstage(final Object array, final int offset, final long bytes, final DType dtype,
        final long from)
    {
        UnsafeApi.copyMemory(null, from, array, element(array, offset, dtype), bytes);
    }

    /** The {@code Unsafe} offset of an array's element. */
    private static long element(final Object array, final int index, final DType dtype)
    {
        return UnsafeApi.arrayBaseOffset(array.getClass()) + (long)index * dtype.bytes();
    }
}
