package mpjbuf;

/** A {@link BufferException} of MPJ Express's kind: a write to a committed buffer, or a read from one still being written. */
public class WrongStateException extends BufferException
{
    public WrongStateException()
    {
        super();
    }

    public WrongStateException(final String message)
    {
        super(message);
    }
}
