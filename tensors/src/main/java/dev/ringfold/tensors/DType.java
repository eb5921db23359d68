package dev.ringfold.tensors;

/** The element types a tensor can hold, with their width in bytes. BF16 and F16 compute in F32. */
public enum DType
{
    F32(4, true),
    F64(8, true),
    I32(4, false),
    I64(8, false),
    BF16(2, true),
    F16(2, true),
    I8(1, false),
    U8(1, false);

    private final int bytes;
    private final boolean floating;

    DType(final int bytes, final boolean floating)
    {
        this.bytes = bytes;
        this.floating = floating;
    }

    /** Width of one element in bytes. */
    public int bytes()
    {
        return bytes;
    }

    public boolean isFloatingPoint()
    {
        return floating;
    }

    public boolean isInteger()
    {
        return !floating;
    }
}
