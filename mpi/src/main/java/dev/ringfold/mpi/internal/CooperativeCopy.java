package dev.ringfold.mpi.internal;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Two processes copying one large message together through cross-memory attach: the receiver pulls chunks with
 * process_vm_readv while the sender, asked by a HELP frame, pushes chunks with process_vm_writev, each claiming
 * the next chunk from a counter in the cache line the pair shares. Two cores copy at once, which about doubles a
 * single copy's speed here (measured in C: 8 GB/s alone, 15-16 GB/s together for 16 MiB).
 *
 * <p>The counter word holds {@code generation << 32 | nextChunk}: a HELP that arrives after its transfer ended
 * carries an old generation and claims nothing. The receiver never depends on the sender: whatever the sender
 * does not claim (it may be busy computing), the receiver copies itself; it waits only for chunks the sender has
 * claimed and is copying. A chunk the sender could not write it gives back, and the receiver copies it.
 */
public final class CooperativeCopy
{
    private static final int WORD_OFFSET = 0;
    private static final int DONE_OFFSET = 8;
    private static final int RETURNED_OFFSET = 16;
    private static final int MIN_CHUNK = 256 * 1024;
    private static final int MAX_CHUNK = 1024 * 1024;

    private CooperativeCopy()
    {
    }

    public static int chunkBytes(final long length)
    {
        return (int)Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, length / 8));
    }

    public static int chunks(final long length, final int chunkBytes)
    {
        return (int)((length + chunkBytes - 1) / chunkBytes);
    }

    /**
     * Receiver: starts transfer {@code generation}; the sender may claim chunks from now on. The counter word is
     * released last, so a sender that acquires the new generation also sees the cleared counts.
     */
    public static void open(final UnsafeBuffer slot, final int generation)
    {
        slot.putLongRelease(DONE_OFFSET, 0);
        slot.putLongRelease(RETURNED_OFFSET, -1);
        slot.putLongRelease(WORD_OFFSET, (long)generation << 32);
    }

    /** The next chunk to copy for this generation, or -1 when none is left (or the transfer is over). */
    public static int claim(final UnsafeBuffer slot, final int generation, final int chunks)
    {
        while (true)
        {
            final long word = slot.getLongAcquire(WORD_OFFSET);
            final int chunk = (int)word;
            if ((int)(word >>> 32) != generation || chunk >= chunks)
            {
                return -1;
            }
            if (slot.compareAndSetLong(WORD_OFFSET, word, word + 1))
            {
                return chunk;
            }
        }
    }

    public static void copied(final UnsafeBuffer slot)
    {
        slot.getAndAddLong(DONE_OFFSET, 1);
    }

    /** Sender: could not write this chunk; the receiver will. Counts as done so the receiver stops waiting. */
    public static void giveBack(final UnsafeBuffer slot, final int chunk)
    {
        slot.compareAndSetLong(RETURNED_OFFSET, -1, chunk);
        slot.getAndAddLong(DONE_OFFSET, 1);
    }

    public static long done(final UnsafeBuffer slot)
    {
        return slot.getLongAcquire(DONE_OFFSET);
    }

    /** The chunk the sender gave back, or -1. */
    public static int returned(final UnsafeBuffer slot)
    {
        return (int)slot.getLongAcquire(RETURNED_OFFSET);
    }
}
