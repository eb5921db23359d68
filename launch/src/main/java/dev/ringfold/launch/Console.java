package dev.ringfold.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The launcher's stdout and stderr, shared by the output pumps of all ranks and by mpjrun's own messages.
 * Writers hand over whole lines only and each hand-over is written under one lock, so lines never mix.
 * A broken stdout (say, piped into head) is ignored rather than fatal: the pumps keep draining the ranks,
 * which would otherwise block on a full pipe.
 */
final class Console
{
    private static final byte[] MESSAGE_PREFIX = "mpjrun: ".getBytes(StandardCharsets.UTF_8);

    private final OutputStream out;
    private final OutputStream err;

    Console(final OutputStream out, final OutputStream err)
    {
        this.out = out;
        this.err = err;
    }

    /** Writes lines, each ending in '\n', to stdout or stderr. */
    synchronized void writeLines(final boolean toErr, final ByteArrayOutputStream lines)
    {
        final OutputStream stream = toErr ? err : out;
        try
        {
            lines.writeTo(stream);
            stream.flush();
        }
        catch (final IOException ignore)
        {
            // nobody is reading our output any more; keep the ranks running regardless
        }
    }

    /** One line of mpjrun's own on stderr. */
    void message(final String text)
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(text.length() + 16);
        line.writeBytes(MESSAGE_PREFIX);
        line.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        line.write('\n');
        writeLines(true, line);
    }
}
