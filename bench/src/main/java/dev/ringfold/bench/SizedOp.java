package dev.ringfold.bench;

/** An operation measured size by size: one table row (or a few) per size of {@code --sizes}. */
public non-sealed interface SizedOp extends BenchOp
{
    /**
     * Measures one size, on every rank together.
     *
     * @return the rows to print, on rank 0 (one for most operations); empty on the other ranks.
     * @throws BenchFailure on every rank when any rank saw a wrong payload.
     */
    java.util.List<Measurement> measure(BenchContext ctx, int bytes);
}
