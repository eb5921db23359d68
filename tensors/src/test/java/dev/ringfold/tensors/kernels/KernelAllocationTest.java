package dev.ringfold.tensors.kernels;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

/**
 * Once compiled, the kernels allocate nothing ({@link AllocationFree}).
 */
final class KernelAllocationTest
{
    private static final int N = 4099;

    @Test
    void reduceKernels()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final long a = Scalar.allocate(arena, 8L * N, 1);
            final long b = Scalar.allocate(arena, 8L * N, 2);
            final long acc = Scalar.allocate(arena, 4L * N, 3);
            final long[] srcs = { a, b, b };
            // values() clones its array: take the arrays once, outside the measured batch.
            final DType[] dtypes = DType.values();
            final ReduceOp[] ops = ReduceOp.values();
            final DType[] accumulating = { DType.F32, DType.BF16, DType.F16 };
            final ReduceOp[] floatOps = { ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX };
            AllocationFree.assertEventually("reduce", () ->
            {
                reduceEveryOp(dtypes, ops, a, b, srcs, N);
                for (final DType dtype : accumulating)
                {
                    ReduceKernels.widenToF32(dtype, acc, b, N);
                    for (final ReduceOp op : floatOps)
                    {
                        ReduceKernels.accumulateToF32(op, dtype, acc, b, N);
                    }
                    ReduceKernels.roundFromF32(dtype, a, acc, N);
                    ReduceKernels.scale(dtype, a, N, 0.5);
                }
            });
        }
    }

    /**
     * Every op of {@code dtypes} through reduce (out of place and in place) and reduceAll, then divide: the batch
     * both paths' allocation checks run (WithoutVectorApiTest runs it on the plain Java loops).
     */
    static void reduceEveryOp(
        final DType[] dtypes, final ReduceOp[] ops, final long a, final long b, final long[] srcs, final int n)
    {
        for (final DType dtype : dtypes)
        {
            for (final ReduceOp op : ops)
            {
                if (op.supports(dtype))
                {
                    ReduceKernels.reduce(op, dtype, a, b, n);
                    ReduceKernels.reduce(op, dtype, b, a, b, n);
                    ReduceKernels.reduceAll(op, dtype, a, srcs, n);
                }
            }
            ReduceKernels.divide(dtype, a, n, 3);
        }
    }

    @Test
    void gemmAndNn()
    {
        final int m = 45;
        final int n = 70;
        final int k = 300;
        try (Arena arena = Arena.ofConfined())
        {
            final long a = Scalar.allocate(arena, 4L * m * k, 0);
            final long b = Scalar.allocate(arena, 4L * k * n, 0);
            final long c = Scalar.allocate(arena, 4L * m * n, 0);
            final long bias = Scalar.allocate(arena, 4L * n, 0);
            final long labels = Scalar.allocate(arena, 4L * m, 0);
            Init.uniform(1, 0, a, (long)m * k, -1, 1);
            Init.uniform(2, 0, b, (long)k * n, -1, 1);
            AllocationFree.assertEventually("gemm and nn", () ->
            {
                Gemm.sgemm(false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
                Gemm.sgemm(true, true, m, n, k, 0.5f, a, m, b, k, 1.0f, c, n);
                Nn.biasAdd(m, n, c, n, bias);
                Nn.biasBackward(m, n, c, n, bias);
                Nn.relu(c, c, (long)m * n);
                Nn.reluBackward(c, c, c, (long)m * n);
                Nn.softmaxCrossEntropy(m, n, c, labels, c);
                Nn.softmaxCrossEntropyBackward(m, n, c, labels, c);
                Nn.axpy((long)m * n, -0.1f, c, c);
                Init.he(3, 0, bias, n, 10);
            });
        }
    }
}
