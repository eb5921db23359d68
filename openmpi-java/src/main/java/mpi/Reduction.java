package mpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The generic reduction kernel: {@code inout = in op inout} over packed items of a datatype (its basic elements
 * back to back, as messages carry them), for every op and type that MPI defines, including MAXLOC/MINLOC on the
 * value-index pairs and the user's functions. Ringfold's collectives reduce the common cases (SUM ... of int,
 * long, float, double) themselves; this serves the rest.
 */
final class Reduction
{
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfChar CHAR = ValueLayout.JAVA_CHAR_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private Reduction()
    {
    }

    /** Null when MPI defines {@code op} on {@code type}, else why not (MPI_ERR_OP). */
    static String unsupported(final Op op, final Datatype type)
    {
        if (op.isNull())
        {
            return "the op was freed";
        }
        switch (op.kind)
        {
            case USER:
                return null;
            case REPLACE, NO_OP:
                return op.mpiName() + " is for one-sided accumulate only";
            case MAXLOC, MINLOC:
                return type.pairKind >= 0 ? null : op.mpiName() + " needs a value-index pair type " +
                    "(MPI.INT2, SHORT_INT, LONG_INT, FLOAT_INT, DOUBLE_INT), not " + type.describe();
            default:
                break;
        }
        for (final byte kind : type.runKind)
        {
            final boolean integer = kind == Datatype.BYTE || kind == Datatype.CHAR || kind == Datatype.SHORT ||
                kind == Datatype.INT || kind == Datatype.LONG;
            final boolean ok = switch (op.kind)
            {
                case MAX, MIN, SUM, PROD -> integer || kind == Datatype.FLOAT || kind == Datatype.DOUBLE;
                case LAND, LOR, LXOR -> integer || kind == Datatype.BOOLEAN;
                default -> integer;
            };
            if (!ok || kind == Datatype.PACKED)
            {
                return op.mpiName() + " is not defined for " + type.describe();
            }
        }
        return null;
    }

    /** {@code inout = in op inout} for count items of type, both packed. */
    static void combine(final Op op, final Datatype type, final MemorySegment in, final MemorySegment inout,
        final int count) throws MPIException
    {
        switch (op.kind)
        {
            case USER -> user(op, type, in, inout, count);
            case MAXLOC, MINLOC -> pairs(op.kind == Op.Kind.MAXLOC, type.pairKind, in, inout,
                (int)(count * type.size / (Datatype.sizeOf(type.pairKind) + 4)));
            default ->
            {
                long at = 0;
                for (int i = 0; i < count; i++)
                {
                    for (int r = 0; r < type.runKind.length; r++)
                    {
                        final int kind = type.runKind[r];
                        elements(op.kind, kind, in, inout, at, type.runLength[r]);
                        at += (long)type.runLength[r] * Datatype.sizeOf(kind);
                    }
                }
            }
        }
    }

    private static void elements(final Op.Kind op, final int kind, final MemorySegment in, final MemorySegment io,
        final long at, final int n)
    {
        switch (kind)
        {
            case Datatype.BYTE, Datatype.BOOLEAN, Datatype.PACKED ->
            {
                for (int i = 0; i < n; i++)
                {
                    final long p = at + i;
                    io.set(ValueLayout.JAVA_BYTE, p, (byte)integer(op, in.get(ValueLayout.JAVA_BYTE, p) & 0xFF,
                        io.get(ValueLayout.JAVA_BYTE, p) & 0xFF, true));
                }
            }
            case Datatype.CHAR ->
            {
                for (int i = 0; i < n; i++)
                {
                    final long p = at + 2L * i;
                    io.set(CHAR, p, (char)integer(op, in.get(CHAR, p), io.get(CHAR, p), true));
                }
            }
            case Datatype.SHORT ->
            {
                for (int i = 0; i < n; i++)
                {
                    final long p = at + 2L * i;
                    io.set(SHORT, p, (short)integer(op, in.get(SHORT, p), io.get(SHORT, p), false));
                }
            }
            case Datatype.INT ->
            {
                for (int i = 0; i < n; i++)
                {
                    final long p = at + 4L * i;
                    io.set(INT, p, (int)integer(op, in.get(INT, p), io.get(INT, p), false));
                }
            }
            case Datatype.LONG ->
            {
                for (int i = 0; i < n; i++)
                {
                    final long p = at + 8L * i;
                    io.set(LONG, p, integer(op, in.get(LONG, p), io.get(LONG, p), false));
                }
            }
            case Datatype.FLOAT ->
            {
                for (int i = 0; i < n; i++)
                {
                    final long p = at + 4L * i;
                    io.set(FLOAT, p, (float)real(op, in.get(FLOAT, p), io.get(FLOAT, p)));
                }
            }
            default ->
            {
                for (int i = 0; i < n; i++)
                {
                    final long p = at + 8L * i;
                    io.set(DOUBLE, p, real(op, in.get(DOUBLE, p), io.get(DOUBLE, p)));
                }
            }
        }
    }

