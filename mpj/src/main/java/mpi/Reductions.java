package mpi;

/**
 * The predefined operations on n contiguous base elements: {@code inout[i] = in[i] op inout[i]}. MAXLOC and MINLOC
 * take (value, index) pairs from the same array (MPI.INT2, DOUBLE2 ...): the larger (smaller) value wins, a tie
 * keeps the smaller index, as the MPI standard says.
 */
final class Reductions
{
    private Reductions()
    {
    }

    static void apply(final Op op, final int base, final Object in, final Object inout, final int n)
    {
        if (base == Datatype.BOOLEAN_CODE)
        {
            booleans(op, (boolean[])in, (boolean[])inout, n);
            return;
        }
        if (op.opCode == Op.MAXLOC_CODE || op.opCode == Op.MINLOC_CODE)
        {
            if (n % 2 != 0)
            {
                throw new MPIException(op + ": needs (value, index) pairs (MPI.INT2, DOUBLE2 ...), got " + n +
                    " elements");
            }
            for (int i = 0; i < n; i += 2)
            {
                final double a = get(in, i);
                final double b = get(inout, i);
                final boolean better = op.opCode == Op.MAXLOC_CODE ? a > b : a < b;
                if (better)
                {
                    set(inout, i, a);
                    set(inout, i + 1, get(in, i + 1));
                }
                else if (a == b)
                {
                    set(inout, i + 1, Math.min(get(in, i + 1), get(inout, i + 1)));
                }
            }
            return;
        }
        final boolean floating = base == Datatype.FLOAT_CODE || base == Datatype.DOUBLE_CODE;
        for (int i = 0; i < n; i++)
        {
            if (floating)
            {
                final double a = get(in, i);
                final double b = get(inout, i);
                set(inout, i, switch (op.opCode)
                {
                    case Op.MAX_CODE -> Math.max(a, b);
                    case Op.MIN_CODE -> Math.min(a, b);
                    case Op.SUM_CODE -> base == Datatype.FLOAT_CODE ? (float)a + (float)b : a + b;
                    case Op.PROD_CODE -> base == Datatype.FLOAT_CODE ? (float)a * (float)b : a * b;
                    default -> throw undefined(op, base);
                });
            }
            else
            {
                final long a = getLong(in, i);
                final long b = getLong(inout, i);
                setLong(inout, i, switch (op.opCode)
                {
                    case Op.MAX_CODE -> Math.max(a, b);
                    case Op.MIN_CODE -> Math.min(a, b);
                    case Op.SUM_CODE -> a + b;
                    case Op.PROD_CODE -> a * b;
                    case Op.BAND_CODE -> a & b;
                    case Op.BOR_CODE -> a | b;
                    case Op.BXOR_CODE -> a ^ b;
                    case Op.LAND_CODE -> (a != 0 && b != 0) ? 1 : 0;
                    case Op.LOR_CODE -> (a != 0 || b != 0) ? 1 : 0;
                    case Op.LXOR_CODE -> ((a != 0) != (b != 0)) ? 1 : 0;
                    default -> throw undefined(op, base);
                });
            }
        }
    }

    private static void booleans(final Op op, final boolean[] in, final boolean[] inout, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            inout[i] = switch (op.opCode)
            {
                case Op.LAND_CODE, Op.BAND_CODE, Op.MIN_CODE -> in[i] & inout[i];
                case Op.LOR_CODE, Op.BOR_CODE, Op.MAX_CODE -> in[i] | inout[i];
                case Op.LXOR_CODE, Op.BXOR_CODE -> in[i] ^ inout[i];
                default -> throw undefined(op, Datatype.BOOLEAN_CODE);
            };
        }
    }

    private static MPIException undefined(final Op op, final int base)
    {
        return new MPIException(op + " is not defined for " + Datatype.arrayClass(base).getSimpleName() + " elements");
    }

    private static double get(final Object a, final int i)
    {
        return switch (a)
        {
            case double[] d -> d[i];
            case float[] f -> f[i];
            default -> getLong(a, i);
        };
    }

    private static void set(final Object a, final int i, final double v)
    {
        switch (a)
        {
            case double[] d -> d[i] = v;
            case float[] f -> f[i] = (float)v;
            default -> setLong(a, i, (long)v);
        }
    }

    private static long getLong(final Object a, final int i)
    {
        return switch (a)
        {
            case byte[] b -> b[i];
            case short[] s -> s[i];
            case char[] c -> c[i];
            case int[] x -> x[i];
            case long[] l -> l[i];
            default -> throw new MPIException("no integer elements in " + a.getClass().getSimpleName());
        };
    }

    private static void setLong(final Object a, final int i, final long v)
    {
        switch (a)
        {
            case byte[] b -> b[i] = (byte)v;
            case short[] s -> s[i] = (short)v;
            case char[] c -> c[i] = (char)v;
            case int[] x -> x[i] = (int)v;
            case long[] l -> l[i] = v;
            default -> throw new MPIException("no integer elements in " + a.getClass().getSimpleName());
        }
    }
}
