package dev.ringfold.bench;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Message contents that prove delivery: a position-dependent byte pattern, and a per-iteration stamp in the first
 * and last 8 bytes (messages under 16 bytes: a one-byte stamp in the first and last byte). A receiver that finds the stamp of the
 * iteration it expects got this iteration's message, whole at both ends; a full pattern check once per size
 * catches wrong offsets and partial copies in between. Every byte of a stamp is non-zero, so a message cut short
 * into a cleared buffer never passes.
 */
public final class Payload
{
    static final int ALIGNMENT = 4096;
    /** From this size on, stamps are 8 bytes at each end (they would overlap below it). */
    static final int WIDE = 2 * Long.BYTES;

    private Payload()
    {
    }

    /** A zeroed, page-aligned, off-heap buffer (a direct ByteBuffer under an Agrona UnsafeBuffer). */
    public static UnsafeBuffer allocate(final int bytes)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(bytes, 64), ALIGNMENT));
    }

    /** A message buffer: over a Java array where {@code heap} (Ringfold then moves the array's bytes), else off-heap. */
    public static UnsafeBuffer allocate(final int bytes, final boolean heap)
    {
        return heap ? new UnsafeBuffer(new byte[Math.max(bytes, 64)]) : allocate(bytes);
    }

    /** The pattern byte at a position. */
    static byte patternAt(final int i)
    {
        return (byte)(i * 7 + 3);
    }

    /** Fills {@code [0, n)} with the pattern. */
    public static void fillPattern(final MutableDirectBuffer b, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            b.putByte(i, patternAt(i));
        }
    }

    /** Counts bytes in {@code [0, n)} that differ from the pattern, outside the stamp ends. */
    public static long patternErrors(final DirectBuffer b, final int n)
    {
        final int from = n >= WIDE ? Long.BYTES : 1;
        final int to = n >= WIDE ? n - Long.BYTES : n - 1;
        long bad = 0;
        for (int i = from; i < to; i++)
        {
            if (b.getByte(i) != patternAt(i))
            {
                bad++;
            }
        }
        return bad;
    }

    /**
     * The stamp of an iteration number {@code 0 <= k < 2^56}: seven bits of k per byte, each byte's top bit set.
     * Distinct numbers give distinct stamps, and no byte is ever zero.
     */
    static long stampOf(final long k)
    {
        long v = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            v |= (((k >>> (7 * i)) & 0x7F) | 0x80) << (8 * i);
        }
        return v;
    }

    /** Writes iteration {@code k}'s stamp at both ends of a message of {@code n} bytes. */
    public static void stamp(final MutableDirectBuffer b, final int n, final long k)
    {
        final long stamp = stampOf(k);
        if (n >= WIDE)
        {
            b.putLong(0, stamp);
            b.putLong(n - Long.BYTES, stamp);
        }
        else
        {
            b.putByte(0, (byte)stamp);
            b.putByte(n - 1, (byte)stamp);
        }
    }

    /** Whether both ends of a message of {@code n} bytes carry iteration {@code k}'s stamp. */
    public static boolean hasStamp(final DirectBuffer b, final int n, final long k)
    {
        final long stamp = stampOf(k);
        if (n >= WIDE)
        {
            return b.getLong(0) == stamp && b.getLong(n - Long.BYTES) == stamp;
        }
        return b.getByte(0) == (byte)stamp && b.getByte(n - 1) == (byte)stamp;
    }

    /** Zeroes {@code [0, n)}, so that a receive that writes nothing cannot pass a check. */
    public static void clear(final MutableDirectBuffer b, final int n)
    {
        b.setMemory(0, n, (byte)0);
    }
}
