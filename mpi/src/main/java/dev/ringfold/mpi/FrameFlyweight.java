package dev.ringfold.mpi;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A view of one frame at an offset in a buffer (Agrona's flyweight pattern): wrap, then read or write its fields,
 * each at its fixed offset in {@link Frames#ORDER}, whatever the machine's own order. Wrapped read-only (a frame
 * that arrived) it reads; wrapped over a {@link MutableDirectBuffer} (a frame claimed on a channel) it also writes.
 * One instance is reused for every frame of its kind, so nothing is allocated per frame.
 *
 * <p>A frame kind declares each field once, as a typed descriptor ({@code static final IntField<EagerFrame> TAG =
 * intAt(8)}), and every field of every kind is read by {@link #get(IntField)} and written by {@link #put(IntField,
 * int)}: {@code frame.get(EagerFrame.TAG)}, {@code frame.put(EagerFrame.TAG, tag)}. A descriptor names its frame
 * kind, so a field of one kind cannot be read from a flyweight of another.
 *
 * @param <T> the frame kind, so that {@code wrap} and {@code put} return it for chained writes
 */
abstract class FrameFlyweight<T extends FrameFlyweight<T>>
{
    /**
     * An int field of frames of kind {@code F}, {@code offset} bytes from the frame's start. A record, so that the
     * JIT takes the offset of a {@code static final} descriptor as a constant, as it would a plain int.
     */
    record IntField<F>(int offset)
    {
    }

    /** A long field of frames of kind {@code F}, {@code offset} bytes from the frame's start. */
    record LongField<F>(int offset)
    {
    }

    /** Every frame starts with its type (one of {@link Frames}' constants). */
    static final int TYPE_OFFSET = 0;

    static <F> IntField<F> intAt(final int offset)
    {
        return new IntField<>(offset);
    }

    static <F> LongField<F> longAt(final int offset)
    {
        return new LongField<>(offset);
    }

    private DirectBuffer buffer;
    private MutableDirectBuffer mutable;
    private int offset;

    /** Wraps a frame to read it. */
    final T wrap(final DirectBuffer buffer, final int offset)
    {
        // a reference is stored only when it changes: the flyweight lives long and a channel's buffer stays the
        // same, so the usual wrap stores an int and no reference (no GC write barrier on the per-frame path)
        if (this.mutable != null)
        {
            this.mutable = null;
        }
        return at(buffer, offset);
    }

    /** Wraps a frame to write (and read) it. */
    final T wrap(final MutableDirectBuffer buffer, final int offset)
    {
        if (this.mutable != buffer)
        {
            this.mutable = buffer;
        }
        return at(buffer, offset);
    }

    private T at(final DirectBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer;
        }
        this.offset = offset;
        return self();
    }

    final DirectBuffer buffer()
    {
        return buffer;
    }

    /** Where the frame starts in {@link #buffer()}. */
    final int offset()
    {
        return offset;
    }

    final int type()
    {
        return buffer.getInt(offset + TYPE_OFFSET, Frames.ORDER);
    }

    final T type(final int type)
    {
        mutable.putInt(offset + TYPE_OFFSET, type, Frames.ORDER);
        return self();
    }

    final int get(final IntField<T> field)
    {
        return buffer.getInt(offset + field.offset(), Frames.ORDER);
    }

    final T put(final IntField<T> field, final int value)
    {
        mutable.putInt(offset + field.offset(), value, Frames.ORDER);
        return self();
    }

    final long get(final LongField<T> field)
    {
        return buffer.getLong(offset + field.offset(), Frames.ORDER);
    }

    final T put(final LongField<T> field, final long value)
    {
        mutable.putLong(offset + field.offset(), value, Frames.ORDER);
        return self();
    }

    /** The long {@code at} bytes from the frame's start: for the parts of a frame whose place depends on its size. */
    final long getLongAt(final int at)
    {
        return buffer.getLong(offset + at, Frames.ORDER);
    }

    final T putLongAt(final int at, final long value)
    {
        mutable.putLong(offset + at, value, Frames.ORDER);
        return self();
    }

    @SuppressWarnings("unchecked")
    private T self()
    {
        return (T)this;
    }
}
