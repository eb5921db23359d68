package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;

import static dev.ringfold.tensors.kernels.Memory.getInt;
import static dev.ringfold.tensors.kernels.Memory.putInt;

/**
 * I32 loops in plain Java over the bytes [fromByte, toByte) of the regions: the tails of {@link ReduceI32}'s
 * vector loops, and the whole of each loop in a JVM started without the Vector API module (ReduceKernels chooses).
 * Integer arithmetic wraps (two's complement), as in the vector lanes, in Java and in C.
 * Names no Vector API class, not even in a signature or a field: verifying a class that does loads the module's
 * classes, and a JVM started without the module would fail with a NoClassDefFoundError.
 */
final class ScalarI32
{
    private static final long SIZE = Integer.BYTES;

    private ScalarI32()
    {
    }

    /**
     * Tables of the loops over whole regions, indexed as the vector classes' (see ReduceF32 for why tables of method
     * references rather than a switch), so that ReduceKernels picks one table or the other and calls through the
     * same site; here they keep each op's loop a method of its own, which C2 compiles (and vectorises) on its own.
     * A class of their own, initialised only where ReduceKernels uses them: the vector loops call ScalarI32 for their
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
            BINARY[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarI32::binarySum, SIZE);
            MULTI[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarI32::multiSum, SIZE);
            BINARY[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarI32::binarySum, SIZE);
            MULTI[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarI32::multiSum, SIZE);
            BINARY[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarI32::binaryProd, SIZE);
            MULTI[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarI32::multiProd, SIZE);
            BINARY[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarI32::binaryMin, SIZE);
            MULTI[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarI32::multiMin, SIZE);
            BINARY[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarI32::binaryMax, SIZE);
            MULTI[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarI32::multiMax, SIZE);
            BINARY[ReduceOp.BAND.ordinal()] = Loops.whole(ScalarI32::binaryAnd, SIZE);
            MULTI[ReduceOp.BAND.ordinal()] = Loops.whole(ScalarI32::multiAnd, SIZE);
            BINARY[ReduceOp.BOR.ordinal()] = Loops.whole(ScalarI32::binaryOr, SIZE);
            MULTI[ReduceOp.BOR.ordinal()] = Loops.whole(ScalarI32::multiOr, SIZE);
            BINARY[ReduceOp.BXOR.ordinal()] = Loops.whole(ScalarI32::binaryXor, SIZE);
            MULTI[ReduceOp.BXOR.ordinal()] = Loops.whole(ScalarI32::multiXor, SIZE);
        }

        private Tables()
        {
        }
    }

    static void binarySum(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putInt(dst + o, getInt(a + o) + getInt(b + o));
        }
    }

    static void multiSum(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            int acc = getInt(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc + getInt(srcs[j] + o);
            }
            putInt(dst + o, acc);
        }
    }

    static void binaryProd(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putInt(dst + o, getInt(a + o) * getInt(b + o));
        }
    }

    static void multiProd(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            int acc = getInt(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc * getInt(srcs[j] + o);
            }
            putInt(dst + o, acc);
        }
    }

    static void binaryMin(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putInt(dst + o, Math.min(getInt(a + o), getInt(b + o)));
        }
    }

    static void multiMin(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            int acc = getInt(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.min(acc, getInt(srcs[j] + o));
            }
            putInt(dst + o, acc);
        }
    }

    static void binaryMax(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putInt(dst + o, Math.max(getInt(a + o), getInt(b + o)));
        }
    }

    static void multiMax(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            int acc = getInt(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = Math.max(acc, getInt(srcs[j] + o));
            }
            putInt(dst + o, acc);
        }
    }

    static void binaryAnd(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putInt(dst + o, getInt(a + o) & getInt(b + o));
        }
    }

    static void multiAnd(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            int acc = getInt(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc & getInt(srcs[j] + o);
            }
            putInt(dst + o, acc);
        }
    }

    static void binaryOr(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putInt(dst + o, getInt(a + o) | getInt(b + o));
        }
    }

    static void multiOr(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            int acc = getInt(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc | getInt(srcs[j] + o);
            }
            putInt(dst + o, acc);
        }
    }

    static void binaryXor(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putInt(dst + o, getInt(a + o) ^ getInt(b + o));
        }
    }

    static void multiXor(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            int acc = getInt(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = acc ^ getInt(srcs[j] + o);
            }
            putInt(dst + o, acc);
        }
    }

    /** x[i] = x[i] / divisor, truncated toward zero (Java's and C's integer division). */
    static void divide(final long x, final long fromByte, final long toByte, final long divisor)
    {
        // the one loop of both paths: x86 has no integer vector division, the Vector API would fall back to Java
        // code per lane
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putInt(x + o, getInt(x + o) / (int)divisor);
        }
    }

}
