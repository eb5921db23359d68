package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a rank called, as compared across ranks by {@link CheckedOperation}: a fixed-size fingerprint
 * (sequence number, operation, dtype, count, root, reduce op, algorithm), written into and read from a buffer.
 * Counts of the v-variants differ between ranks by design and are not compared.
 */
final class Call
{
    static final int BYTES = 72;
    static final int NONE = -1;

    private static final int SEQUENCE = 0;
    private static final int COUNT = 8;
    private static final int KIND = 16;
    private static final int DTYPE = 20;
    private static final int ROOT = 24;
    private static final int OP = 28;
    private static final int ALGORITHM = 32; // the algorithm's class name, ASCII, zero-padded
    private static final int ALGORITHM_BYTES = BYTES - ALGORITHM;

    enum Kind
    {
        ALL_REDUCE("allReduce"), BROADCAST("broadcast"), REDUCE("reduce"), ALL_GATHER("allGather"),
        ALL_GATHERV("allGatherv"), REDUCE_SCATTER("reduceScatter"), GATHER("gather"), GATHERV("gatherv"),
        SCATTER("scatter"), SCATTERV("scatterv"), ALL_TO_ALL("allToAll"), ALL_TO_ALLV("allToAllv"),
        BARRIER("barrier"), SCAN("scan"), EXSCAN("exscan");

        final String call;

        Kind(final String call)
        {
            this.call = call;
        }
    }

    Kind kind;
    long count = NONE;
    DType dtype;
    int root = NONE;
    ReduceOp op;

    void set(final Kind kind, final long count, final DType dtype, final int root, final ReduceOp op)
    {
        this.kind = kind;
        this.count = count;
        this.dtype = dtype;
        this.root = root;
        this.op = op;
    }

    /**
     * The call in one word, which every message and shared-memory hand-off of the call carries (always on, unlike
     * the full check): kind, dtype, reduce op, root and count, so that a rank receiving another's can say what
     * that rank called. Never 0 (0 is what point-to-point messages carry). Counts of 2^32 - 2 elements or more
     * are all one value.
     * <pre>
     * bits 0-3 kind + 1 | 4-7 dtype + 1 | 8-11 op + 1 | 12-31 root + 1 | 32-63 count + 1   (0: none)
     * </pre>
     */
    long stamp()
    {
        final long c = count == NONE ? 0 : Math.min(count + 1, 0xFFFF_FFFFL);
        return (kind.ordinal() + 1) | (dtype == null ? 0 : dtype.ordinal() + 1L) << 4 |
            (op == null ? 0 : op.ordinal() + 1L) << 8 | (root == NONE ? 0 : (root + 1L) & 0xF_FFFF) << 12 | c << 32;
    }

    /** "allReduce(count=1024, F32, SUM)" from a {@link #stamp()}. */
    static String describe(final long stamp)
    {
        final int kind = (int)(stamp & 0xF) - 1;
        if (kind < 0 || kind >= Kind.values().length)
        {
            return "an unknown call (stamp " + Long.toHexString(stamp) + ")";
        }
        final StringBuilder s = new StringBuilder(Kind.values()[kind].call).append('(');
        final long count = (stamp >>> 32) - 1;
        String sep = "";
        if (count >= 0)
        {
            s.append(count == 0xFFFF_FFFEL ? "count>=" : "count=").append(count);
            sep = ", ";
        }
        final int dtype = (int)(stamp >>> 4 & 0xF) - 1;
        if (dtype >= 0 && dtype < DType.values().length)
        {
            s.append(sep).append(DType.values()[dtype]);
            sep = ", ";
        }
        final int op = (int)(stamp >>> 8 & 0xF) - 1;
        if (op >= 0 && op < ReduceOp.values().length)
        {
            s.append(sep).append(ReduceOp.values()[op]);
            sep = ", ";
        }
        final int root = (int)(stamp >>> 12 & 0xF_FFFF) - 1;
        if (root >= 0)
        {
            s.append(sep).append("root=").append(root);
        }
        return s.append(')').toString();
    }

    static void write(final UnsafeBuffer into, final int at, final long sequence, final Call call, final String algorithm)
    {
        into.putLong(at + SEQUENCE, sequence);
        into.putLong(at + COUNT, call.count);
        into.putInt(at + KIND, call.kind.ordinal());
        into.putInt(at + DTYPE, call.dtype == null ? NONE : call.dtype.ordinal());
        into.putInt(at + ROOT, call.root);
        into.putInt(at + OP, call.op == null ? NONE : call.op.ordinal());
        into.setMemory(at + ALGORITHM, ALGORITHM_BYTES, (byte)0);
        into.putStringWithoutLengthAscii(at + ALGORITHM, algorithm, 0, Math.min(algorithm.length(), ALGORITHM_BYTES));
    }

    /** Whether two fingerprints describe the same call (the v-variants carry no count: theirs differ by design). */
    static boolean matches(final UnsafeBuffer a, final int at, final UnsafeBuffer b, final int bt)
    {
        for (int i = 0; i < BYTES; i += 4)
        {
            if (a.getInt(at + i) != b.getInt(bt + i))
            {
                return false;
            }
        }
        return true;
    }

    /** "#17 allReduce(count=1024, F32, SUM; RingAllReduce)". */
    static String describe(final UnsafeBuffer b, final int at)
    {
        final Kind kind = Kind.values()[b.getInt(at + KIND)];
        final StringBuilder s = new StringBuilder("#").append(b.getLong(at + SEQUENCE)).append(' ')
            .append(kind.call).append('(');
        final long count = b.getLong(at + COUNT);
        String sep = "";
        if (count != NONE)
        {
            s.append("count=").append(count);
            sep = ", ";
        }
        final int dtype = b.getInt(at + DTYPE);
        if (dtype != NONE)
        {
            s.append(sep).append(DType.values()[dtype]);
            sep = ", ";
        }
        final int op = b.getInt(at + OP);
        if (op != NONE)
        {
            s.append(sep).append(ReduceOp.values()[op]);
            sep = ", ";
        }
        final int root = b.getInt(at + ROOT);
        if (root != NONE)
        {
            s.append(sep).append("root=").append(root);
            sep = ", ";
        }
        s.append(sep.isEmpty() ? "" : "; ");
        for (int i = 0; i < ALGORITHM_BYTES && b.getByte(at + ALGORITHM + i) != 0; i++)
        {
            s.append((char)b.getByte(at + ALGORITHM + i));
        }
        return s.append(')').toString();
    }
}
