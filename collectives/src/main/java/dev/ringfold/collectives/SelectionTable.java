package dev.ringfold.collectives;

import dev.ringfold.mpi.Communicator;
import dev.ringfold.mpi.RuntimeSettings;
import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

import java.util.Locale;

/**
 * Which algorithm runs a call: the one place that decides, for blocking, non-blocking and persistent calls alike.
 * Each operation has a list of rows, read top to bottom; the first whose rule holds for the call (count, dtype, op)
 * and the communicator's placement (size, one node or several, the native device) wins. An algorithm forced with
 * RINGFOLD_ALLREDUCE_ALGORITHM / RINGFOLD_BROADCAST_ALGORITHM or {@link Collectives#forceAllReduce} replaces the
 * table, except MPI's own, which only applies where MPI can do the call (the native device, MPI's types and ops)
 * and otherwise falls back to the table. A new algorithm is one {@link Algorithm} constant and one row here.
 *
 * <p>The thresholds come from measurements recorded in BENCHMARKS.md and docs/collectives.md.
 */
final class SelectionTable
{
    static final long SMALL_ALLREDUCE_BYTES = 32 * 1024;
    static final long SMALL_BROADCAST_BYTES = 64 * 1024;
    static final long NATIVE_MPI_ALLREDUCE_FROM = 64 * 1024;
    static final long NATIVE_MPI_LARGE = 16 << 20;

    /** When a row's algorithm runs a call. */
    @FunctionalInterface
    interface Rule
    {
        boolean holds(SelectionTable placement, long count, long bytes, DType dtype, ReduceOp op);
    }

    record Row(Algorithm algorithm, Rule rule)
    {
    }

    private static final Row[] ALL_REDUCE = {
        new Row(Algorithm.MPI_ALL_REDUCE, (t, count, bytes, dtype, op) ->
            t.mpiCan(count, dtype, op) && t.mpiAllReduceIsFaster(bytes)),
        new Row(Algorithm.RECURSIVE_DOUBLING, (t, count, bytes, dtype, op) ->
            bytes <= SMALL_ALLREDUCE_BYTES || count < t.size),
        new Row(Algorithm.RING, (t, count, bytes, dtype, op) -> t.size == 1),
        new Row(Algorithm.SHARED_MEMORY_ALL_REDUCE, (t, count, bytes, dtype, op) -> t.isOneNode()),
        // on the native device MPI carries every message (no shared memory between ranks): our ring over it
        new Row(Algorithm.RING, (t, count, bytes, dtype, op) -> t.onNative),
        new Row(Algorithm.HIERARCHICAL_ALL_REDUCE, (t, count, bytes, dtype, op) -> true),
    };

    private static final Row[] BROADCAST = {
        new Row(Algorithm.MPI_BROADCAST, (t, count, bytes, dtype, op) ->
            t.mpiCan(bytes, dtype, null) && t.mpiBroadcastIsFaster(bytes)),
        new Row(Algorithm.BINOMIAL_BROADCAST, (t, count, bytes, dtype, op) ->
            bytes < SMALL_BROADCAST_BYTES || t.size == 1),
        new Row(Algorithm.SHARED_MEMORY_BROADCAST, (t, count, bytes, dtype, op) -> t.isOneNode()),
        new Row(Algorithm.BINOMIAL_BROADCAST, (t, count, bytes, dtype, op) -> t.onNative && t.size <= 2),
        new Row(Algorithm.CHAIN_BROADCAST, (t, count, bytes, dtype, op) -> t.onNative),
        new Row(Algorithm.HIERARCHICAL_BROADCAST, (t, count, bytes, dtype, op) -> true),
    };

    private final Communicator comm;
    private final int size;
    private final boolean onNative;
    private int oneNode; // 0 unknown, 1 yes, -1 no
    /** The algorithms forced by name; null: the table decides. */
    private Algorithm forcedAllReduce;
    private Algorithm forcedBroadcast;

