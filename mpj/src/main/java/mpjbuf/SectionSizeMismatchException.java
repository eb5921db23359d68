package mpjbuf;

/** A {@link BufferException} of MPJ Express's kind: a section whose size does not match the read. */
public class SectionSizeMismatchException extends BufferException
{
    public SectionSizeMismatchException()
    {
        super();
    }

    public SectionSizeMismatchException(final String message)
    {
        super(message);
    }
}
