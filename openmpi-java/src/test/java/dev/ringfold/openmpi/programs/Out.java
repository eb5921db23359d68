package dev.ringfold.openmpi.programs;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/** Output of the differential programs: one line per fact, "r<rank>: ...", so runs compare line for line. */
final class Out
{
    private final int rank;

    Out(final int rank)
    {
        this.rank = rank;
    }

    void line(final String what, final Object value)
    {
        System.out.println("r" + rank + ": " + what + " = " + show(value));
    }

    static String show(final Object v)
    {
        return switch (v)
        {
            case null -> "null";
            case int[] a -> Arrays.toString(a);
            case long[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case float[] a -> Arrays.toString(a);
            case short[] a -> Arrays.toString(a);
            case char[] a -> Arrays.toString(toInts(a));
            case byte[] a -> Arrays.toString(a);
            case boolean[] a -> Arrays.toString(a);
            case IntBuffer b -> contents(b);
            case LongBuffer b -> contents(b);
            case DoubleBuffer b -> contents(b);
            case FloatBuffer b -> contents(b);
            case ByteBuffer b -> contents(b);
            default -> String.valueOf(v);
        };
    }

    private static int[] toInts(final char[] a)
    {
        final int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++)
        {
            out[i] = a[i];
        }
        return out;
    }

    private static String contents(final Buffer b)
    {
        final StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < b.capacity(); i++)
        {
            if (i > 0)
            {
                s.append(", ");
            }
            s.append(switch (b)
            {
                case IntBuffer x -> String.valueOf(x.get(i));
                case LongBuffer x -> String.valueOf(x.get(i));
                case DoubleBuffer x -> String.valueOf(x.get(i));
                case FloatBuffer x -> String.valueOf(x.get(i));
                default -> String.valueOf(((ByteBuffer)b).get(i));
            });
        }
        return s.append(']').toString();
    }
}
