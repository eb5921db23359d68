package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Ringfold;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java-array form of every collective for every primitive array type (double[], float[], long[], int[], byte[],
 * and short[] as F16), called through its public overload, at offsets, against a reference: the elements around each
 * destination stay as they were, and the arguments only the root reads are passed as null elsewhere. Prints
 * {@code ok array-forms rank r}.
 */
public final class ArrayFormsRanks
{
    private static final double UNTOUCHED = 9;
    private static final int SRC_OFFSET = 1;
    private static final int DST_OFFSET = 2;
    private static final Class<?>[] TYPES = {double[].class, float[].class, long[].class, int[].class, short[].class,
        byte[].class};

    private static int me;
    private static int n;
    private static Collectives c;

    public static void main(final String[] args) throws Exception
    {
        try (Ringfold rf = Ringfold.init())
        {
            final Communicator world = rf.world();
            me = world.rank();
            n = world.size();
            c = Collectives.of(world);
            int calls = 0;
            for (final Class<?> type : TYPES)
            {
                for (final int count : new int[] {0, 5, 3000})
                {
                    for (int root = 0; root < n; root += Math.max(1, n - 1))
                    {
                        calls += everyOperation(type, count, root);
                    }
                }
            }
            world.barrier();
            System.out.println("ok array-forms rank " + me + " (" + calls + " calls)");
        }
    }

    /** Small integers every type holds exactly, summed over four ranks too. */
    private static double value(final int rank, final int index)
    {
        return rank + 1 + index % 3;
    }

    private static int everyOperation(final Class<?> type, final int count, final int root) throws Exception
    {
        final boolean isRoot = me == root;
        // allReduce, src into dst
        Object src = source(type, count, 0, (b, i) -> value(me, i));
        Object dst = destination(type, count);
        call("allReduce", type, true, src, SRC_OFFSET, dst, DST_OFFSET, count, ReduceOp.SUM);
        verify("allReduce", dst, count, i -> sum(0, n, i));
        // broadcast
        Object data = source(type, count, 0, (b, i) -> isRoot ? value(me, i) : UNTOUCHED);
        call("broadcast", type, false, data, SRC_OFFSET, count, root);
        verifyAt("broadcast", data, SRC_OFFSET, count, i -> value(root, i));
        // reduce: dst only on the root
        src = source(type, count, 0, (b, i) -> value(me, i));
        dst = isRoot ? destination(type, count) : null;
        call("reduce", type, true, src, SRC_OFFSET, dst, DST_OFFSET, count, ReduceOp.SUM, root);
        if (isRoot)
        {
            verify("reduce", dst, count, i -> sum(0, n, i));
        }
        // allGather
        src = source(type, count, 0, (b, i) -> value(me, i));
        dst = destination(type, n * count);
        call("allGather", type, false, src, SRC_OFFSET, dst, DST_OFFSET, count);
        verify("allGather", dst, n * count, i -> value(i / Math.max(1, count), i % Math.max(1, count)));
        // gather: dst only on the root
        dst = isRoot ? destination(type, n * count) : null;
        call("gather", type, false, src, SRC_OFFSET, dst, DST_OFFSET, count, root);
        if (isRoot)
        {
            verify("gather", dst, n * count, i -> value(i / Math.max(1, count), i % Math.max(1, count)));
        }
        // scatter: src only on the root, block r for rank r
        src = isRoot ? source(type, n * count, 0, (b, i) -> value(i / Math.max(1, count), i % Math.max(1, count))) :
            null;
        dst = destination(type, count);
        call("scatter", type, false, src, SRC_OFFSET, dst, DST_OFFSET, count, root);
        verify("scatter", dst, count, i -> value(me, i));
        // reduceScatter: block b of every rank's src reduced into rank b
        src = source(type, n * count, 0, (b, i) -> value(me, i));
        dst = destination(type, count);
        call("reduceScatter", type, true, src, SRC_OFFSET, dst, DST_OFFSET, count, ReduceOp.SUM);
        verify("reduceScatter", dst, count, i -> sum(0, n, me * count + i));
        // allToAll: block r of my src goes to rank r; block s of my dst came from rank s
        src = source(type, n * count, 0, (b, i) -> value(me, i) + i / Math.max(1, count) % 2);
        dst = destination(type, n * count);
        call("allToAll", type, false, src, SRC_OFFSET, dst, DST_OFFSET, count);
        verify("allToAll", dst, n * count, i -> value(i / Math.max(1, count), me * count + i % Math.max(1, count)) +
            me % 2);
        // scan and exscan (rank 0's exscan destination stays as it was)
        src = source(type, count, 0, (b, i) -> value(me, i));
        dst = destination(type, count);
        call("scan", type, true, src, SRC_OFFSET, dst, DST_OFFSET, count, ReduceOp.SUM);
        verify("scan", dst, count, i -> sum(0, me + 1, i));
        dst = destination(type, count);
        call("exscan", type, true, src, SRC_OFFSET, dst, DST_OFFSET, count, ReduceOp.SUM);
        verify("exscan", dst, count, i -> me == 0 ? UNTOUCHED : sum(0, me, i));
        return 10;
    }

