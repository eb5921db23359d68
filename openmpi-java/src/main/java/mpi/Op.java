package mpi;

import dev.ringfold.tensors.ReduceOp;

/** A reduction operation: one of MPI's (MAX ... MAXLOC) or the user's {@link UserFunction}. */
public final class Op implements Freeable
{
    enum Kind
    {
        MAX, MIN, SUM, PROD, LAND, BAND, LOR, BOR, LXOR, BXOR, MINLOC, MAXLOC, REPLACE, NO_OP, USER
    }

    final Kind kind;
    final UserFunction function;
    /** Ringfold's collective reduction for this op, or null where only the generic path computes it. */
    private final ReduceOp ringfold;
    private final boolean commute;
    private boolean freed;

    Op(final Kind kind)
    {
        this.kind = kind;
        this.function = null;
        this.ringfold = ringfold(kind);
        this.commute = true;
    }

    public Op(final UserFunction function, final boolean commute)
    {
        this.kind = Kind.USER;
        this.function = function;
        this.ringfold = null;
        this.commute = commute;
    }

    public boolean isCommutative()
    {
        return commute;
    }

    public void free() throws MPIException
    {
        freed = true;
    }

    public boolean isNull()
    {
        return freed;
    }

    /** Ringfold's collective reduction for this op, or null where only the generic path computes it. */
    ReduceOp ringfold()
    {
        return ringfold;
    }

    private static ReduceOp ringfold(final Kind kind)
    {
        return switch (kind)
        {
            case MAX -> ReduceOp.MAX;
            case MIN -> ReduceOp.MIN;
            case SUM -> ReduceOp.SUM;
            case PROD -> ReduceOp.PROD;
            case BAND -> ReduceOp.BAND;
            case BOR -> ReduceOp.BOR;
            case BXOR -> ReduceOp.BXOR;
            default -> null;
        };
    }

    String mpiName()
    {
        return kind == Kind.USER ? "a user-defined op" : "MPI." + kind;
    }
}
