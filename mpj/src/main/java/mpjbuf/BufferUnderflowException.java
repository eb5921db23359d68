package mpjbuf;

/** A {@link BufferException} of MPJ Express's kind: a read past what the buffer or its section holds. */
public class BufferUnderflowException extends BufferException
{
    public BufferUnderflowException()
    {
        super();
    }

    public BufferUnderflowException(final String message)
    {
        super(message);
    }
}
