package dev.ringfold.bench;

import org.apache.arrow.memory.BufferAllocator;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a rank holds that a long run could leak, counted at one moment: bytes of an Arrow allocator, open file
 * descriptors (/proc/self/fd), this job's files in /dev/shm (other jobs on the node are not counted), live Java
 * threads, and direct (off-heap NIO) memory. The last is informational: scratch buffers grow to the largest
 * message seen and are kept.
 */
public record ResourceSnapshot(long allocatorBytes, long openFds, long shmFiles, long threads, long directBytes)
{
    /** The fields in order, for combining snapshots across ranks. */
    public static final int FIELDS = 5;
    static final Path SHM = Path.of("/dev/shm");
    private static final Path FDS = Path.of("/proc/self/fd");

    public static ResourceSnapshot take(final BufferAllocator allocator, final String jobId)
    {
        return new ResourceSnapshot(allocator.getAllocatedMemory(), count(FDS, null), count(SHM, jobId),
            ManagementFactory.getThreadMXBean().getThreadCount(), directMemoryUsed());
    }

    public long[] toArray()
    {
        return new long[] {allocatorBytes, openFds, shmFiles, threads, directBytes};
    }

    public static ResourceSnapshot of(final long[] a, final int at)
    {
        return new ResourceSnapshot(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4]);
    }

    /** Entries of a folder, those whose name contains {@code part} if given; -1 where the folder cannot be read. */
    private static long count(final Path dir, final String part)
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.filter(p -> part == null || p.getFileName().toString().contains(part)).count();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static long directMemoryUsed()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (pool.getName().equals("direct"))
            {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }
}
