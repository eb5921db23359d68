package mpi;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;

/**
 * An MPI datatype as Open MPI's Java API has it: a type map of basic elements at byte displacements, with a lower
 * bound and an extent, and a base type (the Java element type its buffers hold) whose size is the unit of
 * {@link #getSize()}, {@link #getExtent()} and the offsets of heap buffers. The type map is kept as runs (byte
 * displacement, basic kind, element count) merged where they touch, so a contiguous type is one run and a message
 * of it goes to the transport straight from the user's memory.
 */
public final class Datatype implements Freeable, Cloneable
{
    // the basic kinds, also the base types; their order is that of Open MPI's Java base types
    static final int NULL = 0;
    static final int BYTE = 1;
    static final int CHAR = 2;
    static final int SHORT = 3;
    static final int BOOLEAN = 4;
    static final int INT = 5;
    static final int LONG = 6;
    static final int FLOAT = 7;
    static final int DOUBLE = 8;
    static final int PACKED = 9;

    private static final int[] SIZE = {1, 1, 2, 2, 1, 4, 8, 4, 8, 1};

    final int baseType;
    final int baseSize;
    /** The runs: byte displacement, basic kind and element count; same length. */
    long[] runDisp;
    byte[] runKind;
    int[] runLength;
    long lb;
    long extent;
    long size;
    long trueLb;
    long trueUb;
    /** For the value-index pairs of MAXLOC/MINLOC: the value's kind (the index is an int after it), else -1. */
    int pairKind = -1;
    long pairIndexDisp;
    private boolean committed;
    private boolean freed;
    private final boolean predefined;
    private String name;
    private Map<Integer, Object> attributes;

    private Datatype(final int baseType, final boolean predefined)
    {
        this.baseType = baseType;
        this.baseSize = SIZE[baseType];
        this.predefined = predefined;
        this.committed = predefined;
        this.name = "";
    }

    static Datatype nullType()
    {
        final Datatype t = new Datatype(NULL, true);
        t.runs(new long[0], new byte[0], new int[0]);
        t.name = "MPI_DATATYPE_NULL";
        return t;
    }

    static Datatype basic(final int kind, final String name)
    {
        final Datatype t = new Datatype(kind, true);
        t.runs(new long[]{0}, new byte[]{(byte)kind}, new int[]{1});
        t.lb = 0;
        t.extent = SIZE[kind];
        t.name = name;
        return t;
    }

    static Datatype complex(final int kind, final String name)
    {
        final Datatype t = new Datatype(kind, true);
        t.runs(new long[]{0}, new byte[]{(byte)kind}, new int[]{2});
        t.extent = 2L * SIZE[kind];
        t.name = name;
        return t;
    }

    /** A value of {@code kind} at 0 and an int index at {@code indexDisp}, of that extent (C's struct layout). */
    static Datatype pair(final int kind, final long valueDisp, final long indexDisp, final long extent,
        final String name)
    {
        final Datatype t = new Datatype(BYTE, true);
        if (kind == INT)
        {
            t.runs(new long[]{valueDisp}, new byte[]{INT}, new int[]{2});
        }
        else
        {
            t.runs(new long[]{valueDisp, indexDisp}, new byte[]{(byte)kind, INT}, new int[]{1, 1});
        }
        t.extent = extent;
        t.pairKind = kind;
        t.pairIndexDisp = indexDisp;
        t.name = name;
        return t;
    }

    private void runs(final long[] disp, final byte[] kind, final int[] length)
    {
        runDisp = disp;
        runKind = kind;
        runLength = length;
        size = 0;
        trueLb = Long.MAX_VALUE;
        trueUb = Long.MIN_VALUE;
        for (int i = 0; i < disp.length; i++)
        {
            final long bytes = (long)length[i] * SIZE[kind[i]];
            size += bytes;
            trueLb = Math.min(trueLb, disp[i]);
            trueUb = Math.max(trueUb, disp[i] + bytes);
        }
        if (disp.length == 0)
        {
            trueLb = 0;
            trueUb = 0;
        }
    }

    static int sizeOf(final int kind)
    {
        return SIZE[kind];
    }

    // ------------------------------------------------------------------------------------------------ queries

    public int getLb() throws MPIException
    {
        MPI.check();
        return (int)(lb / baseSize);
    }

    public int getExtent() throws MPIException
    {
        MPI.check();
        return (int)(extent / baseSize);
    }

    public int getTrueLb() throws MPIException
    {
        MPI.check();
        return (int)(trueLb / baseSize);
    }

    public int getTrueExtent() throws MPIException
    {
        MPI.check();
        return (int)((trueUb - trueLb) / baseSize);
    }

