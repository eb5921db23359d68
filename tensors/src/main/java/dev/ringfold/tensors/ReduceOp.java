package dev.ringfold.tensors;

/**
 * Element-wise reductions. AVG is SUM followed by a division by the number of contributions, done once at the end
 * by whoever knows that number (the kernels sum; the caller scales). The bitwise ones are for integer types only.
 */
public enum ReduceOp
{
    SUM,
    PROD,
    MIN,
    MAX,
    AVG,
    BAND,
    BOR,
    BXOR;

    public boolean isBitwise()
    {
        return this == BAND || this == BOR || this == BXOR;
    }

    /** Whether the op is defined for the dtype (bitwise ops need integers). */
    public boolean supports(final DType dtype)
    {
        return !isBitwise() || dtype.isInteger();
    }
}
