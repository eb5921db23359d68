package dev.ringfold.tensors.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.ringfold.tensors.kernels.Memory.ALL;
import static dev.ringfold.tensors.kernels.Memory.F32;
import static dev.ringfold.tensors.kernels.Memory.ORDER;

/**
 * Single-precision GEMM, row-major: {@code C = alpha * op(A) * op(B) + beta * C} with {@code op(X)} = X or its
 * transpose, as BLAS {@code sgemm} with row-major storage. A is m x k after op, B is k x n after op, C is m x n;
 * {@code lda}, {@code ldb}, {@code ldc} are row strides in elements. {@code beta == 0} ignores what C held
 * (NaN included), as in BLAS.
 *
 * <p>Blocked the BLIS way, for one core: B is packed in KC x NC blocks into panels NR wide (kept in L3, a panel in
 * L1), A in MC x KC blocks into panels MR tall (kept in L2), and a {@value #MR} x (2 vectors) register tile of C
 * is computed with vector FMA by the micro-kernel. The sums run in a different order from a naive loop and use
 * FMA, so results are close to, not bit-identical with, a naive triple loop (error bound as any blocked GEMM:
 * about k * eps * sum |a||b| per element). Packing buffers are per thread and made once; after that no call
 * allocates. Single-threaded: ranks are processes, one core each.
 */
public final class Gemm
{
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();

    /** Rows of the register tile: {@value} rows x 2 vectors = 24 accumulators of the 32 AVX-512 registers. */
    static final int MR = 12;
    static final int NR = 2 * LANES;
    static final int KC = 256;
    static final int MC = 16 * MR;
    static final int NC = 128 * NR;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Gemm()
    {
    }

    /** Off-heap operands at absolute addresses. */
    public static void sgemm(
        final boolean transA,
        final boolean transB,
        final int m,
        final int n,
        final int k,
        final float alpha,
        final long a,
        final int lda,
        final long b,
        final int ldb,
        final float beta,
        final long c,
        final int ldc)
    {
        gemm(transA, transB, m, n, k, alpha, ALL, a, lda, ALL, b, ldb, beta, ALL, c, ldc);
    }

    /** Heap operands: each matrix starts at its offset (in elements) into its array. */
    public static void sgemm(
        final boolean transA,
        final boolean transB,
        final int m,
        final int n,
        final int k,
        final float alpha,
        final float[] a,
        final int aOffset,
        final int lda,
        final float[] b,
        final int bOffset,
        final int ldb,
        final float beta,
        final float[] c,
        final int cOffset,
        final int ldc)
    {
        gemm(transA, transB, m, n, k, alpha,
            MemorySegment.ofArray(a), 4L * aOffset, lda,
            MemorySegment.ofArray(b), 4L * bOffset, ldb,
            beta, MemorySegment.ofArray(c), 4L * cOffset, ldc);
    }

    /**
     * Run between the blocks of every multiplication this thread makes from now on (at most {@code MC} rows by
     * {@code KC} of depth apart); null for nothing. Where the thread that drives a rank's communication lets it
     * progress inside a long multiplication: a rank's runtime has no thread of its own, and a model's first
     * multiplications in a new JVM run interpreted for hundreds of milliseconds each, in which a data-parallel
     * replica would answer no peer. The poll may throw; the multiplication is then abandoned, its output holding
     * a partial result.
     */
    public static void pollOnThisThread(final Runnable poll)
    {
        WORKSPACE.get().poll = poll;
    }

    private static void gemm(
        final boolean transA,
        final boolean transB,
        final int m,
        final int n,
        final int k,
        final float alpha,
        final MemorySegment as,
        final long a,
        final int lda,
        final MemorySegment bs,
        final long b,
        final int ldb,
        final float beta,
        final MemorySegment cs,
        final long c,
        final int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new IllegalArgumentException("negative dimension: m=" + m + " n=" + n + " k=" + k);
        }
        checkStride("lda", lda, transA ? m : k);
        checkStride("ldb", ldb, transB ? k : n);
        checkStride("ldc", ldc, n);
        if (m == 0 || n == 0)
        {
            return;
        }
        if (k == 0 || alpha == 0.0f)
        {
            scaleC(m, n, beta, cs, c, ldc);
            return;
        }

