package mpjbuf;

/** A {@link BufferException} of MPJ Express's kind: a read or write of another type than the section's. */
public class TypeMismatchException extends BufferException
{
    public TypeMismatchException()
    {
        super();
    }

    public TypeMismatchException(final String message)
    {
        super(message);
    }
}
