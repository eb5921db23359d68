package dev.ringfold.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies one output stream of a rank to the {@link Console}, a whole line at a time, each line prefixed with
 * the rank's tag. Works on bytes, so whatever encoding the rank writes passes through unchanged. A final line
 * without a newline gets one; a line longer than {@link #MAX_LINE} is cut, so a rank printing a progress bar
 * with '\r' cannot make the launcher buffer without bound.
 */
final class LinePump implements Runnable
{
    static final int MAX_LINE = 1 << 20;

    private final InputStream in;
    private final byte[] prefix;
    private final Console console;
    private final boolean toErr;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream();

    /**
     * @param prefix written before every line, "" for none.
     */
    LinePump(final InputStream in, final String prefix, final Console console, final boolean toErr)
    {
        this.in = in;
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        this.console = console;
        this.toErr = toErr;
    }

    static Thread start(final InputStream in, final String prefix, final Console console, final boolean toErr,
        final String threadName)
    {
        // daemon: a grandchild of a rank may keep the pipe open after the rank is gone; mpjrun must still exit
        return Thread.ofPlatform().daemon().name(threadName).start(new LinePump(in, prefix, console, toErr));
    }

    @Override
    public void run()
    {
        final byte[] chunk = new byte[8192];
        try (in)
        {
            int n;
            while ((n = in.read(chunk)) > 0)
            {
                int lineStart = 0;
                for (int i = 0; i < n; i++)
                {
                    if (chunk[i] == '\n')
                    {
                        partial.write(chunk, lineStart, i - lineStart);
                        endLine();
                        lineStart = i + 1;
                    }
                }
                partial.write(chunk, lineStart, n - lineStart);
                if (partial.size() >= MAX_LINE)
                {
                    endLine();
                }
                flushBatch();
            }
        }
        catch (final IOException ignore)
        {
            // the stream closes under us when the process is destroyed: pass on what came before
        }
        if (partial.size() > 0)
        {
            endLine();
        }
        flushBatch();
    }

    private void endLine()
    {
        batch.writeBytes(prefix);
        batch.writeBytes(partial.toByteArray());
        batch.write('\n');
        partial.reset();
    }

    private void flushBatch()
    {
        if (batch.size() > 0)
        {
            console.writeLines(toErr, batch);
            batch.reset();
        }
    }
}