    SelectionTable(final Communicator comm, final boolean onNative)
    {
        this.comm = comm;
        this.size = comm.size();
        this.onNative = onNative;
        final RuntimeSettings.Collectives settings = comm.settings().collectives();
        force(named(Collectives.AllReduceAlgorithm.class, "RINGFOLD_ALLREDUCE_ALGORITHM", settings.allReduce()));
        force(named(Collectives.BroadcastAlgorithm.class, "RINGFOLD_BROADCAST_ALGORITHM", settings.broadcast()));
    }

    private static <E extends Enum<E>> E named(final Class<E> type, final String variable, final String name)
    {
        try
        {
            return Enum.valueOf(type, name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(variable + "=" + name + " is not one of " +
                java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT), ex);
        }
    }

    void force(final Collectives.AllReduceAlgorithm algorithm)
    {
        forcedAllReduce = Algorithm.named(algorithm);
    }

    void force(final Collectives.BroadcastAlgorithm algorithm)
    {
        forcedBroadcast = Algorithm.named(algorithm);
    }

    /** The all-reduce algorithm for {@code count} elements of {@code dtype} reduced with {@code op}. */
    Algorithm allReduce(final long count, final DType dtype, final ReduceOp op)
    {
        final Algorithm forced = forcedAllReduce;
        final long bytes = count * dtype.bytes();
        return forced != null && (forced != Algorithm.MPI_ALL_REDUCE || mpiCan(count, dtype, op)) ? forced :
            first(ALL_REDUCE, count, bytes, dtype, op);
    }

    /** The broadcast algorithm for {@code bytes} bytes. */
    Algorithm broadcast(final long bytes)
    {
        final Algorithm forced = forcedBroadcast;
        return forced != null && (forced != Algorithm.MPI_BROADCAST || mpiCan(bytes, DType.U8, null)) ? forced :
            first(BROADCAST, bytes, bytes, DType.U8, null);
    }

    /** Whether MPI's own collective can do the call: on the native device, for MPI's types and ops. */
    private boolean mpiCan(final long count, final DType dtype, final ReduceOp op)
    {
        return onNative && (op == null ? count <= Integer.MAX_VALUE : MpiCollective.supports(dtype, op, count));
    }

    private Algorithm first(final Row[] rows, final long count, final long bytes, final DType dtype, final ReduceOp op)
    {
        for (final Row row : rows)
        {
            if (row.rule.holds(this, count, bytes, dtype, op))
            {
                return row.algorithm;
            }
        }
        throw new IllegalStateException("the selection table has no row for " + count + " " + dtype); // last rows hold always
    }

    /**
     * Whether every rank of the communicator shares this rank's memory. The same answer on every rank: sharing a
     * node is an equivalence, so if one rank reaches all through shared memory, every rank does.
     */
    boolean isOneNode()
    {
        if (oneNode == 0)
        {
            oneNode = 1;
            for (int r = 0; r < size; r++)
            {
                if (!comm.sharesMemoryWith(r))
                {
                    oneNode = -1;
                }
            }
        }
        return oneNode > 0;
    }

    /**
     * Where MPI's own all-reduce beat ours over its point-to-point on the native device in most of three sittings
     * (Open MPI 4.1.4, 2 cores; BENCHMARKS.md, native device): with more than two ranks from 64 KiB up to (not
     * including) 16 MiB, with two ranks from 16 MiB. Elsewhere ours won or the two were within the noise.
     */
    private boolean mpiAllReduceIsFaster(final long bytes)
    {
        return size > 2 ? bytes >= NATIVE_MPI_ALLREDUCE_FROM && bytes < NATIVE_MPI_LARGE : bytes >= NATIVE_MPI_LARGE;
    }

    /**
     * Where MPI's broadcast beat ours on the native device in both passes of the sitting: with more than two ranks
     * below 16 MiB, with two ranks from 16 MiB.
     */
    private boolean mpiBroadcastIsFaster(final long bytes)
    {
        return size > 2 ? bytes < NATIVE_MPI_LARGE : bytes >= NATIVE_MPI_LARGE;
    }
}