    public int getSize() throws MPIException
    {
        MPI.check();
        return (int)(size / baseSize);
    }

    public void commit() throws MPIException
    {
        MPI.check();
        if (freed)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_TYPE, "MPI_Type_commit", "the datatype was freed");
        }
        committed = true;
    }

    public void free() throws MPIException
    {
        MPI.check();
        if (predefined)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_TYPE, "MPI_Type_free",
                "cannot free the predefined datatype " + name);
        }
        freed = true;
    }

    public boolean isNull()
    {
        return baseType == NULL || freed;
    }

    @Override
    public Datatype clone()
    {
        return copy();
    }

    public Datatype dup() throws MPIException
    {
        MPI.check();
        checkUsable("MPI_Type_dup");
        return copy();
    }

    private Datatype copy()
    {
        final Datatype t = new Datatype(baseType, false);
        t.runDisp = runDisp;
        t.runKind = runKind;
        t.runLength = runLength;
        t.lb = lb;
        t.extent = extent;
        t.size = size;
        t.trueLb = trueLb;
        t.trueUb = trueUb;
        t.pairKind = pairKind;
        t.pairIndexDisp = pairIndexDisp;
        t.committed = committed;
        t.name = name;
        return t;
    }

    // ------------------------------------------------------------------------------------------- constructors

    public static Datatype createContiguous(final int count, final Datatype oldType) throws MPIException
    {
        MPI.check();
        checkCount("MPI_Type_contiguous", "count", count);
        oldType.checkUsable("MPI_Type_contiguous");
        final Builder b = new Builder(oldType);
        b.add(oldType, 0, count);
        return b.build(oldType.baseType);
    }

    public static Datatype createVector(final int count, final int blockLength, final int stride,
        final Datatype oldType) throws MPIException
    {
        return vector("MPI_Type_vector", count, blockLength, (long)stride * oldType.extent, oldType);
    }

    /** As {@link #createVector}, the stride in bytes. */
    public static Datatype createHVector(final int count, final int blockLength, final int stride,
        final Datatype oldType) throws MPIException
    {
        return vector("MPI_Type_create_hvector", count, blockLength, stride, oldType);
    }

    private static Datatype vector(final String call, final int count, final int blockLength, final long strideBytes,
        final Datatype oldType) throws MPIException
    {
        MPI.check();
        checkCount(call, "count", count);
        checkCount(call, "blockLength", blockLength);
        oldType.checkUsable(call);
        final Builder b = new Builder(oldType);
        for (int i = 0; i < count; i++)
        {
            b.add(oldType, i * strideBytes, blockLength);
        }
        return b.build(oldType.baseType);
    }

    public static Datatype createIndexed(final int[] blockLengths, final int[] displacements, final Datatype oldType)
        throws MPIException
    {
        return indexed("MPI_Type_indexed", blockLengths, displacements, oldType.extent, oldType);
    }

    /** As {@link #createIndexed}, the displacements in bytes. */
    public static Datatype createHIndexed(final int[] blockLengths, final int[] displacements, final Datatype oldType)
        throws MPIException
    {
        return indexed("MPI_Type_create_hindexed", blockLengths, displacements, 1, oldType);
    }

    private static Datatype indexed(final String call, final int[] blockLengths, final int[] displacements,
        final long unit, final Datatype oldType) throws MPIException
    {
        MPI.check();
        if (blockLengths.length != displacements.length)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_ARG, call, blockLengths.length + " block lengths but " +
                displacements.length + " displacements");
        }
        oldType.checkUsable(call);
        final Builder b = new Builder(oldType);
        for (int i = 0; i < blockLengths.length; i++)
        {
            checkCount(call, "blockLengths[" + i + "]", blockLengths[i]);
            b.add(oldType, displacements[i] * unit, blockLengths[i]);
        }
        return b.build(oldType.baseType);
    }

    /** Blocks of different types at byte displacements; the base type is BYTE, as in Open MPI. */
    public static Datatype createStruct(final int[] blockLengths, final int[] displacements, final Datatype[] types)
        throws MPIException
    {
        MPI.check();
        if (blockLengths.length != displacements.length || blockLengths.length != types.length)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_ARG, "MPI_Type_create_struct", blockLengths.length +
                " block lengths, " + displacements.length + " displacements and " + types.length + " types");
        }
        final Builder b = new Builder(MPI.BYTE);
        for (int i = 0; i < types.length; i++)
        {
            checkCount("MPI_Type_create_struct", "blockLengths[" + i + "]", blockLengths[i]);
            types[i].checkUsable("MPI_Type_create_struct");
            b.add(types[i], displacements[i], blockLengths[i]);
        }
        final Datatype t = b.build(BYTE);
        // the extent is padded to the strictest alignment of the members, as C lays out a struct
        int align = 1;
        for (final byte kind : t.runKind)
        {
            align = Math.max(align, SIZE[kind]);
        }
        t.extent = (t.extent + align - 1) / align * align;
        return t;
    }

    /** The same type map with another lower bound and extent, both in bytes (as Open MPI passes them to C). */
    public static Datatype createResized(final Datatype oldType, final int lb, final int extent) throws MPIException
    {
        MPI.check();
        oldType.checkUsable("MPI_Type_create_resized");
        final Datatype t = oldType.copy();
        t.committed = false;
        t.lb = lb;
        t.extent = extent;
        t.name = "";
        return t;
    }

    public void setName(final String name) throws MPIException
    {
        MPI.check();
        this.name = name;
    }

    public String getName() throws MPIException
    {
        MPI.check();
        return name;
    }

    public static int createKeyval() throws MPIException
    {
        MPI.check();
        return Attributes.createKeyval();
    }

    public static void freeKeyval(final int keyval) throws MPIException
    {
        MPI.check();
        Attributes.freeKeyval(keyval);
    }

    public void setAttr(final int keyval, final Object value) throws MPIException
    {
        MPI.check();
        attributes = Attributes.set(attributes, keyval, value);
    }

    public Object getAttr(final int keyval) throws MPIException
    {
        MPI.check();
        return Attributes.get(attributes, keyval);
    }

    public void deleteAttr(final int keyval) throws MPIException
    {
        MPI.check();
        Attributes.delete(attributes, keyval);
    }

    // ---------------------------------------------------------------------------------------- for the calls

    private static void checkCount(final String call, final String what, final int count) throws MPIException
    {
        if (count < 0)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_COUNT, call, what + "=" + count + " must be >= 0");
        }
    }

    private void checkUsable(final String call) throws MPIException
    {
        if (freed || baseType == NULL)
        {
            throw Errors.raise(MPI.COMM_WORLD, MPI.ERR_TYPE, call, freed ? "the datatype " + describe() +
                " was freed" : "MPI.DATATYPE_NULL is not a datatype to build from");
        }
    }

    /** Null when the type can carry a message, else why not (MPI_ERR_TYPE). */
    String unusable()
    {
        if (baseType == NULL)
        {
            return "MPI.DATATYPE_NULL cannot carry data";
        }
        if (freed)
        {
            return "the datatype " + describe() + " was freed";
        }
        if (!committed)
        {
            return "the datatype " + describe() + " is not committed (call commit() first)";
        }
        return null;
    }

    String describe()
    {
        return name.isEmpty() ? "(derived, " + size + " bytes, extent " + extent + ")" : name;
    }

    /** The type of this one's packed form: the same elements back to back, from 0 (reductions of packed data). */
    Datatype packedView()
    {
        if (isContiguous())
        {
            return this;
        }
        final Datatype t = new Datatype(baseType, false);
        final long[] disp = new long[runDisp.length];
        final byte[] kind = new byte[runDisp.length];
        final int[] length = new int[runDisp.length];
        int n = 0;
        long at = 0;
        for (int r = 0; r < runDisp.length; r++)
        {
            if (n > 0 && kind[n - 1] == runKind[r])
            {
                length[n - 1] += runLength[r];
            }
            else
            {
                disp[n] = at;
                kind[n] = runKind[r];
                length[n] = runLength[r];
                n++;
            }
            at += (long)runLength[r] * SIZE[runKind[r]];
        }
        t.runs(Arrays.copyOf(disp, n), Arrays.copyOf(kind, n), Arrays.copyOf(length, n));
        t.lb = 0;
        t.extent = size;
        t.pairKind = pairKind;
        t.pairIndexDisp = pairIndexDisp;
        t.committed = true;
        return t;
    }

    /** Whether count items lie back to back with nothing between them: one run from the lower bound, no gaps. */
    boolean isContiguous()
    {
        return runDisp.length == 1 && runDisp[0] == 0 && lb == 0 && extent == size;
    }

    /** The basic kind of every element when there is one (the type is made of one kind only), else -1. */
    int uniformKind()
    {
        if (runKind.length == 0)
        {
            return -1;
        }
        final int k = runKind[0];
        for (final byte kind : runKind)
        {
            if (kind != k)
            {
                return -1;
            }
        }
        return k;
    }

    /** The first and one-past-last byte, relative to the buffer offset, that count items touch. */
    long firstByte(final int count)
    {
        return count == 0 ? 0 : Math.min(trueLb, trueLb + (count - 1) * extent);
    }

    long endByte(final int count)
    {
        return count == 0 ? 0 : Math.max(trueUb, trueUb + (count - 1) * extent);
    }

    /** Copies the data of count items at {@code from + offset} back to back into {@code to + at}. */
    void pack(final MemorySegment from, final long offset, final int count, final MemorySegment to, final long at)
    {
        long out = at;
        for (int i = 0; i < count; i++)
        {
            final long item = offset + i * extent;
            for (int r = 0; r < runDisp.length; r++)
            {
                final long bytes = (long)runLength[r] * SIZE[runKind[r]];
                MemorySegment.copy(from, item + runDisp[r], to, out, bytes);
                out += bytes;
            }
        }
    }

    /** The reverse of {@link #pack}: back-to-back data at {@code from + at} into count items at {@code to + offset}. */
    void unpack(final MemorySegment from, final long at, final MemorySegment to, final long offset, final int count)
    {
        long in = at;
        for (int i = 0; i < count; i++)
        {
            final long item = offset + i * extent;
            for (int r = 0; r < runDisp.length; r++)
            {
                final long bytes = (long)runLength[r] * SIZE[runKind[r]];
                MemorySegment.copy(from, in, to, item + runDisp[r], bytes);
                in += bytes;
            }
        }
    }

    /** The basic elements in {@code bytes} of packed data (MPI_Get_elements), or UNDEFINED if it ends mid-element. */
    int elements(final long bytes)
    {
        if (size == 0)
        {
            return 0;
        }
        final long full = bytes / size;
        long rest = bytes % size;
        long n = 0;
        for (int r = 0; r < runDisp.length; r++)
        {
            n += runLength[r];
        }
        n *= full;
        for (int r = 0; r < runDisp.length && rest > 0; r++)
        {
            final int s = SIZE[runKind[r]];
            final long take = Math.min(runLength[r], rest / s);
            n += take;
            rest -= take * s;
            if (take < runLength[r])
            {
                break;
            }
        }
        return rest == 0 ? (int)n : MPI.UNDEFINED;
    }

    /** Collects the runs of copies of old types into a new type map (runs that touch are merged). */
    private static final class Builder
    {
        private long[] disp = new long[8];
        private byte[] kind = new byte[8];
        private int[] length = new int[8];
        private int n;
        private long lb = Long.MAX_VALUE;
        private long ub = Long.MIN_VALUE;
        private final Datatype pairSource;

        Builder(final Datatype first)
        {
            this.pairSource = first;
        }

        /** {@code copies} copies of {@code type}, the first at byte displacement {@code at}, then by its extent. */
        void add(final Datatype type, final long at, final int copies)
        {
            if (copies == 0)
            {
                return;
            }
            lb = Math.min(lb, Math.min(at + type.lb, at + type.lb + (copies - 1) * type.extent));
            ub = Math.max(ub, Math.max(at + type.lb + type.extent, at + type.lb + (long)copies * type.extent));
            for (int c = 0; c < copies; c++)
            {
                final long base = at + c * type.extent;
                for (int r = 0; r < type.runDisp.length; r++)
                {
                    run(base + type.runDisp[r], type.runKind[r], type.runLength[r]);
                }
            }
        }

        private void run(final long d, final byte k, final int len)
        {
            if (n > 0 && kind[n - 1] == k && disp[n - 1] + (long)length[n - 1] * SIZE[k] == d)
            {
                length[n - 1] += len;
                return;
            }
            if (n == disp.length)
            {
                disp = Arrays.copyOf(disp, 2 * n);
                kind = Arrays.copyOf(kind, 2 * n);
                length = Arrays.copyOf(length, 2 * n);
            }
            disp[n] = d;
            kind[n] = k;
            length[n] = len;
            n++;
        }

        Datatype build(final int baseType)
        {
            final Datatype t = new Datatype(baseType, false);
            t.runs(Arrays.copyOf(disp, n), Arrays.copyOf(kind, n), Arrays.copyOf(length, n));
            t.lb = lb == Long.MAX_VALUE ? 0 : lb;
            t.extent = ub == Long.MIN_VALUE ? 0 : ub - lb;
            if (pairSource.pairKind >= 0)
            {
                // copies of a pair type reduce as pairs too (MAXLOC over a block of value-index pairs)
                t.pairKind = pairSource.pairKind;
                t.pairIndexDisp = pairSource.pairIndexDisp;
            }
            return t;
        }
    }

}
