package dev.ringfold.examples.fashion;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * --sample-log DIR: every rank appends, per step it applied, the line {@code epoch step width i1 i2 ...} (the
 * data-set indices of its share) to DIR/samples-RANK.txt, written through at once so that a rank killed with
 * SIGKILL leaves every line of the steps it finished. Tests count the samples of an interrupted epoch with it.
 */
final class SampleLog implements AutoCloseable
{
    private final FileOutputStream file;
    private final StringBuilder line = new StringBuilder();

    private SampleLog(final FileOutputStream file)
    {
        this.file = file;
    }

    /** The log of world rank {@code rank} in {@code dir}, or null without one. */
    static SampleLog open(final Path dir, final int rank)
    {
        if (dir == null)
        {
            return null;
        }
        final Path path = dir.resolve("samples-" + rank + ".txt");
        try
        {
            Files.createDirectories(dir);
            return new SampleLog(new FileOutputStream(path.toFile(), true));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("--sample-log: cannot open " + path, ex);
        }
    }

    void step(final int epoch, final int step, final int width, final int[] samples, final int offset, final int count)
    {
        line.setLength(0);
        line.append(epoch).append(' ').append(step).append(' ').append(width);
        for (int i = offset; i < offset + count; i++)
        {
            line.append(' ').append(samples[i]);
        }
        line.append('\n');
        try
        {
            file.write(line.toString().getBytes(StandardCharsets.US_ASCII));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("--sample-log: cannot write", ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            file.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("--sample-log: cannot close", ex);
        }
    }
}
