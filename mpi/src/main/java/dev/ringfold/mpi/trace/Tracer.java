package dev.ringfold.mpi.trace;

import dev.ringfold.mpi.RingfoldLog;
import dev.ringfold.mpi.RuntimeSettings;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * The timeline of this rank's collectives and point-to-point operations, kept when {@code RINGFOLD_TRACE=<dir>} is
 * set and written at {@code Ringfold.close()} to {@code <dir>/rank-<N>.trace}, one Chrome trace event per line
 * ({@code "ph":"X"} complete events, {@code pid} = rank, {@code ts} in microseconds of the wall clock), which
 * {@code mpjrun --trace FILE} merges into one file for Perfetto or chrome://tracing.
 * <p>
 * Recording is {@link #ON}-guarded at every call site: a static final the JIT folds, so with tracing off the cost
 * is that one branch. Events go into preallocated parallel arrays (a ring of {@value #DEFAULT_CAPACITY} by
 * default, {@code RINGFOLD_TRACE_EVENTS}), names are interned once into a small table, so recording allocates
 * nothing; when the ring is full the oldest events are overwritten and counted as dropped. One rank is one
 * process and Ringfold's engine is single-threaded, so the ring is too.
 */
public final class Tracer
{
    public static final String DIR_VARIABLE = "RINGFOLD_TRACE";
    public static final String CAPACITY_VARIABLE = "RINGFOLD_TRACE_EVENTS";
    public static final int DEFAULT_CAPACITY = 1 << 16;

    /** Whether this process records; read once, so every guarded call site folds to nothing when unset. */
    public static final boolean ON = RuntimeSettings.SWITCHES.tracing();

    /** Rows of the timeline (Chrome's tid): what kind of operation an event is. */
    public static final int ROW_COLLECTIVE = 1;
    public static final int ROW_SEND = 2;
    public static final int ROW_RECEIVE = 3;
    private static final String[] ROW_NAMES = {"", "collectives", "sends", "receives"};

    public static final int NAME_SEND = intern("send");
    public static final int NAME_RECEIVE = intern("recv");

    private static String[] names;
    private static int nameCount;
    private static final int CAPACITY = ON ? capacity() : 0;
    private static final long[] START = new long[CAPACITY];
    private static final long[] END = new long[CAPACITY];
    private static final long[] BYTES = new long[CAPACITY];
    private static final int[] NAME = new int[CAPACITY];
    private static final int[] ROW = new int[CAPACITY];
    private static final int[] PEER = new int[CAPACITY];
    private static final int[] TAG = new int[CAPACITY];
    /** Events recorded so far; the ring holds the last {@code min(recorded, CAPACITY)} of them. */
    private static long recorded;
    private static final int ANCHOR_TRIES = 64;
    /** Wall-clock nanoseconds at nanoTime zero: one anchor per rank puts every rank's events on a common clock. */
    private static final long WALL_AT_NANO_ZERO = wallAtNanoZero();

    private Tracer()
    {
    }

    /** The id of a name in the table, adding it the first time; call once per operation class, not per event. */
    public static synchronized int intern(final String name)
    {
        if (names == null)
        {
            names = new String[32];
        }
        for (int i = 0; i < nameCount; i++)
        {
            if (names[i].equals(name))
            {
                return i;
            }
        }
        if (nameCount == names.length)
        {
            names = Arrays.copyOf(names, 2 * names.length);
        }
        names[nameCount] = name;
        return nameCount++;
    }

    /** The clock events are stamped with. */
    public static long now()
    {
        return System.nanoTime();
    }

    /**
     * Records one finished operation. Call only under {@code if (Tracer.ON)}.
     *
     * @param peer the world rank it went to or came from, -1 for a collective.
     * @param tag  its tag (for a collective: the tag its sequence number gave it).
     */
    public static void record(final int name, final int row, final int peer, final int tag, final long bytes,
        final long startNanos, final long endNanos)
    {
        final int at = (int)(recorded % CAPACITY);
        START[at] = startNanos;
        END[at] = endNanos;
        BYTES[at] = bytes;
        NAME[at] = name;
        ROW[at] = row;
        PEER[at] = peer;
        TAG[at] = tag;
        recorded++;
    }

    /** How many events were overwritten because the ring was full. */
    public static long dropped()
    {
        return Math.max(0, recorded - CAPACITY);
    }

    /** Writes {@code <RINGFOLD_TRACE>/rank-<rank>.trace} if tracing is on; at close, off the hot path. */
    public static void writeIfOn(final int rank)
    {
        if (!ON)
        {
            return;
        }
        final Path dir = Path.of(RuntimeSettings.SWITCHES.traceDir());
        try
        {
            write(dir.resolve("rank-" + rank + ".trace"), rank);
        }
        catch (final IOException ex)
        {
            RingfoldLog.logger(Tracer.class).log(System.Logger.Level.WARNING,
                "rank " + rank + ": cannot write its trace to " + dir + ": " + ex.getMessage());
        }
    }

    /** Chrome trace events, one JSON object per line: names of the process and rows first, then the events. */
    static synchronized void write(final Path file, final int rank) throws IOException
    {
        Files.createDirectories(file.getParent());
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8))
        {
            final long dropped = dropped();
            out.write("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + rank + ",\"tid\":0,\"args\":{\"name\":\"rank " +
                rank + "\"}}\n");
            out.write("{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":" + rank +
                ",\"tid\":0,\"args\":{\"sort_index\":" + rank + "}}\n");
            for (int row = 1; row < ROW_NAMES.length; row++)
            {
                out.write("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + rank + ",\"tid\":" + row +
                    ",\"args\":{\"name\":\"" + ROW_NAMES[row] + "\"}}\n");
            }
            if (dropped > 0)
            {
                out.write("{\"name\":\"dropped " + dropped + " oldest events (ring of " + CAPACITY +
                    ", RINGFOLD_TRACE_EVENTS)\",\"ph\":\"i\",\"s\":\"p\",\"pid\":" + rank + ",\"tid\":0,\"ts\":" +
                    micros(START[(int)(recorded % CAPACITY)]) + "}\n");
            }
            final long first = Math.max(0, recorded - CAPACITY);
            final StringBuilder line = new StringBuilder(256);
            for (long e = first; e < recorded; e++)
            {
                final int at = (int)(e % CAPACITY);
                line.setLength(0);
                line.append("{\"name\":\"").append(names[NAME[at]]).append("\",\"cat\":\"")
                    .append(ROW_NAMES[ROW[at]]).append("\",\"ph\":\"X\",\"pid\":").append(rank)
                    .append(",\"tid\":").append(ROW[at]).append(",\"ts\":").append(micros(START[at]))
                    .append(",\"dur\":").append(Math.max(0, END[at] - START[at]) / 1000.0)
                    .append(",\"args\":{\"bytes\":").append(BYTES[at]).append(",\"tag\":").append(TAG[at]);
                if (PEER[at] >= 0)
                {
                    line.append(",\"peer\":").append(PEER[at]);
                }
                out.append(line).append("}}\n");
            }
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Microseconds of the wall clock, with nanoTime's resolution. */
    private static String micros(final long nanos)
    {
        final long wall = WALL_AT_NANO_ZERO + nanos;
        return (wall / 1000) + "." + String.format("%03d", wall % 1000);
    }

    private static long wallAtNanoZero()
    {
        // the nanoTime before and after a wall-clock read bracket its instant; the midpoint is off by at most half
        // the bracket. The first read loads the clock's classes and any read may be preempted (more ranks than
        // cores), so keep the narrowest of several brackets.
        long anchor = 0;
        long narrowest = Long.MAX_VALUE;
        for (int i = 0; i < ANCHOR_TRIES; i++)
        {
            final long before = System.nanoTime();
            final Instant wall = Instant.now();
            final long after = System.nanoTime();
            if (after - before < narrowest)
            {
                narrowest = after - before;
                anchor = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - (before + (after - before) / 2);
            }
        }
        return anchor;
    }

    private static int capacity()
    {
        final String value = RuntimeSettings.SWITCHES.traceEvents();
        if (value == null || value.isBlank())
        {
            return DEFAULT_CAPACITY;
        }
        try
        {
            final int n = Integer.parseInt(value.trim());
            if (n > 0)
            {
                return n;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalArgumentException(CAPACITY_VARIABLE + "=" + value + ": expected a positive number of events");
    }
}
