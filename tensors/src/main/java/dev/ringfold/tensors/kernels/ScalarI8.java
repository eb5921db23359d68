package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.ReduceOp;

import static dev.ringfold.tensors.kernels.Memory.getByte;
import static dev.ringfold.tensors.kernels.Memory.putByte;

/**
 * I8 and U8 loops in plain Java over the bytes [fromByte, toByte) of the regions: the tails of {@link ReduceI8}'s
 * vector loops, and the whole of each loop in a JVM started without the Vector API module (ReduceKernels chooses).
 * The same bits for every op but MIN, MAX and division, which are unsigned for U8. Integer arithmetic wraps (two's
 * complement), as in the vector lanes, in Java and in C.
 * Names no Vector API class, not even in a signature or a field: verifying a class that does loads the module's
 * classes, and a JVM started without the module would fail with a NoClassDefFoundError.
 */
final class ScalarI8
{
    private static final long SIZE = Byte.BYTES;

    private ScalarI8()
    {
    }

    /**
     * Tables of the loops over whole regions, indexed as the vector classes' (see ReduceF32 for why tables of method
     * references rather than a switch), so that ReduceKernels picks one table or the other and calls through the
     * same site; here they keep each op's loop a method of its own, which C2 compiles (and vectorises) on its own.
     * A class of their own, initialised only where ReduceKernels uses them: the vector loops call ScalarI8 for their
     * tails, and building the tables (a class spun per method reference) would add about 15 ms to a program's
     * first reduction there.
     */
    static final class Tables
    {
        /** dst = a op b per element from byte 0, by {@code ReduceOp.ordinal()}; null where the op is not defined. */
        static final Loops.Binary[] I8_BINARY = new Loops.Binary[ReduceOp.values().length];
        /** dst = ((s0 op s1) op s2) ... per element from byte 0, by {@code ReduceOp.ordinal()}. */
        static final Loops.Multi[] I8_MULTI = new Loops.Multi[ReduceOp.values().length];
        /** dst = a op b per element from byte 0, by {@code ReduceOp.ordinal()}; null where the op is not defined. */
        static final Loops.Binary[] U8_BINARY = new Loops.Binary[ReduceOp.values().length];
        /** dst = ((s0 op s1) op s2) ... per element from byte 0, by {@code ReduceOp.ordinal()}. */
        static final Loops.Multi[] U8_MULTI = new Loops.Multi[ReduceOp.values().length];

        static
        {
            I8_BINARY[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarI8::binarySum, SIZE);
            I8_MULTI[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarI8::multiSum, SIZE);
            I8_BINARY[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarI8::binarySum, SIZE);
            I8_MULTI[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarI8::multiSum, SIZE);
            I8_BINARY[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarI8::binaryProd, SIZE);
            I8_MULTI[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarI8::multiProd, SIZE);
            I8_BINARY[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarI8::binaryMin, SIZE);
            I8_MULTI[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarI8::multiMin, SIZE);
            I8_BINARY[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarI8::binaryMax, SIZE);
            I8_MULTI[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarI8::multiMax, SIZE);
            I8_BINARY[ReduceOp.BAND.ordinal()] = Loops.whole(ScalarI8::binaryAnd, SIZE);
            I8_MULTI[ReduceOp.BAND.ordinal()] = Loops.whole(ScalarI8::multiAnd, SIZE);
            I8_BINARY[ReduceOp.BOR.ordinal()] = Loops.whole(ScalarI8::binaryOr, SIZE);
            I8_MULTI[ReduceOp.BOR.ordinal()] = Loops.whole(ScalarI8::multiOr, SIZE);
            I8_BINARY[ReduceOp.BXOR.ordinal()] = Loops.whole(ScalarI8::binaryXor, SIZE);
            I8_MULTI[ReduceOp.BXOR.ordinal()] = Loops.whole(ScalarI8::multiXor, SIZE);
            U8_BINARY[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarI8::binarySum, SIZE);
            U8_MULTI[ReduceOp.SUM.ordinal()] = Loops.whole(ScalarI8::multiSum, SIZE);
            U8_BINARY[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarI8::binarySum, SIZE);
            U8_MULTI[ReduceOp.AVG.ordinal()] = Loops.whole(ScalarI8::multiSum, SIZE);
            U8_BINARY[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarI8::binaryProd, SIZE);
            U8_MULTI[ReduceOp.PROD.ordinal()] = Loops.whole(ScalarI8::multiProd, SIZE);
            U8_BINARY[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarI8::binaryUnsignedMin, SIZE);
            U8_MULTI[ReduceOp.MIN.ordinal()] = Loops.whole(ScalarI8::multiUnsignedMin, SIZE);
            U8_BINARY[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarI8::binaryUnsignedMax, SIZE);
            U8_MULTI[ReduceOp.MAX.ordinal()] = Loops.whole(ScalarI8::multiUnsignedMax, SIZE);
            U8_BINARY[ReduceOp.BAND.ordinal()] = Loops.whole(ScalarI8::binaryAnd, SIZE);
            U8_MULTI[ReduceOp.BAND.ordinal()] = Loops.whole(ScalarI8::multiAnd, SIZE);
            U8_BINARY[ReduceOp.BOR.ordinal()] = Loops.whole(ScalarI8::binaryOr, SIZE);
            U8_MULTI[ReduceOp.BOR.ordinal()] = Loops.whole(ScalarI8::multiOr, SIZE);
            U8_BINARY[ReduceOp.BXOR.ordinal()] = Loops.whole(ScalarI8::binaryXor, SIZE);
            U8_MULTI[ReduceOp.BXOR.ordinal()] = Loops.whole(ScalarI8::multiXor, SIZE);
        }

