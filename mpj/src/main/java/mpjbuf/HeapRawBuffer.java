package mpjbuf;

/** A RawBuffer on the Java heap: what MPI.PACKED messages are sent from and received into. */
final class HeapRawBuffer implements RawBuffer
{
    private byte[] bytes;

    HeapRawBuffer(final int capacity)
    {
        if (capacity < 0)
        {
            throw new IllegalArgumentException("BufferFactory.create: capacity=" + capacity + " must be >= 0");
        }
        this.bytes = new byte[capacity];
    }

    byte[] bytes()
    {
        if (bytes == null)
        {
            throw new IllegalStateException("the buffer has been freed (BufferFactory.destroy)");
        }
        return bytes;
    }

    @Override
    public int getCapacity()
    {
        return bytes == null ? 0 : bytes.length;
    }

    @Override
    public void free()
    {
        bytes = null;
    }
}
