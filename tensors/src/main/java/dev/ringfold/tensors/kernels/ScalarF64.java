package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;

import static dev.ringfold.tensors.kernels.Memory.getDouble;
import static dev.ringfold.tensors.kernels.Memory.putDouble;

/**
 * F64 loops in plain Java, as {@link ScalarF32}: the tails of {@link ReduceF64}'s vector loops, and the whole of
 * each loop in a JVM started without the Vector API module.
 * Names no Vector API class, not even in a signature or a field: verifying a class that does loads the module's
 * classes, and a JVM started without the module would fail with a NoClassDefFoundError.
 */
final class ScalarF64
{
    private static final long SIZE = Double.BYTES;

    private ScalarF64()
    {
    }

    /**
     * Tables of the loops over whole regions, indexed as the vector classes' (see ReduceF32 for why tables of method
     * references rather than a switch), so that ReduceKernels picks one table or the other and calls through the
     * same site; here they keep each op's loop a method of its own, which C2 compiles (and vectorises) on its own.
     * A class of their own, initialised only where ReduceKernels uses them: the vector loops call ScalarF64 for their
     * tails, and building the tables (a class spun per method reference) would add about 15 ms to a program's
     * first reduction there.
     */
    static final class Tables
    {
        /** dst = a op b per element from byte 0, by {@code ReduceOp.ordinal()}; null where the op is not defined. */
        static final Loops.Binary[] BINARY = new Loops.Binary[ReduceOp.values().length];
        /** dst = ((s0 op s1) op s2) ... per element from byte 0, by {@code ReduceOp.ordinal()}. */
        static final Loops.Multi[] MULTI = new Loops.Multi[ReduceOp.values().length];

        static
        {
            BINARY[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarF64::binarySum, SIZE);
            MULTI[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarF64::multiSum, SIZE);
            BINARY[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarF64::binarySum, SIZE);
            MULTI[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarF64::multiSum, SIZE);
            BINARY[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarF64::binaryProd, SIZE);
            MULTI[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarF64::multiProd, SIZE);
            BINARY[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarF64::binaryMin, SIZE);
            MULTI[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarF64::multiMin, SIZE);
            BINARY[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarF64::binaryMax, SIZE);
            MULTI[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarF64::multiMax, SIZE);
        }

        private Tables()
        {
        }
    }

    static void binarySum(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putDouble(dst + o, getDouble(a + o) + getDouble(b + o));
        }
    }

    static void multiSum(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            double acc = getDouble(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc + getDouble(srcs[j] + o);
            }
            putDouble(dst + o, acc);
        }
    }

    static void binaryProd(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putDouble(dst + o, getDouble(a + o) * getDouble(b + o));
        }
    }

    static void multiProd(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            double acc = getDouble(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc * getDouble(srcs[j] + o);
            }
            putDouble(dst + o, acc);
        }
    }

    static void binaryMin(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putDouble(dst + o, Math.min(getDouble(a + o), getDouble(b + o)));
        }
    }

    static void multiMin(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            double acc = getDouble(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.min(acc, getDouble(srcs[j] + o));
            }
            putDouble(dst + o, acc);
        }
    }

    static void binaryMax(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putDouble(dst + o, Math.max(getDouble(a + o), getDouble(b + o)));
        }
    }

    static void multiMax(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            double acc = getDouble(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.max(acc, getDouble(srcs[j] + o));
            }
            putDouble(dst + o, acc);
        }
    }

    static void divide(final long x, final long fromByte, final long toByte, final double divisor)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putDouble(x + o, getDouble(x + o) / divisor);
        }
    }

    static void scale(final long x, final long fromByte, final long toByte, final double factor)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putDouble(x + o, getDouble(x + o) * factor);
        }
    }
}
