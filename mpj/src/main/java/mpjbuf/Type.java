package mpjbuf;

/** The type of a {@link Buffer} section, with MPJ Express's codes. */
public class Type
{
    public static final Type BYTE = new Type(0, 1);
    public static final Type CHAR = new Type(1, 2);
    public static final Type SHORT = new Type(2, 2);
    public static final Type BOOLEAN = new Type(3, 1);
    public static final Type INT = new Type(4, 4);
    public static final Type LONG = new Type(5, 8);
    public static final Type FLOAT = new Type(6, 4);
    public static final Type DOUBLE = new Type(7, 8);
    public static final Type OBJECT = new Type(8, 0);
    public static final Type BYTE_DYNAMIC = new Type(9, 1);
    public static final Type CHAR_DYNAMIC = new Type(10, 2);
    public static final Type SHORT_DYNAMIC = new Type(11, 2);
    public static final Type BOOLEAN_DYNAMIC = new Type(12, 1);
    public static final Type INT_DYNAMIC = new Type(13, 4);
    public static final Type LONG_DYNAMIC = new Type(14, 8);
    public static final Type FLOAT_DYNAMIC = new Type(15, 4);
    public static final Type DOUBLE_DYNAMIC = new Type(16, 8);
    public static final Type UNDEFINED = new Type(17, 0);
    private static final Type[] BY_CODE = {BYTE, CHAR, SHORT, BOOLEAN, INT, LONG, FLOAT, DOUBLE, OBJECT, BYTE_DYNAMIC,
        CHAR_DYNAMIC, SHORT_DYNAMIC, BOOLEAN_DYNAMIC, INT_DYNAMIC, LONG_DYNAMIC, FLOAT_DYNAMIC, DOUBLE_DYNAMIC,
        UNDEFINED};

    private final int code;
    /** Bytes per element in a section; 0 for OBJECT, whose sections hold serialized chunks. */
    final int bytes;

    private Type(final int code, final int bytes)
    {
        this.code = code;
        this.bytes = bytes;
    }

    public int getCode()
    {
        return code;
    }

    public static Type getType(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNDEFINED;
    }

    /** The static type a dynamic one stands for (their sections are laid out alike here). */
    Type base()
    {
        return code >= BYTE_DYNAMIC.code && code <= DOUBLE_DYNAMIC.code ? BY_CODE[code - BYTE_DYNAMIC.code] : this;
    }

    @Override
    public String toString()
    {
        return new String[] {"BYTE", "CHAR", "SHORT", "BOOLEAN", "INT", "LONG", "FLOAT", "DOUBLE", "OBJECT",
            "BYTE_DYNAMIC", "CHAR_DYNAMIC", "SHORT_DYNAMIC", "BOOLEAN_DYNAMIC", "INT_DYNAMIC", "LONG_DYNAMIC",
            "FLOAT_DYNAMIC", "DOUBLE_DYNAMIC", "UNDEFINED"}[code];
    }
}