        private Tables()
        {
        }
    }

    static void binarySum(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)(getByte(a + o) + getByte(b + o)));
        }
    }

    static void multiSum(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)(acc + getByte(srcs[j] + o));
            }
            putByte(dst + o, acc);
        }
    }

    static void binaryProd(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)(getByte(a + o) * getByte(b + o)));
        }
    }

    static void multiProd(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)(acc * getByte(srcs[j] + o));
            }
            putByte(dst + o, acc);
        }
    }

    static void binaryMin(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)Math.min(getByte(a + o), getByte(b + o)));
        }
    }

    static void multiMin(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)Math.min(acc, getByte(srcs[j] + o));
            }
            putByte(dst + o, acc);
        }
    }

    static void binaryMax(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)Math.max(getByte(a + o), getByte(b + o)));
        }
    }

    static void multiMax(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)Math.max(acc, getByte(srcs[j] + o));
            }
            putByte(dst + o, acc);
        }
    }

    static void binaryUnsignedMin(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)Math.min(getByte(a + o) & 0xff, getByte(b + o) & 0xff));
        }
    }

    static void multiUnsignedMin(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)Math.min(acc & 0xff, getByte(srcs[j] + o) & 0xff);
            }
            putByte(dst + o, acc);
        }
    }

    static void binaryUnsignedMax(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)Math.max(getByte(a + o) & 0xff, getByte(b + o) & 0xff));
        }
    }

    static void multiUnsignedMax(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)Math.max(acc & 0xff, getByte(srcs[j] + o) & 0xff);
            }
            putByte(dst + o, acc);
        }
    }

    static void binaryAnd(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)(getByte(a + o) & getByte(b + o)));
        }
    }

    static void multiAnd(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)(acc & getByte(srcs[j] + o));
            }
            putByte(dst + o, acc);
        }
    }

    static void binaryOr(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)(getByte(a + o) | getByte(b + o)));
        }
    }

    static void multiOr(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)(acc | getByte(srcs[j] + o));
            }
            putByte(dst + o, acc);
        }
    }

    static void binaryXor(final long dst, final long a, final long b, final long fromByte, final long toByte)
    {
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            putByte(dst + o, (byte)(getByte(a + o) ^ getByte(b + o)));
        }
    }

    static void multiXor(final long dst, final long[] srcs, final long fromByte, final long toByte)
    {
        final int k = srcs.length;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            byte acc = getByte(srcs[0] + o);
            for (int j = 1; j < k; j++)
            {
                acc = (byte)(acc ^ getByte(srcs[j] + o));
            }
            putByte(dst + o, acc);
        }
    }

    /**
     * x[i] = x[i] / divisor, truncated toward zero; U8 divides the unsigned value. It is the wrapped sum that is
     * divided: an average of bytes whose sum overflowed a byte is not the true average (widen first if it matters).
     */
    static void divide(
        final boolean unsigned, final long x, final long fromByte, final long toByte, final long divisor)
    {
        // the one loop of both paths: x86 has no integer vector division, the Vector API would fall back to Java
        // code per lane
        final int d = (int)divisor;
        for (long o = fromByte; o < toByte; o += SIZE)
        {
            final byte v = getByte(x + o);
            putByte(x + o, (byte)(unsigned ? (v & 0xff) / d : v / d));
        }
    }

}
