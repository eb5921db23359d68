package dev.ringfold.mpi;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A view of one frame at an offset in a buffer (Agrona's flyweight pattern): wrap, then read or write its fields,
 * each at its fixed offset in {@link Frames#ORDER}, whatever the machine's own order. Wrapped read-only (a frame
 * that arrived) it reads; wrapped over a {@link MutableDirectBuffer} (a frame claimed on a channel) it also writes.
 * One instance is reused for every frame of its kind, so nothing is allocated per frame.
 *
 * @param <T> the frame kind, so that {@code wrap} and the setters return it for chained writes
 */
abstract class FrameFlyweight<T extends FrameFlyweight<T>>
{
    /** Every frame starts with its type (one of {@link Frames}' constants). */
    static final int TYPE_OFFSET = 0;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutable;
    private int offset;

    /** Wraps a frame to read it. */
    final T wrap(final DirectBuffer buffer, final int offset)
    {
        // a reference is stored only when it changes: the flyweight lives long and a channel's buffer stays the
        // same, so the usual wrap stores an int and no reference (no GC write barrier on the per-frame path)
        if (this.buffer != buffer)
        {
            this.buffer = buffer;
        }
        if (this.mutable != null)
        {
            this.mutable = null;
        }
        this.offset = offset;
        return self();
    }

    /** Wraps a frame to write (and read) it. */
    final T wrap(final MutableDirectBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer;
        }
        if (this.mutable != buffer)
        {
            this.mutable = buffer;
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

    final int getInt(final int field)
    {
        return buffer.getInt(offset + field, Frames.ORDER);
    }

    final void putInt(final int field, final int value)
    {
        mutable.putInt(offset + field, value, Frames.ORDER);
    }

    final long getLong(final int field)
    {
        return buffer.getLong(offset + field, Frames.ORDER);
    }

    final void putLong(final int field, final long value)
    {
        mutable.putLong(offset + field, value, Frames.ORDER);
    }

    @SuppressWarnings("unchecked")
    private T self()
    {
        return (T)this;
    }
}
