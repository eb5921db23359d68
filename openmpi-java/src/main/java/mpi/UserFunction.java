package mpi;

import java.nio.ByteBuffer;

/**
 * The user's reduction: {@code inOutVec[i] = inVec[i] op inOutVec[i]}. Ringfold calls the ByteBuffer form with
 * direct buffers in native order over the data of {@code count} items (count times the extent), as Open MPI does;
 * that form's default hands the data as Java arrays of the datatype's base type to the array form and copies the
 * result back, so a program overrides whichever of the two it likes.
 */
public abstract class UserFunction
{
    public UserFunction()
    {
    }

    public void call(final Object inVec, final Object inOutVec, final int count, final Datatype datatype)
        throws MPIException
    {
        throw new UnsupportedOperationException("Not supported yet.");
    }

    public void call(final ByteBuffer in, final ByteBuffer inOut, final int count, final Datatype datatype)
        throws MPIException
    {
        final int n = count * datatype.getExtent();
        switch (datatype.baseType)
        {
            case Datatype.BYTE, Datatype.PACKED ->
            {
                final byte[] a = new byte[n];
                final byte[] b = new byte[n];
                in.get(0, a);
                inOut.get(0, b);
                call(a, b, count, datatype);
                inOut.put(0, b);
            }
            case Datatype.CHAR ->
            {
                final char[] a = new char[n];
                final char[] b = new char[n];
                in.asCharBuffer().get(0, a);
                inOut.asCharBuffer().get(0, b);
                call(a, b, count, datatype);
                inOut.asCharBuffer().put(0, b);
            }
            case Datatype.SHORT ->
            {
                final short[] a = new short[n];
                final short[] b = new short[n];
                in.asShortBuffer().get(0, a);
                inOut.asShortBuffer().get(0, b);
                call(a, b, count, datatype);
                inOut.asShortBuffer().put(0, b);
            }
            case Datatype.INT ->
            {
                final int[] a = new int[n];
                final int[] b = new int[n];
                in.asIntBuffer().get(0, a);
                inOut.asIntBuffer().get(0, b);
                call(a, b, count, datatype);
                inOut.asIntBuffer().put(0, b);
            }
            case Datatype.LONG ->
            {
                final long[] a = new long[n];
                final long[] b = new long[n];
                in.asLongBuffer().get(0, a);
                inOut.asLongBuffer().get(0, b);
                call(a, b, count, datatype);
                inOut.asLongBuffer().put(0, b);
            }
            case Datatype.FLOAT ->
            {
                final float[] a = new float[n];
                final float[] b = new float[n];
                in.asFloatBuffer().get(0, a);
                inOut.asFloatBuffer().get(0, b);
                call(a, b, count, datatype);
                inOut.asFloatBuffer().put(0, b);
            }
            case Datatype.DOUBLE ->
            {
                final double[] a = new double[n];
                final double[] b = new double[n];
                in.asDoubleBuffer().get(0, a);
                inOut.asDoubleBuffer().get(0, b);
                call(a, b, count, datatype);
                inOut.asDoubleBuffer().put(0, b);
            }
            default -> throw new IllegalArgumentException("Unsupported datatype.");
        }
    }
}
