package mpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** A complex number of floats (real, imaginary) in a buffer: a view for MPI.FLOAT_COMPLEX data. */
public final class FloatComplex
{
    private final FloatBuffer buffer;

    private FloatComplex(final FloatBuffer buffer)
    {
        this.buffer = buffer;
    }

    public static FloatComplex get(final FloatBuffer buffer)
    {
        return new FloatComplex(buffer);
    }

    public static FloatComplex get(final FloatBuffer buffer, final int index)
    {
        return new FloatComplex(MPI.slice(buffer, index * 2));
    }

    public static FloatComplex get(final float[] array)
    {
        return new FloatComplex(FloatBuffer.wrap(array));
    }

    public static FloatComplex get(final float[] array, final int index)
    {
        return new FloatComplex(FloatBuffer.wrap(array, index * 2, array.length - index * 2).slice());
    }

    public static FloatComplex get(final ByteBuffer buffer)
    {
        return new FloatComplex(buffer.order(ByteOrder.nativeOrder()).asFloatBuffer());
    }

    public static FloatComplex get(final ByteBuffer buffer, final int index)
    {
        return new FloatComplex(MPI.slice(buffer, index * 2 * 4).asFloatBuffer());
    }

    public float getReal()
    {
        return buffer.get(0);
    }

    public float getImag()
    {
        return buffer.get(1);
    }

    public void putReal(final float real)
    {
        buffer.put(0, real);
    }

    public void putImag(final float imag)
    {
        buffer.put(1, imag);
    }

    public FloatBuffer getBuffer()
    {
        return buffer;
    }
}
