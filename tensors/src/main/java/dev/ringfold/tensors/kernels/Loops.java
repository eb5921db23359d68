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
}
