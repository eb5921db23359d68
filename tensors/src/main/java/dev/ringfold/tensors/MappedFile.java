package dev.ringfold.tensors;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;

/**
 * A whole file mapped copy-on-write (private): reads come from the page cache without a copy, and a write to a
 * tensor read from it changes that process's pages, never the file. Arrow owns it once wrapped; when the last
 * reference goes, the mapping goes.
 */
final class MappedFile extends ForeignAllocation
{
    private final Arena arena;

    private MappedFile(final Arena arena, final MemorySegment segment)
    {
        super(segment.byteSize(), segment.address());
        this.arena = arena;
    }

    /** Maps the channel's whole file and hands it to the allocator, which counts it against its limit. */
    static ArrowBuf wrap(final FileChannel channel, final BufferAllocator allocator) throws IOException
    {
        // shared, not confined: the last release may come from any thread
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment segment = channel.map(FileChannel.MapMode.PRIVATE, 0, channel.size(), arena);
            return allocator.wrapForeignAllocation(new MappedFile(arena, segment));
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close(); // Arrow did not take it (a limit, a closed allocator): unmap here
            throw ex;
        }
    }

    @Override
    protected void release0()
    {
        arena.close();
    }
}
