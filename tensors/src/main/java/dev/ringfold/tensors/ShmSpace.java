package dev.ringfold.tensors;

import org.apache.arrow.memory.OutOfMemoryException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reserves the pages of a new file in /dev/shm before it is mapped. A tmpfs file is sparse: mapping more than
 * the file system has left succeeds, and the first touch of a page that cannot be had kills the process with
 * SIGBUS (Docker's default /dev/shm is 64 MiB). posix_fallocate(3) turns that into an error here, while it can
 * still be reported; where it is missing or unsupported we fall back to comparing with the free space, which
 * is racy between ranks but better than nothing.
 */
@SuppressWarnings("restricted") // FFM downcalls: the JVM flags grant native access (--enable-native-access)
final class ShmSpace
{
    private static final int O_RDWR = 2;
    private static final int ENOSPC = 28;
    private static final MethodHandle OPEN;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle CLOSE;

    static
    {
        MethodHandle open = null;
        MethodHandle fallocate = null;
        MethodHandle close = null;
        try
        {
            final Linker linker = Linker.nativeLinker();
            final var libc = linker.defaultLookup();
            // open(2) is variadic: declare the mode as the variadic argument
            open = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
            fallocate = linker.downcallHandle(libc.find("posix_fallocate").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
            close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        }
        catch (final RuntimeException | LinkageError ex)
        {
            open = null; // not glibc-like, or native access denied: use the free-space check
        }
        OPEN = open;
        FALLOCATE = open == null ? null : fallocate;
        CLOSE = open == null ? null : close;
    }

    private ShmSpace()
    {
    }

    /** Makes {@code file} {@code bytes} long with every page allocated, or throws Arrow's OutOfMemoryException. */
    static void reserve(final Path file, final long bytes, final String what) throws IOException
    {
        if (OPEN != null)
        {
            final int rc = fallocate(file, bytes);
            if (rc == 0)
            {
                return;
            }
            if (rc == ENOSPC)
            {
                throw full(file, bytes, what);
            }
            // EOPNOTSUPP, EINVAL, ...: a file system without fallocate; fall through to the estimate
        }
        final long free = Files.getFileStore(file.getParent()).getUsableSpace();
        if (free < bytes)
        {
            throw full(file, bytes, what);
        }
    }

    private static int fallocate(final Path file, final long bytes) throws IOException
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int fd = (int)OPEN.invokeExact(arena.allocateFrom(file.toString()), O_RDWR, 0);
            if (fd < 0)
            {
                throw new IOException("cannot open " + file + " to reserve its pages");
            }
            try
            {
                return (int)FALLOCATE.invokeExact(fd, 0L, bytes); // returns the error number, errno untouched
            }
            finally
            {
                final int ignored = (int)CLOSE.invokeExact(fd); // a failed close of a fresh fd changes nothing
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw new IOException("posix_fallocate on " + file + ": " + t, t);
        }
    }

    private static OutOfMemoryException full(final Path file, final long bytes, final String what)
    {
        long free = -1;
        try
        {
            free = Files.getFileStore(file.getParent()).getUsableSpace();
        }
        catch (final IOException ignore)
        {
        }
        return new OutOfMemoryException(what + ": " + file.getParent() + " has no room for " + bytes +
            " bytes (" + free + " free); enlarge it (docker run --shm-size=...) or allocate less");
    }

    static boolean usesFallocate()
    {
        return OPEN != null;
    }
}
