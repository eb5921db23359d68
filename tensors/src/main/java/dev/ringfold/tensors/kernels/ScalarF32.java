package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;

import static dev.ringfold.tensors.kernels.Memory.getFloat;
import static dev.ringfold.tensors.kernels.Memory.putFloat;

/**
 * F32 loops in plain Java over the bytes [fromByte, toByte) of the regions: the tails of {@link ReduceF32}'s
 * vector loops, and the whole of each loop in a JVM started without the Vector API module (ReduceKernels chooses).
 * The arithmetic is the vector lanes' (no FMA, no reassociation; MIN/MAX as {@link Math#min}/{@link Math#max}),
 * so both paths give the same bits.
 * Names no Vector API class, not even in a signature or a field: verifying a class that does loads the module's
 * classes, and a JVM started without the module would fail with a NoClassDefFoundError.
 */
final class ScalarF32
{
    private static final long SIZE = Float.BYTES;

    private ScalarF32()
    {
    }

    /**
     * Tables of the loops over whole regions, indexed as the vector classes' (see ReduceF32 for why tables of method
     * references rather than a switch), so that ReduceKernels picks one table or the other and calls through the
     * same site; here they keep each op's loop a method of its own, which C2 compiles (and vectorises) on its own.
     * A class of their own, initialised only where ReduceKernels uses them: the vector loops call ScalarF32 for their
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
            BINARY[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarF32::binarySum, SIZE);
            MULTI[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarF32::multiSum, SIZE);
            BINARY[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarF32::binarySum, SIZE);
            MULTI[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarF32::multiSum, SIZE);
            BINARY[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarF32::binaryProd, SIZE);
            MULTI[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarF32::multiProd, SIZE);
            BINARY[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarF32::binaryMin, SIZE);
            MULTI[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarF32::multiMin, SIZE);
            BINARY[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarF32::binaryMax, SIZE);
            MULTI[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarF32::multiMax, SIZE);
        }

        private Tables()
        {
        }
    }

    static void binarySum(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putFloat(dst + o, getFloat(a + o) + getFloat(b + o));
        }
    }

    static void multiSum(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            float acc = getFloat(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc + getFloat(srcs[j] + o);
            }
            putFloat(dst + o, acc);
        }
    }

    static void binaryProd(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putFloat(dst + o, getFloat(a + o) * getFloat(b + o));
        }
    }

    static void multiProd(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            float acc = getFloat(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc * getFloat(srcs[j] + o);
            }
            putFloat(dst + o, acc);
        }
    }

    static void binaryMin(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putFloat(dst + o, Math.min(getFloat(a + o), getFloat(b + o)));
        }
    }

    static void multiMin(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            float acc = getFloat(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.min(acc, getFloat(srcs[j] + o));
            }
            putFloat(dst + o, acc);
        }
    }

    static void binaryMax(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putFloat(dst + o, Math.max(getFloat(a + o), getFloat(b + o)));
        }
    }

    static void multiMax(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            float acc = getFloat(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.max(acc, getFloat(srcs[j] + o));
            }
            putFloat(dst + o, acc);
        }
    }

    static void divide(final long x, final long fromByte, final long toByte, final float divisor)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putFloat(x + o, getFloat(x + o) / divisor);
        }
    }

    static void scale(final long x, final long fromByte, final long toByte, final float factor)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putFloat(x + o, getFloat(x + o) * factor);
        }
    }
}