    /** a op b for integers (unsigned: compared as such; they arrive zero-extended). */
    private static long integer(final Op.Kind op, final long a, final long b, final boolean unsigned)
    {
        return switch (op)
        {
            case MAX -> unsigned ? (Long.compareUnsigned(a, b) >= 0 ? a : b) : Math.max(a, b);
            case MIN -> unsigned ? (Long.compareUnsigned(a, b) <= 0 ? a : b) : Math.min(a, b);
            case SUM -> a + b;
            case PROD -> a * b;
            case LAND -> (a != 0 && b != 0) ? 1 : 0;
            case LOR -> (a != 0 || b != 0) ? 1 : 0;
            case LXOR -> ((a != 0) != (b != 0)) ? 1 : 0;
            case BAND -> a & b;
            case BOR -> a | b;
            case BXOR -> a ^ b;
            default -> throw new IllegalStateException(op + " is not an element-wise op");
        };
    }

    private static double real(final Op.Kind op, final double a, final double b)
    {
        return switch (op)
        {
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case SUM -> a + b;
            case PROD -> a * b;
            default -> throw new IllegalStateException(op + " is not defined for floating point");
        };
    }

    /** MAXLOC/MINLOC: the better value wins; on a tie, the smaller index (MPI's rule). */
    private static void pairs(final boolean max, final int kind, final MemorySegment in, final MemorySegment io,
        final int n)
    {
        final int valueBytes = Datatype.sizeOf(kind);
        final int pair = valueBytes + 4;
        for (int i = 0; i < n; i++)
        {
            final long p = (long)i * pair;
            final double a = value(kind, in, p);
            final double b = value(kind, io, p);
            final int ia = in.get(INT, p + valueBytes);
            final int ib = io.get(INT, p + valueBytes);
            final boolean takeIn = max ? a > b : a < b;
            if (takeIn)
            {
                MemorySegment.copy(in, p, io, p, pair);
            }
            else if (a == b && ia < ib)
            {
                io.set(INT, p + valueBytes, ia);
            }
        }
    }

    private static double value(final int kind, final MemorySegment s, final long p)
    {
        return switch (kind)
        {
            case Datatype.SHORT -> s.get(SHORT, p);
            case Datatype.INT -> s.get(INT, p);
            case Datatype.LONG -> s.get(LONG, p);
            case Datatype.FLOAT -> s.get(FLOAT, p);
            default -> s.get(DOUBLE, p);
        };
    }

    /**
     * The user's function sees the items as the datatype lays them out (count times the extent), in direct buffers
     * of native order, or boolean arrays for a boolean base type, as under Open MPI.
     */
    private static void user(final Op op, final Datatype type, final MemorySegment in, final MemorySegment inout,
        final int count) throws MPIException
    {
        try (Arena arena = Arena.ofConfined())
        {
            final long bytes = Math.max(1, count * type.extent);
            final MemorySegment a = arena.allocate(bytes, 16);
            final MemorySegment b = arena.allocate(bytes, 16);
            type.unpack(in, 0, a, -type.lb, count);
            type.unpack(inout, 0, b, -type.lb, count);
            if (type.baseType == Datatype.BOOLEAN)
            {
                final boolean[] x = booleans(a, count * type.extent);
                final boolean[] y = booleans(b, count * type.extent);
                op.function.call(x, y, count, type);
                for (int i = 0; i < y.length; i++)
                {
                    b.set(ValueLayout.JAVA_BYTE, i, (byte)(y[i] ? 1 : 0));
                }
            }
            else
            {
                op.function.call(a.asByteBuffer().order(ByteOrder.nativeOrder()),
                    b.asByteBuffer().order(ByteOrder.nativeOrder()), count, type);
            }
            type.pack(b, -type.lb, count, inout, 0);
        }
    }

    private static boolean[] booleans(final MemorySegment s, final long n)
    {
        final boolean[] out = new boolean[(int)n];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = s.get(ValueLayout.JAVA_BYTE, i) != 0;
        }
        return out;
    }
}
