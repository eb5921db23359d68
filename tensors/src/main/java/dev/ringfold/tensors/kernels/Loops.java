package dev.ringfold.tensors.kernels;

/**
 * The shapes of the kernels' loops, so that ReduceKernels can reach them through tables (see ReduceF32 for why a
 * table and not a switch).
 */
final class Loops
{
    private Loops()
    {
    }

    /** dst[i] = a[i] op b[i] for count elements. */
    @FunctionalInterface
    interface Binary
    {
        void run(long dst, long a, long b, long count);
    }

    /** dst[i] = f(src[i]): conversions. */
    @FunctionalInterface
    interface Convert
    {
        void run(long dst, long src, long count);
    }

    /** x[i] = f(x[i], value): division and scaling. */
    @FunctionalInterface
    interface Unary
    {
        void run(long x, long count, double value);
    }

    /** dst[i] = srcs[0][i] op srcs[1][i] op ... */
    @FunctionalInterface
    interface Multi
    {
        void run(long dst, long[] srcs, long count);
    }

    /**
     * {@link Binary} over the bytes [fromByte, toByte) of the regions: the plain Java loops (ScalarF32 and the
     * others), which run the vector loops' tails as well as whole reductions where the Vector API is missing.
     */
    @FunctionalInterface
    interface BinaryRange
    {
        void run(long dst, long a, long b, long fromByte, long toByte);
    }

    /** {@link Multi} over the bytes [fromByte, toByte) of the regions. */
    @FunctionalInterface
    interface MultiRange
    {
        void run(long dst, long[] srcs, long fromByte, long toByte);
    }

    /** {@code loop} over the whole of {@code count} elements of {@code elementBytes} each. */
    static Binary whole(final BinaryRange loop, final long elementBytes)
    {
        return (dst, a, b, count) -> loop.run(dst, a, b, 0, count * elementBytes);
    }

    /** {@code loop} over the whole of {@code count} elements of {@code elementBytes} each. */
    static Multi whole(final MultiRange loop, final long elementBytes)
    {
        return (dst, srcs, count) -> loop.run(dst, srcs, 0, count * elementBytes);
    }
}
