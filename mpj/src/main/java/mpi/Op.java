package mpi;

import dev.ringfold.tensors.ReduceOp;

/** A reduction: one of MPI's predefined ones (MPI.SUM ...) or a {@link User_function}. */
public class Op
{
    static final int USER_CODE = 0;
    static final int MAX_CODE = 1;
    static final int MIN_CODE = 2;
    static final int SUM_CODE = 3;
    static final int PROD_CODE = 4;
    static final int LAND_CODE = 5;
    static final int BAND_CODE = 6;
    static final int LOR_CODE = 7;
    static final int BOR_CODE = 8;
    static final int LXOR_CODE = 9;
    static final int BXOR_CODE = 10;
    static final int MAXLOC_CODE = 11;
    static final int MINLOC_CODE = 12;

    public int opCode;
    final User_function function;
    final boolean commute;
    private final String name;

    Op(final int code, final String name)
    {
        this.opCode = code;
        this.function = null;
        this.commute = true;
        this.name = name;
    }

    public Op(final User_function function, final boolean commute) throws MPIException
    {
        if (function == null)
        {
            throw new MPIException("Op: the user function is null");
        }
        this.opCode = USER_CODE;
        this.function = function;
        this.commute = commute;
        this.name = "user op " + function.getClass().getName();
    }

    public Op(final User_function function, final boolean commute, final int unused) throws MPIException
    {
        this(function, commute);
    }

    boolean isPredefined()
    {
        return function == null;
    }

    /** Ringfold's collectives reduce with this op, or null where the generic path must (LAND, MAXLOC, user ops). */
    ReduceOp ringfoldOp()
    {
        return switch (opCode)
        {
            case MAX_CODE -> ReduceOp.MAX;
            case MIN_CODE -> ReduceOp.MIN;
            case SUM_CODE -> ReduceOp.SUM;
            case PROD_CODE -> ReduceOp.PROD;
            case BAND_CODE -> ReduceOp.BAND;
            case BOR_CODE -> ReduceOp.BOR;
            case BXOR_CODE -> ReduceOp.BXOR;
            default -> null;
        };
    }

    public void free() throws MPIException
    {
        // plain Java data
    }

    public void finalize() throws MPIException
    {
        // kept for the mpiJava signature
    }

    @Override
    public String toString()
    {
        return name;
    }
}