    private static double sum(final int from, final int to, final int index)
    {
        double s = 0;
        for (int r = from; r < to; r++)
        {
            s += value(r, index);
        }
        return s;
    }

    interface Fill
    {
        double at(int block, int index);
    }

    interface Expect
    {
        double at(int index);
    }

    /** {@code count} elements from {@link #SRC_OFFSET}, with an element of {@link #UNTOUCHED} either side. */
    private static Object source(final Class<?> type, final int count, final int block, final Fill fill)
    {
        final Object a = java.lang.reflect.Array.newInstance(type.getComponentType(), count + SRC_OFFSET + 1);
        for (int i = 0; i < count + SRC_OFFSET + 1; i++)
        {
            put(a, i, i < SRC_OFFSET || i >= SRC_OFFSET + count ? UNTOUCHED : fill.at(block, i - SRC_OFFSET));
        }
        return a;
    }

    private static Object destination(final Class<?> type, final int count)
    {
        final Object a = java.lang.reflect.Array.newInstance(type.getComponentType(), count + DST_OFFSET + 1);
        for (int i = 0; i < count + DST_OFFSET + 1; i++)
        {
            put(a, i, UNTOUCHED);
        }
        return a;
    }

    private static void verify(final String op, final Object dst, final int count, final Expect expect)
    {
        verifyAt(op, dst, DST_OFFSET, count, expect);
    }

    private static void verifyAt(final String op, final Object a, final int offset, final int count,
        final Expect expect)
    {
        final int length = java.lang.reflect.Array.getLength(a);
        for (int i = 0; i < length; i++)
        {
            final double want = i < offset || i >= offset + count ? UNTOUCHED : expect.at(i - offset);
            final double got = get(a, i);
            if (want != got)
            {
                throw new AssertionError("rank " + me + ": " + op + "(" + a.getClass().getSimpleName() + ", count " +
                    count + ") element " + i + " is " + got + ", expected " + want);
            }
        }
    }

    /**
     * Calls the public overload {@code name} for arrays of {@code type}: the array arguments typed as {@code type},
     * and for short[] reductions the half-float type (F16) before the op.
     */
    private static void call(final String name, final Class<?> type, final boolean reducing, final Object... args)
        throws Exception
    {
        final List<Class<?>> parameters = new ArrayList<>();
        final List<Object> values = new ArrayList<>();
        for (final Object arg : args)
        {
            if (arg instanceof ReduceOp && type == short[].class && reducing)
            {
                parameters.add(DType.class);
                values.add(DType.F16);
            }
            parameters.add(arg == null || arg.getClass().isArray() ? type : arg instanceof ReduceOp ? ReduceOp.class :
                int.class);
            values.add(arg);
        }
        final Method method = Collectives.class.getMethod(name, parameters.toArray(new Class<?>[0]));
        try
        {
            method.invoke(c, values.toArray());
        }
        catch (final InvocationTargetException ex)
        {
            throw ex.getCause() instanceof Exception e ? e : new RuntimeException(ex.getCause());
        }
    }

    private static void put(final Object a, final int i, final double v)
    {
        switch (a)
        {
            case double[] d -> d[i] = v;
            case float[] f -> f[i] = (float)v;
            case long[] l -> l[i] = (long)v;
            case int[] x -> x[i] = (int)v;
            case short[] s -> s[i] = Float.floatToFloat16((float)v);
            case byte[] b -> b[i] = (byte)v;
            default -> throw new IllegalArgumentException(a.getClass().toString());
        }
    }

    private static double get(final Object a, final int i)
    {
        return switch (a)
        {
            case double[] d -> d[i];
            case float[] f -> f[i];
            case long[] l -> l[i];
            case int[] x -> x[i];
            case short[] s -> Float.float16ToFloat(s[i]);
            case byte[] b -> b[i];
            default -> throw new IllegalArgumentException(a.getClass().toString());
        };
    }
}
