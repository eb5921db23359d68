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
