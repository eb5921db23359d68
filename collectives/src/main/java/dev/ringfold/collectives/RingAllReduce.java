package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.Request;
import dev.ringfold.mpi.Status;

/**
 * In-place all-reduce with SUM over a ring of the communicator's ranks: after {@code sum(data)} on every rank,
 * every rank's {@code data} holds the element-wise sum of all ranks' inputs.
 *
 * <h2>Algorithm</h2>
 * The {@code count} elements are cut into {@code n} chunks (n = communicator size), chunk {@code c} starting at
 * {@link #chunkStart chunkStart(count, n, c)}; the first {@code count % n} chunks are one element longer, so any
 * count works, including 0 and counts smaller than n. Then two phases of {@code n - 1} steps each, every rank
 * sending to its right neighbour {@code (rank + 1) % n} and receiving from its left {@code (rank - 1 + n) % n}:
 * <ol>
 * <li>reduce-scatter: in step {@code s} rank {@code r} sends chunk {@code (r - s) mod n} and receives chunk
 *     {@code (r - s - 1) mod n} into a staging array, which it adds into its own copy of that chunk; afterwards
 *     rank {@code r} holds the complete sum of chunk {@code (r + 1) mod n};</li>
 * <li>all-gather: in step {@code s} rank {@code r} sends chunk {@code (r + 1 - s) mod n} and receives chunk
 *     {@code (r - s) mod n} straight into {@code data}.</li>
 * </ol>
 * Each rank sends (and receives) {@code 2 (n - 1) / n} of the data. Every step posts its receive before its send
 * and waits for both ({@link Communicator#irecv}, {@link Communicator#isend}, {@link Request#waitAll}); the
 * staging array (one chunk) is kept by this object and reused by later calls.
 *
 * <h2>Reduction order: results are bit-identical on every rank</h2>
 * Let {@code x[r]} be rank r's input. An element of chunk {@code c} is summed in ring order starting at rank
 * {@code c}: {@code ((x[c] + x[c+1]) + x[c+2]) + ... + x[c+n-1]}, rank indices mod n, in the element type's own
 * precision. The all-gather phase only copies, so every rank ends with the bits of that one computation; the
 * result depends on n and count only, never on timing, and is the same from run to run. (It is not the order
 * {@code x[0] + x[1] + ...} for chunks other than 0, so it may differ in the last bits from a naive loop.)
 *
 * <h2>Rules for callers</h2>
 * <ul>
 * <li>Collective: every rank of the communicator calls it with the same count, in the same order with respect
 *     to its other collective calls. A rank that receives a chunk of the wrong length fails with
 *     {@link IllegalStateException}; the other ranks may then wait for it (set {@code RINGFOLD_TIMEOUT_MS}).</li>
 * <li>Messages use the fixed tag {@link #TAG} in the communicator's point-to-point context, so a receive with
 *     {@code ANY_TAG} posted on the same communicator during the call could take one of them. A later collectives
 *     issue moves collectives to the communicator's collective context, where user messages cannot interfere.</li>
 * <li>Like the communicator, not thread-safe: one call at a time per object.</li>
 * <li>Each step allocates two {@link Request}s (the primitive-array {@code isend/irecv} have no overload that
 *     reuses a request); the data itself is never copied into a temporary other than the staging chunk.</li>
 * </ul>
 */
public final class RingAllReduce
{
    /** The tag of every message this class sends; user code should not use it on the same communicator. */
    public static final int TAG = 0x52_41_00_01;

    private final Communicator comm;
    private float[] floatStaging = new float[0];
    private double[] doubleStaging = new double[0];

    public RingAllReduce(final Communicator comm)
    {
        if (comm == null)
        {
            throw new NullPointerException("RingAllReduce: the communicator is null");
        }
        this.comm = comm;
    }

    public Communicator communicator()
    {
        return comm;
    }

    /**
     * The first element of chunk {@code chunk} when {@code count} elements are cut into {@code parts} chunks:
     * {@code chunk * (count / parts) + min(chunk, count % parts)}; {@code chunkStart(count, parts, parts) == count}.
     */
    public static int chunkStart(final int count, final int parts, final int chunk)
    {
        return chunk * (count / parts) + Math.min(chunk, count % parts);
    }

    /** Sums {@code data} over all ranks, in place. */
    public void sum(final float[] data)
    {
        sum(data, 0, data == null ? 0 : data.length);
    }

