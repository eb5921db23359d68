package mpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;

/** A complex number of doubles (real, imaginary) in a buffer: a view for MPI.DOUBLE_COMPLEX data. */
public final class DoubleComplex
{
    private final DoubleBuffer buffer;

    private DoubleComplex(final DoubleBuffer buffer)
    {
        this.buffer = buffer;
    }

    public static DoubleComplex get(final DoubleBuffer buffer)
    {
        return new DoubleComplex(buffer);
    }

    public static DoubleComplex get(final DoubleBuffer buffer, final int index)
    {
        return new DoubleComplex(MPI.slice(buffer, index * 2));
    }

    public static DoubleComplex get(final double[] array)
    {
        return new DoubleComplex(DoubleBuffer.wrap(array));
    }

    public static DoubleComplex get(final double[] array, final int index)
    {
        return new DoubleComplex(DoubleBuffer.wrap(array, index * 2, array.length - index * 2).slice());
    }

    public static DoubleComplex get(final ByteBuffer buffer)
    {
        return new DoubleComplex(buffer.order(ByteOrder.nativeOrder()).asDoubleBuffer());
    }

    public static DoubleComplex get(final ByteBuffer buffer, final int index)
    {
        return new DoubleComplex(MPI.slice(buffer, index * 2 * 8).asDoubleBuffer());
    }

    public double getReal()
    {
        return buffer.get(0);
    }

    public double getImag()
    {
        return buffer.get(1);
    }

    public void putReal(final double real)
    {
        buffer.put(0, real);
    }

    public void putImag(final double imag)
    {
        buffer.put(1, imag);
    }

    public DoubleBuffer getBuffer()
    {
        return buffer;
    }
}
