package mpjbuf;

/** A {@link BufferException} of MPJ Express's kind: a write past the buffer's capacity. */
public class BufferOverflowException extends BufferException
{
    public BufferOverflowException()
    {
        super();
    }

    public BufferOverflowException(final String message)
    {
        super(message);
    }
}
