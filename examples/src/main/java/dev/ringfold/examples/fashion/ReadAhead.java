package dev.ringfold.examples.fashion;

import dev.ringfold.mpi.RingfoldLog;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.nio.file.Path;

/**
 * The data set's read, started before the runtime joins ({@link FashionMnistTraining#main}): the runtime's join does
 * not need it, and a replacement's way back to full width is the two together, so they overlap. The trainer takes
 * the splits ({@link #take}) and closes them; this closes their allocator after that.
 */
final class ReadAhead implements AutoCloseable
{
    private final Path dir;
    private final BufferAllocator allocator;
    private FashionMnist[] splits;

    private ReadAhead(final Path dir, final BufferAllocator allocator, final FashionMnist[] splits)
    {
        this.dir = dir;
        this.allocator = allocator;
        this.splits = splits;
    }

    /**
     * Starts reading both splits from {@code dir} on threads of their own; null when that cannot start (files
     * missing or unreadable: the trainer's own read then reports it, collectively, as without a read ahead).
     */
    static ReadAhead start(final Path dir)
    {
        // Arrow logs through java.util.logging from its first allocator on: with Ringfold's level and line format,
        // as it would after the runtime's start (which names the rank in the lines from then on)
        RingfoldLog.configure(System.getenv(), "starting");
        final BufferAllocator allocator = new RootAllocator();
        FashionMnist train = null;
        try
        {
            train = FashionMnist.loadInBackground(dir, true, allocator);
            return new ReadAhead(dir, allocator,
                new FashionMnist[] { train, FashionMnist.loadInBackground(dir, false, allocator) });
        }
        catch (final RuntimeException ex)
        {
            if (train != null)
            {
                train.close();
            }
            allocator.close();
            return null;
        }
    }

    /** The training and test splits of {@code dir}, once (the caller closes them); null for another folder. */
    FashionMnist[] take(final Path from)
    {
        if (splits == null || !dir.equals(from))
        {
            return null;
        }
        final FashionMnist[] taken = splits;
        splits = null;
        return taken;
    }

    @Override
    public void close()
    {
        if (splits != null)
        {
            splits[0].close();
            splits[1].close();
            splits = null;
        }
        allocator.close();
    }
}
