package dev.ringfold.launch;

import dev.ringfold.mpi.trace.Tracer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code mpjrun --trace FILE}: a temporary folder the ranks write their timelines to ({@link Tracer}, one
 * {@code rank-<N>.trace} of Chrome trace events per rank, timestamps on the wall clock), merged after the job into
 * one Chrome trace JSON, {@code {"traceEvents":[...]}}, with time counted from the first event of any rank.
 */
final class TraceFolder
{
    static final String VARIABLE = Tracer.DIR_VARIABLE;
    private static final Pattern RANK_FILE = Pattern.compile("rank-(\\d+)\\.trace");
    private static final Pattern TIMESTAMP = Pattern.compile("\"ts\":([0-9]+(?:\\.[0-9]+)?)");

    private final Path folder;

    private TraceFolder(final Path folder)
    {
        this.folder = folder;
    }

    static TraceFolder create(final String jobId) throws IOException
    {
        return new TraceFolder(Files.createTempDirectory("ringfold-trace-" + jobId + "-"));
    }

    Path folder()
    {
        return folder;
    }

    /**
     * Merges what the ranks wrote into {@code target} and removes the folder; false (with a message) when no rank
     * wrote a trace or the file cannot be written.
     */
    boolean mergeInto(final Path target, final Console console)
    {
        try
        {
            final List<Path> files = rankFiles();
            if (files.isEmpty())
            {
                console.message("--trace: no rank wrote a trace (a rank writes it in Ringfold.close()); " + target +
                    " not written");
                return false;
            }
            final List<String> lines = new ArrayList<>();
            for (final Path file : files)
            {
                lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
            merge(lines, target);
            console.message("--trace: " + files.size() + " rank(s), " + lines.size() + " events in " + target);
            return true;
        }
        catch (final IOException ex)
        {
            console.message("--trace: cannot merge the ranks' traces into " + target + ": " + ex.getMessage());
            return false;
        }
        finally
        {
            remove();
        }
    }

    /** The ranks' files, by rank. */
    private List<Path> rankFiles() throws IOException
    {
        try (Stream<Path> s = Files.list(folder))
        {
            return s.filter(p -> RANK_FILE.matcher(p.getFileName().toString()).matches())
                .sorted(Comparator.comparingInt(p -> rankOf(p.getFileName().toString())))
                .toList();
        }
    }

    private static int rankOf(final String name)
    {
        final Matcher m = RANK_FILE.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    /** Writes the events as one JSON document, timestamps made relative to the earliest (microseconds). */
    static void merge(final List<String> lines, final Path target) throws IOException
    {
        // the whole microseconds, compared as integers: a double of an epoch in µs keeps 0.25 µs, so an earliest
        // event at x.9 µs rounded up to x+1 and came out at -0.1 µs (seen in TraceTest)
        long originMicros = Long.MAX_VALUE;
        for (final String line : lines)
        {
            final Matcher m = TIMESTAMP.matcher(line);
            if (m.find())
            {
                originMicros = Math.min(originMicros, wholeMicros(m.group(1)));
            }
        }
        if (originMicros == Long.MAX_VALUE)
        {
            originMicros = 0;
        }
        final Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        final Path partial = Files.createTempFile(parent, target.getFileName().toString(), ".partial");
        try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8))
        {
            out.write("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
            boolean first = true;
            for (final String line : lines)
            {
                if (line.isBlank())
                {
                    continue;
                }
                if (!first)
                {
                    out.write(",\n");
                }
                first = false;
                final Matcher m = TIMESTAMP.matcher(line);
                out.write(m.find() ? m.replaceFirst("\"ts\":" + relative(m.group(1), originMicros)) : line);
            }
            out.write("\n]}\n");
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** {@code micros - originMicros}, exactly, on the decimal text (a double would lose the nanoseconds). */
    private static String relative(final String micros, final long originMicros)
    {
        final int dot = micros.indexOf('.');
        return (wholeMicros(micros) - originMicros) + (dot < 0 ? "" : micros.substring(dot));
    }

    private static long wholeMicros(final String micros)
    {
        final int dot = micros.indexOf('.');
        return Long.parseLong(dot < 0 ? micros : micros.substring(0, dot));
    }

    private void remove()
    {
        try (Stream<Path> s = Files.list(folder))
        {
            for (final Path p : s.toList())
            {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(folder);
        }
        catch (final IOException ignore)
        {
            // a temporary folder; nothing depends on it being gone
        }
    }
}