    /** Sums {@code data[offset, offset + count)} over all ranks, in place; the rest of the array is untouched. */
    public void sum(final float[] data, final int offset, final int count)
    {
        checkArgs(data, data == null ? 0 : data.length, offset, count);
        final int n = comm.size();
        if (n == 1)
        {
            return;
        }
        final int rank = comm.rank();
        final int right = (rank + 1) % n;
        final int left = (rank - 1 + n) % n;
        final int maxChunk = (count + n - 1) / n;
        if (floatStaging.length < maxChunk)
        {
            floatStaging = new float[maxChunk];
        }
        final float[] staging = floatStaging;

        for (int s = 0; s < n - 1; s++)
        {
            final int sendChunk = Math.floorMod(rank - s, n);
            final int recvChunk = Math.floorMod(rank - s - 1, n);
            final int sendAt = chunkStart(count, n, sendChunk);
            final int recvAt = chunkStart(count, n, recvChunk);
            final int recvLength = chunkStart(count, n, recvChunk + 1) - recvAt;
            final Request recv = comm.irecv(staging, 0, recvLength, left, TAG);
            final Request send = comm.isend(data, offset + sendAt, chunkStart(count, n, sendChunk + 1) - sendAt,
                right, TAG);
            Request.waitAll(recv, send);
            checkReceived(recv.status(), recvLength, Float.BYTES, recvChunk);
            final int base = offset + recvAt;
            for (int i = 0; i < recvLength; i++)
            {
                data[base + i] = staging[i] + data[base + i]; // the running sum from the left, plus this rank's
            }
        }
        for (int s = 0; s < n - 1; s++)
        {
            final int sendChunk = Math.floorMod(rank + 1 - s, n);
            final int recvChunk = Math.floorMod(rank - s, n);
            final int sendAt = chunkStart(count, n, sendChunk);
            final int recvAt = chunkStart(count, n, recvChunk);
            final int recvLength = chunkStart(count, n, recvChunk + 1) - recvAt;
            final Request recv = comm.irecv(data, offset + recvAt, recvLength, left, TAG);
            final Request send = comm.isend(data, offset + sendAt, chunkStart(count, n, sendChunk + 1) - sendAt,
                right, TAG);
            Request.waitAll(recv, send);
            checkReceived(recv.status(), recvLength, Float.BYTES, recvChunk);
        }
    }

    /** Sums {@code data} over all ranks, in place. */
    public void sum(final double[] data)
    {
        sum(data, 0, data == null ? 0 : data.length);
    }

    /** Sums {@code data[offset, offset + count)} over all ranks, in place; the rest of the array is untouched. */
    public void sum(final double[] data, final int offset, final int count)
    {
        checkArgs(data, data == null ? 0 : data.length, offset, count);
        final int n = comm.size();
        if (n == 1)
        {
            return;
        }
        final int rank = comm.rank();
        final int right = (rank + 1) % n;
        final int left = (rank - 1 + n) % n;
        final int maxChunk = (count + n - 1) / n;
        if (doubleStaging.length < maxChunk)
        {
            doubleStaging = new double[maxChunk];
        }
        final double[] staging = doubleStaging;

        for (int s = 0; s < n - 1; s++)
        {
            final int sendChunk = Math.floorMod(rank - s, n);
            final int recvChunk = Math.floorMod(rank - s - 1, n);
            final int sendAt = chunkStart(count, n, sendChunk);
            final int recvAt = chunkStart(count, n, recvChunk);
            final int recvLength = chunkStart(count, n, recvChunk + 1) - recvAt;
            final Request recv = comm.irecv(staging, 0, recvLength, left, TAG);
            final Request send = comm.isend(data, offset + sendAt, chunkStart(count, n, sendChunk + 1) - sendAt,
                right, TAG);
            Request.waitAll(recv, send);
            checkReceived(recv.status(), recvLength, Double.BYTES, recvChunk);
            final int base = offset + recvAt;
            for (int i = 0; i < recvLength; i++)
            {
                data[base + i] = staging[i] + data[base + i]; // the running sum from the left, plus this rank's
            }
        }
        for (int s = 0; s < n - 1; s++)
        {
            final int sendChunk = Math.floorMod(rank + 1 - s, n);
            final int recvChunk = Math.floorMod(rank - s, n);
            final int sendAt = chunkStart(count, n, sendChunk);
            final int recvAt = chunkStart(count, n, recvChunk);
            final int recvLength = chunkStart(count, n, recvChunk + 1) - recvAt;
            final Request recv = comm.irecv(data, offset + recvAt, recvLength, left, TAG);
            final Request send = comm.isend(data, offset + sendAt, chunkStart(count, n, sendChunk + 1) - sendAt,
                right, TAG);
            Request.waitAll(recv, send);
            checkReceived(recv.status(), recvLength, Double.BYTES, recvChunk);
        }
    }

    private void checkArgs(final Object data, final int length, final int offset, final int count)
    {
        if (data == null)
        {
            throw new NullPointerException(where() + ": the array is null");
        }
        if (count < 0)
        {
            throw new IllegalArgumentException(where() + ": count=" + count + " must be >= 0");
        }
        if (offset < 0 || (long)offset + count > length)
        {
            throw new IndexOutOfBoundsException(where() + ": offset=" + offset + " count=" + count +
                " does not fit an array of length " + length);
        }
    }

    private void checkReceived(final Status status, final int expectedElements, final int elementBytes, final int chunk)
    {
        if (status.count() != expectedElements * elementBytes)
        {
            throw new IllegalStateException(where() + ": chunk " + chunk + " from rank " + status.source() + " has " +
                status.count() / elementBytes + " elements, expected " + expectedElements +
                "; did every rank pass the same count?");
        }
    }

    private String where()
    {
        return "rank " + comm.rank() + " of " + comm.name() + ": RingAllReduce.sum";
    }
}
