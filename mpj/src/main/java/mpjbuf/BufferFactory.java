package mpjbuf;

/**
 * Where {@link RawBuffer}s come from, as MPJ Express's programs ask for them
 * ({@code new Buffer(BufferFactory.create(n + MPI.SEND_OVERHEAD), MPI.SEND_OVERHEAD, n + MPI.SEND_OVERHEAD)}).
 * There is one kind here, heap memory; MPJ Express's choice of allocator by name ({@link #init(String)}) has
 * nothing to choose from.
 */
public abstract class BufferFactory
{
    public BufferFactory()
    {
    }

    /** Accepts MPJ Express's allocator names; every buffer is a heap buffer here. */
    public static void init(final String factoryName)
    {
        // one kind of buffer: nothing to select
    }

    public static RawBuffer create(final int capacity)
    {
        return new HeapRawBuffer(capacity);
    }

    public static void destroy(final RawBuffer buffer)
    {
        buffer.free();
    }

    public static boolean initialized()
    {
        return true;
    }

    public static void shut()
    {
        // heap buffers need no shutting down
    }
}
