package mpi;

import java.lang.reflect.Array;

/**
 * One rank's contribution to a generic reduction, unpacked into a Java array: for predefined operations as
 * contiguous base elements, for user functions in the datatype's own layout (what the function is given).
 */
final class Operand
{
    final Object array;
    final int offset;
    final int count;
    final Datatype type;

    private Operand(final Object array, final int offset, final int count, final Datatype type)
    {
        this.array = array;
        this.offset = offset;
        this.count = count;
        this.type = type;
    }

    static Operand of(final byte[] packed, final int count, final Datatype type, final Op op)
    {
        final Class<?> component = Datatype.arrayClass(type.baseType).getComponentType();
        if (op.isPredefined())
        {
            final Datatype basic = basic(type.baseType);
            final int n = count * type.elements();
            final Object a = Array.newInstance(component, n);
            Packing.deliver(packed, 0, packed.length, a, 0, n, basic);
            return new Operand(a, 0, n, basic);
        }
        final int shift = Math.max(0, -type.minDisplacement);
        final int length = count == 0 ? 0 : shift + (count - 1) * type.extent() + type.maxDisplacement + 1;
        final Object a = Array.newInstance(component, length);
        Packing.deliver(packed, 0, packed.length, a, shift, count, type);
        return new Operand(a, shift, count, type);
    }

    /** this = in op this. */
    void combineFrom(final Operand in, final Op op)
    {
        if (op.isPredefined())
        {
            Reductions.apply(op, type.baseType, in.array, array, count);
        }
        else
        {
            op.function.Call(in.array, in.offset, array, offset, count, type);
        }
    }

    void writeTo(final Object buf, final int bufOffset, final int bufCount, final Datatype bufType)
    {
        Packing.copy(array, offset, count, type, buf, bufOffset, bufCount, bufType);
    }

    byte[] packed()
    {
        return Packing.message(array, offset, count, type);
    }

    private static Datatype basic(final int base)
    {
        return switch (base)
        {
            case Datatype.BYTE_CODE -> MPI.BYTE;
            case Datatype.CHAR_CODE -> MPI.CHAR;
            case Datatype.SHORT_CODE -> MPI.SHORT;
            case Datatype.BOOLEAN_CODE -> MPI.BOOLEAN;
            case Datatype.INT_CODE -> MPI.INT;
            case Datatype.LONG_CODE -> MPI.LONG;
            case Datatype.FLOAT_CODE -> MPI.FLOAT;
            case Datatype.DOUBLE_CODE -> MPI.DOUBLE;
            case Datatype.PACKED_CODE -> MPI.PACKED;
            default -> MPI.OBJECT;
        };
    }
}
