package dev.ringfold.mpi;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;

/**
 * Off-heap buffers for unexpected eager messages, in power-of-two size classes. Buffers come back when their
 * message is received, so after warm-up the pool stops growing and nothing is allocated.
 */
final class BufferPool
{
    private static final int MIN_SHIFT = 6; // 64 bytes

    private final ArrayDeque<UnsafeBuffer>[] classes;
    private final int maxBytes;

    @SuppressWarnings("unchecked")
    BufferPool(final int maxBytes)
    {
        final int maxShift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, maxBytes - 1)));
        this.maxBytes = 1 << maxShift;
        this.classes = new ArrayDeque[maxShift - MIN_SHIFT + 1];
        for (int i = 0; i < classes.length; i++)
        {
            classes[i] = new ArrayDeque<>();
        }
    }

    UnsafeBuffer acquire(final int length)
    {
        if (length > maxBytes)
        {
            throw new IllegalArgumentException("pooled buffer of " + length + " bytes exceeds " + maxBytes);
        }
        final int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, length - 1)));
        final UnsafeBuffer buffer = classes[shift - MIN_SHIFT].pollLast();
        return buffer != null ? buffer : new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << shift, 64));
    }

    void release(final UnsafeBuffer buffer)
    {
        final int shift = Integer.numberOfTrailingZeros(buffer.capacity());
        classes[shift - MIN_SHIFT].addLast(buffer);
    }
}
