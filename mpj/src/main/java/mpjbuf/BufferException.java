package mpjbuf;

/** What {@link Buffer}'s operations throw (checked, as in MPJ Express). */
public class BufferException extends Exception
{
    public BufferException()
    {
        super();
    }

    public BufferException(final String message)
    {
        super(message);
    }

    public BufferException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