        final Workspace ws = WORKSPACE.get();
        final long ldcBytes = 4L * ldc;
        for (int jc = 0; jc < n; jc += NC)
        {
            final int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                final int kc = Math.min(KC, k - pc);
                // Only the first block of k sees the caller's beta; later ones add to what it produced.
                final float blockBeta = pc == 0 ? beta : 1.0f;
                packB(transB, bs, b, ldb, pc, kc, jc, nc, ws.packedB);
                for (int ic = 0; ic < m; ic += MC)
                {
                    final int mc = Math.min(MC, m - ic);
                    packA(transA, as, a, lda, ic, mc, pc, kc, ws.packedA);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        final int nr = Math.min(NR, nc - jr);
                        final int bBase = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            final int mr = Math.min(MR, mc - ir);
                            final long cTile = c + (ic + ir) * ldcBytes + 4L * (jc + jr);
                            // Edge tiles compute the whole register tile (packing padded with zeros) and merge part.
                            kernel(kc, ws.packedA, ir * kc, ws.packedB, bBase, ws.tile);
                            mergeTile(ws.tile, mr, nr, cs, cTile, ldcBytes, alpha, blockBeta);
                        }
                    }
                    final Runnable poll = ws.poll;
                    if (poll != null)
                    {
                        poll.run();
                    }
                }
            }
        }
    }

    private static void checkStride(final String name, final int stride, final int rowLength)
    {
        if (stride < Math.max(1, rowLength))
        {
            throw new IllegalArgumentException(name + "=" + stride + " is shorter than a row (" + rowLength + ")");
        }
    }

    private static void scaleC(final int m, final int n, final float beta, final MemorySegment cs, final long c, final int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            final long row = c + 4L * i * ldc;
            for (int j = 0; j < n; j++)
            {
                final long at = row + 4L * j;
                cs.set(F32, at, beta == 0.0f ? 0.0f : beta * cs.get(F32, at));
            }
        }
    }

    /** packed[panel][p][j] = op(B)[pc + p][jc + panel * NR + j], zero beyond column nc. */
    private static void packB(
        final boolean transB,
        final MemorySegment bs,
        final long b,
        final int ldb,
        final int pc,
        final int kc,
        final int jc,
        final int nc,
        final float[] packed)
    {
        for (int jp = 0; jp < nc; jp += NR)
        {
            final int nr = Math.min(NR, nc - jp);
            final int base = jp * kc;
            if (!transB && nr == NR)
            {
                for (int p = 0; p < kc; p++)
                {
                    final long row = b + 4L * ((long)(pc + p) * ldb + jc + jp);
                    FloatVector.fromMemorySegment(S, bs, row, ORDER).intoArray(packed, base + p * NR);
                    FloatVector.fromMemorySegment(S, bs, row + 4L * LANES, ORDER).intoArray(packed, base + p * NR + LANES);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    for (int j = 0; j < NR; j++)
                    {
                        final int col = jc + jp + j;
                        packed[base + p * NR + j] = j >= nr ? 0.0f : bs.get(F32,
                            b + 4L * (transB ? (long)col * ldb + pc + p : (long)(pc + p) * ldb + col));
                    }
                }
            }
        }
    }

    /** packed[panel][p][r] = op(A)[ic + panel * MR + r][pc + p], zero beyond row mc. */
    private static void packA(
        final boolean transA,
        final MemorySegment as,
        final long a,
        final int lda,
        final int ic,
        final int mc,
        final int pc,
        final int kc,
        final float[] packed)
    {
        for (int ip = 0; ip < mc; ip += MR)
        {
            final int mr = Math.min(MR, mc - ip);
            final int base = ip * kc;
            if (transA)
            {
                for (int p = 0; p < kc; p++)
                {
                    final long row = a + 4L * ((long)(pc + p) * lda + ic + ip);
                    for (int r = 0; r < MR; r++)
                    {
                        packed[base + p * MR + r] = r < mr ? as.get(F32, row + 4L * r) : 0.0f;
                    }
                }
            }
            else
            {
                for (int r = 0; r < MR; r++)
                {
                    final long row = a + 4L * ((long)(ic + ip + r) * lda + pc);
                    for (int p = 0; p < kc; p++)
                    {
                        packed[base + p * MR + r] = r < mr ? as.get(F32, row + 4L * p) : 0.0f;
                    }
                }
            }
        }
    }

    /**
     * The register tile: tile[0..MR)[0..NR) = A panel x B panel. Written out row by row, not as arrays of vectors:
     * C2 keeps each accumulator in its own register only when each is a separate local. The result goes to a
     * scratch tile, not straight to C: passing vectors to a helper that C2 declines to inline (the kernel is large)
     * would box them.
     */
    private static void kernel(final int kc, final float[] ap, final int aBase, final float[] bp, final int bBase, final float[] tile)
    {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S);
        FloatVector c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S);
        FloatVector c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S);
        FloatVector c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S);
        FloatVector c111 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++)
        {
            final int ai = aBase + p * MR;
            final int bi = bBase + p * NR;
            final FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            final FloatVector b1 = FloatVector.fromArray(S, bp, bi + LANES);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai + 0]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(S, ap[ai + 8]);
            c80 = a.fma(b0, c80);
            c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(S, ap[ai + 9]);
            c90 = a.fma(b0, c90);
            c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(S, ap[ai + 10]);
            c100 = a.fma(b0, c100);
            c101 = a.fma(b1, c101);
            a = FloatVector.broadcast(S, ap[ai + 11]);
            c110 = a.fma(b0, c110);
            c111 = a.fma(b1, c111);
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + LANES);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + LANES);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + LANES);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + LANES);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + LANES);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + LANES);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + LANES);
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + LANES);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + LANES);
        c100.intoArray(tile, 10 * NR);
        c101.intoArray(tile, 10 * NR + LANES);
        c110.intoArray(tile, 11 * NR);
        c111.intoArray(tile, 11 * NR + LANES);
    }

    /** C[0..mr)[0..nr) = alpha * tile + beta * C (C not read when beta is 0). */
    private static void mergeTile(
        final float[] tile,
        final int mr,
        final int nr,
        final MemorySegment cs,
        final long c,
        final long ldcBytes,
        final float alpha,
        final float beta)
    {
        if (nr == NR)
        {
            final FloatVector alphas = FloatVector.broadcast(S, alpha);
            for (int i = 0; i < mr; i++)
            {
                final long row = c + i * ldcBytes;
                for (int j = 0; j < NR; j += LANES)
                {
                    final FloatVector product = FloatVector.fromArray(S, tile, i * NR + j);
                    final long at = row + 4L * j;
                    if (beta == 0.0f)
                    {
                        product.mul(alphas).intoMemorySegment(cs, at, ORDER);
                    }
                    else
                    {
                        product.fma(alphas, FloatVector.fromMemorySegment(S, cs, at, ORDER).mul(beta))
                            .intoMemorySegment(cs, at, ORDER);
                    }
                }
            }
            return;
        }
        for (int i = 0; i < mr; i++)
        {
            for (int j = 0; j < nr; j++)
            {
                final long at = c + i * ldcBytes + 4L * j;
                final float product = tile[i * NR + j];
                cs.set(F32, at, beta == 0.0f ? alpha * product : Math.fma(product, alpha, beta * cs.get(F32, at)));
            }
        }
    }

    /** Per-thread packing buffers, made once: the steady state allocates nothing. */
    private static final class Workspace
    {
        final float[] packedA = new float[MC * KC];
        final float[] packedB = new float[KC * NC];
        final float[] tile = new float[MR * NR];
        Runnable poll;
    }
}
