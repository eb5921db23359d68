package mpi;

import java.util.ArrayList;
import java.util.List;

/**
 * An mpiJava datatype: a base type (one Java array element type) and a type map, the displacements of its base
 * elements within one item, in base elements as mpiJava counts them (not bytes). Derived types are packed and
 * unpacked at the API edge by {@link Packing}; on the wire every message is the packed base elements.
 */
public class Datatype implements Freeable
{
    static final int BYTE_CODE = 1;
    static final int CHAR_CODE = 2;
    static final int SHORT_CODE = 3;
    static final int BOOLEAN_CODE = 4;
    static final int INT_CODE = 5;
    static final int LONG_CODE = 6;
    static final int FLOAT_CODE = 7;
    static final int DOUBLE_CODE = 8;
    static final int PACKED_CODE = 9;
    static final int OBJECT_CODE = 10;
    static final int MARKER_LB = 11;
    static final int MARKER_UB = 12;
    static final int NULL_CODE = 0;

    public int baseType;
    final String name;
    final int[] displacements;
    final int lb;
    final int ub;
    final boolean basic;
    final int minDisplacement;
    final int maxDisplacement;
    /** Runs of consecutive displacements: copied in one go. */
    final int[] runStart;
    final int[] runLength;

    Datatype(final int baseType, final String name)
    {
        this(baseType, name, baseType == NULL_CODE || baseType >= MARKER_LB ? new int[0] : new int[] {0},
            0, baseType == NULL_CODE || baseType >= MARKER_LB ? 0 : 1, true, false, false);
    }

