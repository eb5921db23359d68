package mpjbuf;

/**
 * The storage under a {@link Buffer}, as {@link BufferFactory#create} gives it. Of MPJ Express's interface only what
 * programs call is here: the element-wise accessors are its device's business, and Buffer does that work here.
 */
public interface RawBuffer
{
    int getCapacity();

    void free();
}