    private Datatype(final int baseType, final String name, final int[] displacements, final int lb, final int ub,
        final boolean basic, final boolean lbSet, final boolean ubSet)
    {
        this.baseType = baseType;
        this.name = name;
        this.displacements = displacements;
        this.lb = lb;
        this.ub = ub;
        this.basic = basic;
        this.lbSet = lbSet;
        this.ubSet = ubSet;
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        final List<int[]> runs = new ArrayList<>();
        for (final int d : displacements)
        {
            min = Math.min(min, d);
            max = Math.max(max, d);
            final int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[0] + last[1] == d)
            {
                last[1]++;
            }
            else
            {
                runs.add(new int[] {d, 1});
            }
        }
        this.minDisplacement = displacements.length == 0 ? 0 : min;
        this.maxDisplacement = displacements.length == 0 ? 0 : max;
        this.runStart = new int[runs.size()];
        this.runLength = new int[runs.size()];
        for (int i = 0; i < runs.size(); i++)
        {
            runStart[i] = runs.get(i)[0];
            runLength[i] = runs.get(i)[1];
        }
    }

    final boolean lbSet;
    final boolean ubSet;

    /** Bytes of one base element on the wire (OBJECT: none, it is serialized). */
    static int baseBytes(final int base)
    {
        return switch (base)
        {
            case BYTE_CODE, BOOLEAN_CODE, PACKED_CODE -> 1;
            case CHAR_CODE, SHORT_CODE -> 2;
            case INT_CODE, FLOAT_CODE -> 4;
            case LONG_CODE, DOUBLE_CODE -> 8;
            default -> 0;
        };
    }

    static Class<?> arrayClass(final int base)
    {
        return switch (base)
        {
            case BYTE_CODE, PACKED_CODE -> byte[].class;
            case CHAR_CODE -> char[].class;
            case SHORT_CODE -> short[].class;
            case BOOLEAN_CODE -> boolean[].class;
            case INT_CODE -> int[].class;
            case LONG_CODE -> long[].class;
            case FLOAT_CODE -> float[].class;
            case DOUBLE_CODE -> double[].class;
            case OBJECT_CODE -> Object[].class;
            default -> null;
        };
    }

    int baseBytes()
    {
        return baseBytes(baseType);
    }

    /** Base elements per item. */
    int elements()
    {
        return displacements.length;
    }

    /** A contiguous type of one base element: sent straight from (or into) the user's array. */
    boolean isBasic()
    {
        return basic && displacements.length == 1;
    }

    /** Items follow each other without gaps: count items are one run of count * elements base elements. */
    boolean isDense()
    {
        return runStart.length == 1 && runLength[0] == extent();
    }

    boolean isObject()
    {
        return baseType == OBJECT_CODE;
    }

    int extent()
    {
        return ub - lb;
    }

    public int getType()
    {
        return baseType;
    }

    public int getByteSize()
    {
        return displacements.length * baseBytes();
    }

    public int Extent() throws MPIException
    {
        return extent();
    }

    public int Size() throws MPIException
    {
        return displacements.length;
    }

    public int Lb() throws MPIException
    {
        return lb;
    }

    public int Ub() throws MPIException
    {
        return ub;
    }

    /** A type's layout is computed when it is made, so there is nothing left to do here (as in MPJ Express). */
    public void Commit() throws MPIException
    {
    }

    public void free()
    {
        // nothing to release: a type map is plain Java data
    }

    public void finalize() throws MPIException
    {
        // kept for the mpiJava signature; the garbage collector does the rest
    }

    @Override
    public String toString()
    {
        return name;
    }

    // ----------------------------------------------------------------------------------------- constructors

    public static Datatype Contiguous(final int count, final Datatype oldtype) throws MPIException
    {
        nonNegative("Contiguous", "count", count);
        final int[] lengths = new int[count];
        final int[] starts = new int[count];
        for (int i = 0; i < count; i++)
        {
            lengths[i] = 1;
            starts[i] = i * oldtype.extent();
        }
        return blocks("Contiguous(" + count + ", " + oldtype + ")", lengths, starts, single(oldtype, count));
    }

    public static Datatype Vector(final int count, final int blocklength, final int stride, final Datatype oldtype)
        throws MPIException
    {
        return strided("Vector", count, blocklength, stride * oldtype.extent(), oldtype);
    }

    /** As Vector, the stride counted in base elements rather than in extents of the old type. */
    public static Datatype Hvector(final int count, final int blocklength, final int stride, final Datatype oldtype)
        throws MPIException
    {
        return strided("Hvector", count, blocklength, stride, oldtype);
    }

    private static Datatype strided(final String what, final int count, final int blocklength, final int stride,
        final Datatype oldtype)
    {
        nonNegative(what, "count", count);
        nonNegative(what, "blocklength", blocklength);
        final int[] lengths = new int[count];
        final int[] starts = new int[count];
        for (int i = 0; i < count; i++)
        {
            lengths[i] = blocklength;
            starts[i] = i * stride;
        }
        return blocks(what + "(" + count + ", " + blocklength + ", " + stride + ", " + oldtype + ")", lengths, starts,
            single(oldtype, count));
    }

    public static Datatype Indexed(final int[] blocklengths, final int[] displacements, final Datatype oldtype)
        throws MPIException
    {
        return indexed("Indexed", blocklengths, displacements, oldtype.extent(), oldtype);
    }

    /** As Indexed, the displacements counted in base elements. */
    public static Datatype Hindexed(final int[] blocklengths, final int[] displacements, final Datatype oldtype)
        throws MPIException
    {
        return indexed("Hindexed", blocklengths, displacements, 1, oldtype);
    }

    private static Datatype indexed(final String what, final int[] blocklengths, final int[] displacements,
        final int unit, final Datatype oldtype)
    {
        sameLength(what, blocklengths, displacements);
        final int[] starts = new int[displacements.length];
        for (int i = 0; i < starts.length; i++)
        {
            nonNegative(what, "blocklengths[" + i + "]", blocklengths[i]);
            starts[i] = displacements[i] * unit;
        }
        return blocks(what, blocklengths, starts, single(oldtype, blocklengths.length));
    }

    /**
     * mpiJava's Struct: displacements in base elements; every component must share one base type (the buffer is
     * one Java array). MPI.LB and MPI.UB components set the bounds.
     */
    public static Datatype Struct(final int[] blocklengths, final int[] displacements, final Datatype[] types)
        throws MPIException
    {
        sameLength("Struct", blocklengths, displacements);
        if (types.length != blocklengths.length)
        {
            throw new MPIException("Struct: " + types.length + " types for " + blocklengths.length + " blocks");
        }
        return blocks("Struct", blocklengths, displacements, types);
    }

    private static Datatype[] single(final Datatype type, final int n)
    {
        final Datatype[] types = new Datatype[n];
        java.util.Arrays.fill(types, type);
        return types;
    }

    /** The general constructor: block i is lengths[i] copies of types[i] from base element starts[i]. */
    private static Datatype blocks(final String name, final int[] lengths, final int[] starts, final Datatype[] types)
    {
        int base = NULL_CODE;
        final List<Integer> displacements = new ArrayList<>();
        int lb = Integer.MAX_VALUE;
        int ub = Integer.MIN_VALUE;
        boolean lbSet = false;
        boolean ubSet = false;
        int explicitLb = Integer.MAX_VALUE;
        int explicitUb = Integer.MIN_VALUE;
        for (int i = 0; i < lengths.length; i++)
        {
            final Datatype t = types[i];
            if (t.baseType == MARKER_LB)
            {
                lbSet = true;
                explicitLb = Math.min(explicitLb, starts[i]);
                continue;
            }
            if (t.baseType == MARKER_UB)
            {
                ubSet = true;
                explicitUb = Math.max(explicitUb, starts[i]);
                continue;
            }
            if (t.baseType == NULL_CODE)
            {
                throw new MPIException(name + ": block " + i + " has the NULL datatype");
            }
            if (base != NULL_CODE && t.baseType != base)
            {
                throw new MPIException(name + ": block " + i + " has base type " + t.name + " but earlier blocks " +
                    "have another; mpiJava types are over one Java array, so all blocks need one base type");
            }
            base = t.baseType;
            if (t.lbSet)
            {
                lbSet = true;
                explicitLb = Math.min(explicitLb, starts[i] + t.lb);
            }
            if (t.ubSet)
            {
                ubSet = true;
                explicitUb = Math.max(explicitUb, starts[i] + (lengths[i] - 1) * t.extent() + t.ub);
            }
            for (int k = 0; k < lengths[i]; k++)
            {
                final int at = starts[i] + k * t.extent();
                for (final int d : t.displacements)
                {
                    displacements.add(at + d);
                }
            }
            if (lengths[i] > 0)
            {
                lb = Math.min(lb, starts[i] + t.lb);
                ub = Math.max(ub, starts[i] + (lengths[i] - 1) * t.extent() + t.ub);
            }
        }
        if (lb == Integer.MAX_VALUE)
        {
            lb = 0;
            ub = 0;
        }
        if (lbSet)
        {
            lb = explicitLb;
        }
        if (ubSet)
        {
            ub = explicitUb;
        }
        final int[] d = new int[displacements.size()];
        for (int i = 0; i < d.length; i++)
        {
            d[i] = displacements.get(i);
        }
        return new Datatype(base == NULL_CODE ? BYTE_CODE : base, name, d, lb, ub, false, lbSet, ubSet);
    }

    private static void nonNegative(final String what, final String argument, final int value)
    {
        if (value < 0)
        {
            throw new MPIException(what + ": " + argument + "=" + value + " must be >= 0");
        }
    }

    private static void sameLength(final String what, final int[] blocklengths, final int[] displacements)
    {
        if (blocklengths.length != displacements.length)
        {
            throw new MPIException(what + ": " + blocklengths.length + " block lengths but " + displacements.length +
                " displacements");
        }
    }
}
